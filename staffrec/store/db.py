"""Opening the database: SQLite (WAL, busy timeout) by default, PostgreSQL by URL, one code path."""

import os
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text

from ..errors import StaffrecError

from .schema import metadata

DEFAULT_URL = "sqlite:///instance/staffrec.db"
BUSY_TIMEOUT_MS = 30_000
# The audit log is append-only: the database itself refuses to change or drop its rows.
_APPEND_ONLY = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
}


class DatabaseError(StaffrecError, RuntimeError):
    """The database cannot be used: unknown URL or driver, unreachable, or not initialised."""


def database_url(url=None):
    """Return the URL given, else $STAFFREC_DATABASE_URL, else the embedded SQLite file."""
    return url or os.environ.get("STAFFREC_DATABASE_URL") or DEFAULT_URL


WRITE = "staffrec_write"


def _sqlite_pragmas(dbapi_connection, _record):
    """Set WAL, a busy timeout and foreign keys on every new SQLite connection."""
    # The driver's own BEGIN comes only before the first write, after our reads of state and
    # version numbers; we issue BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: an upload we reported as stored survives a power cut.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(conn):
    """Begin write transactions IMMEDIATE: one writer at a time, its reads already inside the lock."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def writer(engine):
    """Return the engine to open write transactions with (SQLite locks at BEGIN; PostgreSQL uses row locks)."""
    return engine.execution_options(**{WRITE: True})


def make_engine(url=None):
    """Create the engine for a database URL (a SQLite file's folder is created if missing).

    hide_parameters: a failed statement's error, and so the log, never shows the staff names and
    ID numbers it was writing.
    """
    url = database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Staff ID numbers live in this file: create it readable by the owner only.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        if url.startswith("postgresql"):
            # Like SQLite's busy timeout: a statement waits this long for another writer's lock, then
            # fails (lock_not_available) instead of holding the request forever.
            options = {"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"}
            return create_engine(url, pool_pre_ping=True, connect_args=options, hide_parameters=True)
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except ImportError as exc:
        raise DatabaseError(f"不支持的数据库或缺少驱动（{url.split(':', 1)[0]}）：请使用 sqlite 或 postgresql+psycopg。") from exc


def require_schema(engine):
    """Raise DatabaseError unless `staffrec db init` has created the tables (all of this version's)."""
    missing = missing_tables(engine)
    if "datasets" in missing:
        raise DatabaseError("数据库尚未初始化，请先运行 staffrec db init --registry 学校名单.csv。")
    if missing:
        raise DatabaseError(
            f"数据库缺少本版本新增的表（{'、'.join(missing)}），请运行 staffrec db init 补建（已有数据不变）。"
        )


def missing_tables(engine):
    """Return the names of this version's tables the database does not have yet."""
    present = set(inspect(engine).get_table_names())
    return [name for name in metadata.tables if name not in present]


def upgrade_schema(engine):
    """Add the tables a newer version brings to a database that has been initialised; return their names."""
    missing = missing_tables(engine)
    if missing and "datasets" not in missing:
        create_schema(engine)  # creates only what is missing; existing tables and rows stay as they are
        return missing
    return []


def create_schema(engine):
    """Create every table (idempotent) and the append-only guard of the audit log."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        for statement in _APPEND_ONLY.get(engine.dialect.name, ()):
            conn.execute(text(statement))


def drop_schema(engine):
    """Drop every table (tests and re-initialisation only)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"))
    metadata.drop_all(engine)
