"""Uploaded files kept byte for byte, content-addressed, written atomically outside any web root."""

import hashlib
import os
import re
import time
from pathlib import Path

from ..files import atomic_write

DEFAULT_ROOT = "instance/files"
# No write of one file takes this long: a temp file older than this was left by a killed process.
STALE_TEMP_SECONDS = 3600
_DIGEST = re.compile(r"[0-9a-f]{64}")


def file_hash(data):
    """Return the SHA-256 hex digest that names a stored file."""
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """A folder of files named by their SHA-256, two levels of fan-out."""

    def __init__(self, root=None):
        self.root = Path(root or os.environ.get("STAFFREC_FILES") or DEFAULT_ROOT)

    def path(self, digest):
        """Return where the file with this digest lives; ValueError for anything but a SHA-256 hex."""
        if not _DIGEST.fullmatch(digest):
            raise ValueError(f"not a SHA-256 digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data):
        """Store bytes (once per content, readable by the owner only) and return their digest."""
        digest = file_hash(data)
        path = self.path(digest)
        if not path.exists():
            # Staff ID numbers live in these files: owner-only folders and files.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(path, data, mode=0o600)
        return digest

    def discard(self, digest):
        """Remove a file no database row names (best effort: a leftover is unused, never wrong)."""
        try:
            self.path(digest).unlink(missing_ok=True)
        except OSError:
            pass

    def remove_stale_temp(self, older_than=STALE_TEMP_SECONDS):
        """Remove temp files a killed writer left behind (never renamed, so no row names them); return how many."""
        cutoff, removed = time.time() - older_than, 0
        for path in self.root.glob("??/??/.*.tmp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def get(self, digest):
        """Return the stored bytes of a digest; FileNotFoundError when absent."""
        return self.path(digest).read_bytes()

    def __contains__(self, digest):
        return self.path(digest).exists()
