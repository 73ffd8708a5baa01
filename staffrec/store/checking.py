"""Checking uploaded files before they are stored, optionally in a worker process so ingest uses two cores.

For a batch of 8 files or more from the CLI or the portal (STAFFREC_INGEST_WORKER=1: any batch of 2 or
more, from anywhere; =0: never) one worker process (started once, kept for the life of this process)
reads and checks the files of a batch, in order, while this process stores the ones already checked:
on a region's deadline day reading and checking is about half the work of an ingest. Whenever this
process would wait for the worker, it checks the batch's last files (not yet given to the worker)
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
# Files unfinished in the worker at a time: enough to keep it busy. The rest wait here, so the caller can
# check any of them itself without cancelling a future (a ProcessPoolExecutor that breaks with
# cancelled futures in its queue loses its manager thread and hangs the process, CPython 3.11).
WORKER_QUEUE = 3
# Files the caller checks ahead of their turn at most (their Templates are held until then).
MAX_AHEAD = 16
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


def _reset(broken):
    """Forget a broken worker (unless another batch has replaced it already); the next batch starts a new one."""
    global _POOL
    if _POOL is broken:
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


def checked(files, catalogue, registry, today, blob=None):
    """Yield (Template, Report) for each (name, data) of `files`, in order.

    With a registry blob (see registry_blob) and the default catalogue the files are checked by
    the worker process, WORKER_QUEUE at a time ahead of the caller, so it works while the caller
    stores. Whenever the caller would wait on it, the caller checks the batch's last files (none of
    them queued) itself, up to MAX_AHEAD of them: checking and storing a file cost about the same.
    """
    if blob is None or len(files) < 2 or catalogue is not default_catalogue():
        for name, data in files:
            yield check(name, data, catalogue, registry, today)
        return
    token, pickled = blob
    worker = _pool()
    futures, ahead = {}, {}
    sent, end = 0, len(files)  # files [0, sent) went to the worker; [end, len) are checked here

    def send():
        """Keep WORKER_QUEUE unfinished files in the worker (files before `end`); False once it is broken."""
        nonlocal sent
        unfinished = sum(not f.done() for f in futures.values())
        while sent < end and unfinished < WORKER_QUEUE:
            try:
                blob_once = pickled if sent == 0 else None
                futures[sent] = worker.submit(_check_in_worker, *files[sent], token, blob_once, today)
            except RuntimeError:  # the worker died (BrokenProcessPool) or the interpreter is exiting
                _reset(worker)
                return False
            sent, unfinished = sent + 1, unfinished + 1
        return True

    alive = True
    for i, (name, data) in enumerate(files):
        if i in ahead:
            yield ahead.pop(i)
            continue
        alive = alive and send()
        future = futures.get(i)
        while future is not None and not future.done() and end > sent and len(ahead) < MAX_AHEAD:
            end -= 1
            ahead[end] = check(*files[end], catalogue, registry, today)
            alive = alive and send()
        futures.pop(i, None)
        if future is None:
            yield check(name, data, catalogue, registry, today)
            continue
        try:
            version, kind_name, rows, report = future.result()
        # A worker that died or lost the registry: check this file here, as without a worker.
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, concurrent.futures.process.BrokenProcessPool):
                _reset(worker)
            yield check(name, data, catalogue, registry, today)
            continue
        yield _rebuilt(catalogue, version, kind_name, rows), report
