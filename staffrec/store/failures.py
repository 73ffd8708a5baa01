"""Failures that are nobody's mistake: the database is busy (another writer holds it) or the disk is full.

Nothing was stored when one of these is raised (the transaction rolled back); the same action succeeds
once the other writer is done or space is freed, so users are told to try again later.
"""

import errno

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .db import DatabaseError

BUSY, FULL = "busy", "full"
_MESSAGES = {
    BUSY: "系统繁忙，{outcome}，请稍后重试。",
    FULL: "服务器磁盘空间不足，{outcome}，请稍后重试或联系管理员。",
}
# SQLite result codes (the low byte of sqlite3.Error.sqlite_errorcode).
_SQLITE = {5: BUSY, 6: BUSY, 13: FULL}  # SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL
_SQLITE_TEXT = {"database is locked": BUSY, "database table is locked": BUSY, "database or disk is full": FULL}
# PostgreSQL SQLSTATEs: lock_not_available, deadlock, serialization failure, too many connections; disk_full.
_POSTGRES = {"55P03": BUSY, "40P01": BUSY, "40001": BUSY, "53300": BUSY, "53100": FULL}
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class StoreUnavailableError(DatabaseError):
    """The database is busy or the disk is full: nothing was stored, try again later.

    `reason` is BUSY or FULL; str() is a Chinese message for the user.
    """

    def __init__(self, reason, outcome="操作未完成"):
        super().__init__(_MESSAGES[reason].format(outcome=outcome))
        self.reason = reason


def unavailable_reason(exc):
    """Return BUSY or FULL when `exc` says the database is busy or the disk is full, else None."""
    if isinstance(exc, StoreUnavailableError):
        return exc.reason
    if isinstance(exc, PoolTimeout):  # every pooled connection in use for the whole pool timeout
        return BUSY
    if isinstance(exc, OSError):
        return FULL if exc.errno in _DISK_FULL else None
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _SQLITE:
        return _SQLITE[code & 0xFF]
    state = getattr(orig, "sqlstate", None)
    if state in _POSTGRES:
        return _POSTGRES[state]
    return _SQLITE_TEXT.get(str(orig).strip().lower())


def unavailable(exc, outcome="操作未完成"):
    """Return a StoreUnavailableError for a busy database or a full disk, else None."""
    reason = unavailable_reason(exc)
    return None if reason is None else StoreUnavailableError(reason, outcome)
