"""Checking uploaded files before they are stored, optionally in a worker process so ingest uses two cores.

For a batch of 8 files or more from the CLI or the portal (STAFFREC_INGEST_WORKER=1: any batch of 2 or
more, from anywhere; =0: never) one worker process (started once, kept for the life of this process)
reads and checks the files of a batch, in order, while this process stores the ones already checked:
on a region's deadline day reading and checking is about half the work of an ingest. Whenever this
process would wait for the worker, it checks the batch's last files (those the worker has not started)
itself, so neither process idles while the other still has work.
The worker runs the same open_template and validate on the same bytes, registry and date; only
what storing needs comes back (the report, the template version and kind, each record's row and
values). Anything unusual (another catalogue, a worker that fails) checks the file here instead.
"""

import atexit
import concurrent.futures
import hashlib
import multiprocessing
import os
import pickle
from pathlib import PurePosixPath

from ..catalogue import catalogue as default_catalogue
from ..checks import validate
from ..reader import open_template
from ..records import Record
from ..template import Template

ENV = "STAFFREC_INGEST_WORKER"
# Starting the worker costs about a second once per process; a batch this large repays it.
MIN_WORKER_BATCH = 8
_POOL = None
_WORKER_REGISTRY = (None, None)  # (token, Registry) in the worker


def worker_wanted(files, default=False):
    """Tell whether a batch of this many files is checked in the worker process.

    With `default` (the CLI and the portal) batches of MIN_WORKER_BATCH files or more are (a county's
    ZIP). STAFFREC_INGEST_WORKER overrides: =1 every batch of two or more, =0 none. Library callers get
    no worker unless they ask: starting one re-imports the caller's main script.
    """
    setting = os.environ.get(ENV, "").strip().lower()
    if setting in ("0", "false", "no"):
        return False
    if setting in ("1", "true", "yes"):
        return files >= 2
    return default and files >= MIN_WORKER_BATCH


def check(name, data, catalogue, registry, today):
    """Read and check one file here; return (Template, Report)."""
    template = open_template(data, name=PurePosixPath(name).name, catalogue=catalogue)
    return template, validate(template, registry=registry, today=today, catalogue=catalogue)


def _check_in_worker(name, data, token, blob, today):
    """Worker side of check(): the registry comes once per batch (`blob`), then by `token` only."""
    global _WORKER_REGISTRY
    if _WORKER_REGISTRY[0] != token:
        if blob is None:
            raise LookupError("the worker does not hold this registry")
        _WORKER_REGISTRY = (token, pickle.loads(blob))
    template, report = check(name, data, default_catalogue(), _WORKER_REGISTRY[1], today)
    rows = [(r.row, r.values) for r in template.records] if report.valid else []
    return template.version, template.kind.name if template.kind else None, rows, report


def _pool():
    """Return the checking worker, started on first use (spawned: safe beside threads)."""
    global _POOL
    if _POOL is None:
        _POOL = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_POOL.shutdown)  # before the interpreter tears down what the pool's thread uses
    return _POOL


def _reset():
    """Forget a broken worker; the next batch starts a new one."""
    global _POOL
    _POOL = None


def _rebuilt(catalogue, version, kind_name, rows):
    """Return the Template storing needs: version, kind and records (row and values)."""
    kind = catalogue.kind(kind_name) if kind_name else None
    records = [Record(kind.keys, values, row=row) for row, values in rows]
    return Template(None, "", kind, records=records, version=version, catalogue=catalogue)


def registry_blob(registry):
    """Return (token, pickled registry) for sending a registry to the worker."""
    blob = pickle.dumps(registry, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(blob).hexdigest(), blob


def _take_back(files, futures, index, taken, check_here):
    """While the worker is still on file `index`, check here the last files it has not started.

    Checking and storing a file cost about the same, so the caller would otherwise wait on the
    worker for part of every batch. A file is taken from the end of the queue only when its
    future can still be cancelled, which the worker then never starts; once one cannot be (the
    worker has it, or has queued it), neither can any file before it.
    """
    last = min(taken, default=len(files))
    while last - 1 > index and not futures[index].done():
        if not futures[last - 1].cancel():
            return
        last -= 1
        taken[last] = check_here(*files[last])


def checked(files, catalogue, registry, today, blob=None):
    """Yield (Template, Report) for each (name, data) of `files`, in order.

    With a registry blob (see registry_blob) and the default catalogue the files are checked by
    the worker process, all queued at once, so it works ahead while the caller stores; while the
    caller would wait on it, the caller checks files from the end of the batch itself (_take_back).
    """
    if blob is None or len(files) < 2 or catalogue is not default_catalogue():
        for name, data in files:
            yield check(name, data, catalogue, registry, today)
        return
    token, pickled = blob
    pool = _pool()
    futures = [pool.submit(_check_in_worker, name, data, token, pickled if i == 0 else None, today)
               for i, (name, data) in enumerate(files)]
    taken = {}  # index -> (Template, Report) of the files taken back from the worker and checked here
    for i, ((name, data), future) in enumerate(zip(files, futures)):
        if i in taken:
            yield taken.pop(i)
            continue
        _take_back(files, futures, i, taken, lambda n, d: check(n, d, catalogue, registry, today))
        try:
            version, kind_name, rows, report = future.result()
        # A worker that died or lost the registry: check this file here, as without a worker.
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, concurrent.futures.process.BrokenProcessPool):
                _reset()
            yield check(name, data, catalogue, registry, today)
            continue
        yield _rebuilt(catalogue, version, kind_name, rows), report
