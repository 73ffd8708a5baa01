"""Upload jobs: each upload is checked (and stored) in a background thread while its page shows progress.

The job registry lives in memory, in `app.extensions["staffrec_jobs"]`: it is **per process**. That fits
the documented production server, waitress (one process, many threads). Under a server with several
worker processes a job page could land on a process that never saw the job: run a single process there.
Jobs do not survive a restart; what a finished job stored is in the database whatever happens to the job.

- A job is keyed by an unguessable id and bound to the user who started it: for anyone else it does not
  exist (404).
- Its state (files done / total, results, error) is guarded by a lock; pages read a consistent snapshot.
- At most `UPLOAD_WORKERS` (default 2) jobs run at a time; others wait as 排队中. One user may have at most
  `UPLOAD_ACTIVE_PER_USER` (default 3) unfinished jobs.
- The upload is written to a private temporary folder (`UPLOAD_TEMP_DIR`, default the system's). After
  checking, the bytes of every file that was read are kept there for its annotated workbook; the folder
  is removed when the job expires, `UPLOAD_JOB_TTL` seconds (default 3600) after it finished, or when the
  process exits. A process killed (SIGKILL, a crash, a power cut) removes nothing, and these files hold
  staff data: the portal removes the `staffrec-uploads-*` folders in which nothing changed for the TTL
  when it starts, and again at most once per TTL while it runs (never a folder of its own jobs).
- An error in the worker ends the job with a Chinese message; it never leaves a page waiting.
"""

import logging
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path, PureWindowsPath

import attrs

from staffrec.annotate import annotated_bytes, annotated_name
from staffrec.store.failures import unavailable
from staffrec.store.ingestion import expand

from .upload_folders import DEFAULT_TTL, claim_root, release_root, remove_stale_uploads

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DEFAULT_WORKERS = 2
DEFAULT_ACTIVE_PER_USER = 3
UPLOAD_FILE = "upload"
FAILED_MESSAGE = "处理上传文件时系统出错，处理已中止。"
FAILED_SUBMIT_NOTE = "此前已处理完的文件可能已经提交，请在“全部数据”中核对后重新上传其余文件。"
FAILED_CONTACT = "如再次出错，请联系管理员。"


class JobLimitError(Exception):
    """The user already has as many unfinished jobs as allowed."""


@attrs.frozen
class JobView:
    """A consistent snapshot of one job, for pages and the status JSON."""

    id: str
    name: str
    dry_run: bool
    state: str
    done: int
    total: int | None
    results: tuple
    annotated: frozenset
    error: str | None

    @property
    def finished(self):
        return self.state in (DONE, FAILED)

    @property
    def accepted(self):
        return sum(1 for r in self.results if r.accepted)

    @property
    def rejected(self):
        return sum(1 for r in self.results if not r.accepted)

    @property
    def message(self):
        """What the job is doing, in Chinese."""
        if self.state == QUEUED:
            return "排队中，请稍候……"
        if self.state == RUNNING and self.total is None:
            return "正在读取上传的文件……"
        if self.state == RUNNING:
            return f"正在检查：已完成 {self.done} / {self.total} 个文件"
        if self.state == FAILED:
            return self.error
        return f"处理完毕：共 {len(self.results)} 个文件，通过 {self.accepted} 个，未通过 {self.rejected} 个。"

    def status(self):
        """The status JSON the upload page polls."""
        return {
            "id": self.id,
            "state": self.state,
            "finished": self.finished,
            "done": self.done,
            "total": self.total,
            "accepted": self.accepted if self.state == DONE else None,
            "rejected": self.rejected if self.state == DONE else None,
            "message": self.message,
            "error": self.error,
        }


class Job:
    """One upload being processed; every change and every read goes through the lock."""

    def __init__(self, owner, name, dry_run, folder):
        self.id = secrets.token_urlsafe(24)
        self.owner = owner
        self.name = name
        self.dry_run = dry_run
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._state = QUEUED
        self._done = 0
        self._total = None
        self._results = ()
        self._kept = {}  # result number (from 1) -> path of the file's bytes
        self._error = None
        self._finished_at = None

    def update(self, **changes):
        """Change state, done, total, results, kept or error atomically."""
        with self._lock:
            for key, value in changes.items():
                setattr(self, f"_{key}", value)
            if changes.get("state") in (DONE, FAILED):
                self._finished_at = time.monotonic()

    def progress(self, done, total):
        """The store's progress callback."""
        self.update(done=done, total=total)

    def view(self):
        """Return a snapshot of the job."""
        with self._lock:
            return JobView(
                self.id, self.name, self.dry_run, self._state, self._done, self._total, self._results,
                frozenset(self._kept), self._error,
            )

    def kept_file(self, number):
        """Return (result, path of its bytes) of result `number` (from 1), or None."""
        with self._lock:
            path = self._kept.get(number)
            return (self._results[number - 1], path) if path is not None else None

    def expired(self, now, ttl):
        with self._lock:
            return self._finished_at is not None and now - self._finished_at > ttl

    @property
    def active(self):
        with self._lock:
            return self._state in (QUEUED, RUNNING)


class JobRegistry:
    """The jobs of this process, by id."""

    def __init__(self, temp_dir=None, ttl=DEFAULT_TTL, workers=DEFAULT_WORKERS, per_user=DEFAULT_ACTIVE_PER_USER):
        self.ttl = ttl
        self.per_user = per_user
        self._temp_dir = temp_dir
        self._root = None
        self._jobs = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(workers)
        self._swept = None  # time.monotonic() of the last remove_stale()

    def remove_stale(self):
        """Remove the job folders killed processes left in this registry's temp folder; return how many."""
        self._swept = time.monotonic()
        removed = remove_stale_uploads(self._temp_dir, self.ttl)
        if removed:
            log.warning("removed %d upload folders left by an interrupted portal process (they held staff data)",
                        removed)
        return removed

    def _folder(self):
        """Create a private folder for one job under this registry's root (made on first use)."""
        if self._root is None:
            if self._temp_dir:
                Path(self._temp_dir).mkdir(parents=True, exist_ok=True)
            self._root = claim_root(self._temp_dir)
            # Whatever is left goes when the registry goes, at the latest when the process exits normally.
            weakref.finalize(self, release_root, self._root)
        return Path(tempfile.mkdtemp(dir=self._root))

    def _expire(self):
        """Drop finished jobs older than the time to live, and their files. Call with the lock held."""
        now = time.monotonic()
        for job_id in [i for i, job in self._jobs.items() if job.expired(now, self.ttl)]:
            job = self._jobs.pop(job_id)
            shutil.rmtree(job.folder, ignore_errors=True)
        if self._swept is not None and now - self._swept > self.ttl:
            # A portal that runs for weeks after a killed one also removes what that one left.
            try:
                self.remove_stale()
            except OSError:
                log.warning("could not remove stale upload folders", exc_info=True)

    def create(self, owner, name, dry_run):
        """Register a new job of `owner`; JobLimitError when the user has too many unfinished jobs."""
        with self._lock:
            self._expire()
            if sum(1 for j in self._jobs.values() if j.owner == owner and j.active) >= self.per_user:
                raise JobLimitError(self.per_user)
            job = Job(owner, name, dry_run, self._folder())
            self._jobs[job.id] = job
            return job

    def discard(self, job):
        """Forget a job that could not be started."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id, owner):
        """Return the job with this id if `owner` started it, else None."""
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def run(self, job, work):
        """Run `work(job)` in a new thread once a worker slot is free."""

        def target():
            with self._slots:
                work(job)

        thread = threading.Thread(target=target, name=f"upload-{job.id[:8]}", daemon=True)
        thread.start()
        return thread


def registry_of(app):
    """Return the app's job registry, configured from UPLOAD_* settings (created with the blueprint)."""
    return app.extensions["staffrec_jobs"]


def make_registry(config):
    """Build the job registry from the app's configuration."""
    return JobRegistry(
        temp_dir=config.get("UPLOAD_TEMP_DIR"),
        ttl=config.get("UPLOAD_JOB_TTL", DEFAULT_TTL),
        workers=config.get("UPLOAD_WORKERS", DEFAULT_WORKERS),
        per_user=config.get("UPLOAD_ACTIVE_PER_USER", DEFAULT_ACTIVE_PER_USER),
    )


def upload_name(filename):
    """Return the file's own name as the browser sent it (old browsers send a Windows path)."""
    return PureWindowsPath(filename or "").name or "未命名文件"


def start_upload(app, user, storage, dry_run, address=None):
    """Save an uploaded FileStorage and start checking (and storing) it as `user`; return the Job.

    `address` (the client's network address) is recorded in the audit entry of every stored file.
    """
    registry = registry_of(app)
    job = registry.create(user.id, upload_name(storage.filename), dry_run)
    try:
        storage.save(job.folder / UPLOAD_FILE)
    except BaseException:
        registry.discard(job)
        raise
    registry.run(job, lambda job: _ingest(app, user, job, address))
    return job


def _ingest(app, user, job, address=None):
    """The worker: ingest the saved upload, keep the bytes of every file read, never leave the job open."""
    job.update(state=RUNNING)
    upload = job.folder / UPLOAD_FILE
    try:
        with app.app_context():
            store = app.extensions["staffrec_store"]
            data = upload.read_bytes()
            results = store.ingest([(job.name, data)], user, dry_run=job.dry_run, progress=job.progress, address=address,
                                   worker=True)
            kept = _keep_read_files(job, data, results)
        job.update(state=DONE, results=tuple(results), kept=kept, done=len(results), total=len(results))
    except Exception as exc:  # noqa: BLE001 - whatever failed, the user gets a message, not a page that waits
        failure = unavailable(exc, "处理已中止")
        if failure is None:
            log.exception("upload job %s (%s) failed", job.id, job.name)
        else:
            log.warning("upload job %s (%s) stopped: %s", job.id, job.name, getattr(exc, "orig", exc))
        note = "" if job.dry_run else FAILED_SUBMIT_NOTE
        first = str(failure) if failure is not None else FAILED_MESSAGE
        job.update(state=FAILED, error=f"{first}{note}{FAILED_CONTACT if failure is None else ''}")
    finally:
        upload.unlink(missing_ok=True)


def _keep_read_files(job, data, results):
    """Write the bytes of every file that was read (it has a report) for its annotated workbook."""
    wanted = {r.name for r in results if r.report is not None}
    if not wanted:
        return {}
    files, _rejected = expand(job.name, data)
    by_name = {name: payload for name, payload in files if name in wanted}
    kept = {}
    for number, result in enumerate(results, start=1):
        payload = by_name.get(result.name) if result.report is not None else None
        if payload is not None:
            path = job.folder / f"{number}.bin"
            try:
                path.write_bytes(payload)
            except OSError:
                # A full temp disk costs the annotated copies, never the results of what was stored.
                log.warning("upload job %s: keeping %s for its annotated workbook failed", job.id, result.name, exc_info=True)
                path.unlink(missing_ok=True)
                break
            kept[number] = path
    return kept


def annotated_download(job, number, catalogue=None):
    """Return (file name, bytes) of the annotated workbook of result `number`, or None."""
    found = job.kept_file(number)
    if found is None:
        return None
    result, path = found
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None  # the job expired between the lookup and now: as if it never existed
    return annotated_name(result.name), annotated_bytes(data, result.report, catalogue)
