"""Opening the database: SQLite (WAL, busy timeout) by default, PostgreSQL by URL, one code path."""

import os
from pathlib import Path

from sqlalchemy import create_engine, event, text

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


def database_url(url=None):
    """Return the URL given, else $STAFFREC_DATABASE_URL, else the embedded SQLite file."""
    return url or os.environ.get("STAFFREC_DATABASE_URL") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection, _record):
    """Set WAL, a busy timeout and foreign keys on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url=None):
    """Create the engine for a database URL (a SQLite file's folder is created if missing)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


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
