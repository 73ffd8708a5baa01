"""The temporary folders of upload jobs, and removing those a killed portal process left behind.

A process killed (SIGKILL, a crash, a power cut) removes nothing, and these folders hold the uploads
(staff names and ID numbers): the portal removes the `staffrec-uploads-*` folders in which nothing
changed for the job TTL when it starts, and again at most once per TTL while it runs.
"""

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_TTL = 3600  # seconds a finished job's results stay (UPLOAD_JOB_TTL)
ROOT_PREFIX = "staffrec-uploads-"  # the folder of one process's jobs, in UPLOAD_TEMP_DIR

_ROOTS_IN_USE = set()  # the roots of this process's registries: their jobs may be live
_ROOTS_LOCK = threading.Lock()


def claim_root(temp_dir=None):
    """Create this process's folder for upload jobs in `temp_dir` (the system's by default) and return it."""
    root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX, dir=temp_dir))
    with _ROOTS_LOCK:
        _ROOTS_IN_USE.add(root)
    return root


def release_root(root):
    """Remove a folder claim_root made (a registry going away, the process exiting normally)."""
    with _ROOTS_LOCK:
        _ROOTS_IN_USE.discard(root)
    shutil.rmtree(root, ignore_errors=True)


def _last_change(folder):
    """Return the latest modification time of a folder and of everything in it."""
    latest = folder.lstat().st_mtime
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            try:
                latest = max(latest, os.lstat(os.path.join(parent, name)).st_mtime)
            except FileNotFoundError:
                continue
    return latest


def remove_stale_uploads(temp_dir=None, ttl=DEFAULT_TTL):
    """Remove the job folders of processes that ended without cleaning up; return how many were removed.

    `weakref.finalize` runs on a normal exit only: after a SIGKILL the upload and its kept copies (staff
    names and ID numbers) would stay on disk for good. A `staffrec-uploads-*` folder of ours in which
    nothing changed for `ttl` seconds goes: a live job's folder changes when the job starts and when it
    finishes, and a finished job expires `ttl` after that. The roots of this process are never removed.
    One portal process is the documented model; another one running a single job for longer than the
    TTL would lose its files (its job then fails with a message, nothing half-stored).
    """
    base = Path(temp_dir or tempfile.gettempdir())
    with _ROOTS_LOCK:
        in_use = set(_ROOTS_IN_USE)
    uid = os.getuid() if hasattr(os, "getuid") else None
    cutoff, removed = time.time() - ttl, 0
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(ROOT_PREFIX)]
    except OSError:
        return 0
    for root in candidates:
        try:
            info = root.lstat()
            mine = uid is None or info.st_uid == uid
            if root in in_use or not mine or not root.is_dir() or root.is_symlink() or _last_change(root) >= cutoff:
                continue
        except OSError:
            continue
        shutil.rmtree(root, ignore_errors=True)
        removed += not root.exists()
    return removed
