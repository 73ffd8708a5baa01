"""The disk full while a file is stored: that file is refused with a Chinese message, nothing of it is
kept (no row, no file, no temp file), the other files of the batch are stored, and the portal says so."""

import errno
import os

import pytest
from fault_support import (  # noqa: F401 - backend is a fixture
    COUNTY_USER, DISK_FULL, SCHOOLS, assert_consistent, backend, install_faulty_os, make_store, portal_app,
    refuse_records, result_items, signed_in, store_files, upload_of, upload_through, zip_of,
)
from sqlalchemy import event, text

from staffrec.store.filestore import file_hash

STAGES = ("create", "write", "fsync", "rename", "dirsync")


@pytest.fixture
def store(backend, tmp_path):  # noqa: F811
    store = make_store(backend, tmp_path)
    yield store
    store.engine.dispose()


def batch(big=None):
    """Three schools' files and their ZIP; the second file has `big` records when given."""
    files = [upload_of(SCHOOLS[0]), upload_of(SCHOOLS[1], count=big or 3), upload_of(SCHOOLS[2])]
    return files, zip_of(files)


def outcome(results):
    return [(r.name[:10], r.accepted, r.version, r.reasons) for r in results]


REFUSED_SECOND = [(SCHOOLS[0], True, 1, ()), (SCHOOLS[1], False, None, (DISK_FULL,)), (SCHOOLS[2], True, 1, ())]


@pytest.mark.parametrize("stage", STAGES)
def test_the_file_store_full_refuses_that_file_only(store, monkeypatch, stage):
    files, archive = batch()
    faulty = install_faulty_os(monkeypatch, stage, nth=2)
    results = store.ingest([("新城区.zip", archive)], COUNTY_USER)
    assert faulty.failed == 1
    assert outcome(results) == REFUSED_SECOND
    states = assert_consistent(store)  # no row without its file, no file or temp file without a row
    assert [states[s] for s in SCHOOLS[:3]] == ["at_county", "not_uploaded", "at_county"]
    # Space is back: the same file goes in as the school's first version.
    monkeypatch.undo()
    (again,) = store.ingest([files[1]], COUNTY_USER)
    assert (again.accepted, again.version) == (True, 1)
    assert assert_consistent(store)[SCHOOLS[1]] == "at_county"


def test_the_database_full_refuses_that_file_only(store):
    files, archive = batch(big=300)
    if store.engine.dialect.name == "sqlite":
        # A real SQLITE_FULL: room for the small files (a few pages each), not for 300 records.
        with store.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        event.listen(store.engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA max_page_count={pages + 60}"))
        store.engine.dispose()
    else:
        refuse_records(store, [SCHOOLS[1]])
    results = store.ingest([("新城区.zip", archive)], COUNTY_USER)
    assert outcome(results) == REFUSED_SECOND
    states = assert_consistent(store)  # the refused file's bytes were taken out of the file store again
    assert [states[s] for s in SCHOOLS[:3]] == ["at_county", "not_uploaded", "at_county"]


def test_a_refused_resubmission_keeps_the_file_of_the_stored_version(store):
    first = upload_of(SCHOOLS[1])
    (stored,) = store.ingest([first], COUNTY_USER)
    assert stored.version == 1
    refuse_records(store, [SCHOOLS[1]])
    # The same bytes again while the disk is full: refused, and the file version 1 names stays.
    (again,) = store.ingest([first], COUNTY_USER)
    assert (again.accepted, again.reasons) == (False, (DISK_FULL,))
    assert assert_consistent(store)[SCHOOLS[1]] == "at_county"
    assert len(store_files(store.files.root)[0]) == 1


def _driver_error(store, disconnect=False):
    """The driver's own error for a full disk (or, `disconnect` on SQLite, for a connection gone)."""
    if store.engine.dialect.name == "sqlite":
        import sqlite3

        return (sqlite3.ProgrammingError("Cannot operate on a closed database.") if disconnect
                else sqlite3.OperationalError("database or disk is full"))
    import psycopg

    return psycopg.errors.DiskFull("could not extend file: No space left on device")


def fail_late(store, monkeypatch, where, school_ids, disconnect=False, meanwhile=None):
    """Make the first transaction storing one of `school_ids` fail after its rows and file were written.

    where: "duplicates" (the duplicate search of the new version raises) or "commit" (the COMMIT
    itself fails: the driver rolls back, then raises). `meanwhile()` runs between the failed
    transaction's end and the error reaching the ingest (another upload getting in).
    """
    from sqlalchemy.exc import OperationalError

    from staffrec.store import ingestion

    real_duplicates, dialect = ingestion.duplicates_of, store.writer.dialect
    real_commit, pending, fired = dialect.do_commit, [], []

    def duplicates_of(conn, school_id, actor):
        if school_id in school_ids and not fired:
            if where == "duplicates":
                fired.append(school_id)
                raise OperationalError("SELECT", {}, _driver_error(store))
            pending.append(school_id)
        return real_duplicates(conn, school_id, actor)

    def do_commit(dbapi_connection):
        if pending and not fired:
            fired.append(pending.pop())
            if disconnect and store.engine.dialect.name == "postgresql":
                # A real lost connection: the server ends the session, the COMMIT finds it gone.
                pid = dbapi_connection.dbapi_connection.info.backend_pid
                with store.engine.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                return real_commit(dbapi_connection)
            dbapi_connection.rollback()
            if meanwhile is not None:
                meanwhile()
            raise _driver_error(store, disconnect)
        return real_commit(dbapi_connection)

    monkeypatch.setattr(ingestion, "duplicates_of", duplicates_of)
    monkeypatch.setattr(dialect, "do_commit", do_commit)


@pytest.mark.parametrize("where", ["duplicates", "commit"])
def test_a_failure_late_in_the_transaction_leaves_no_file(store, monkeypatch, where):
    """A full disk after the rows and the file were written (with WAL, most likely at COMMIT) keeps nothing."""
    _files, archive = batch()
    fail_late(store, monkeypatch, where, [SCHOOLS[1]])
    results = store.ingest([("新城区.zip", archive)], COUNTY_USER)
    assert outcome(results) == REFUSED_SECOND
    states = assert_consistent(store)  # the refused file's bytes were taken out of the file store again
    assert [states[s] for s in SCHOOLS[:3]] == ["at_county", "not_uploaded", "at_county"]


def test_a_late_failure_of_a_resubmission_keeps_the_file_of_the_stored_version(store, monkeypatch):
    first = upload_of(SCHOOLS[1])
    assert store.ingest([first], COUNTY_USER)[0].version == 1
    fail_late(store, monkeypatch, "commit", [SCHOOLS[1]])
    (again,) = store.ingest([first], COUNTY_USER)
    assert (again.accepted, again.reasons) == (False, (DISK_FULL,))
    assert assert_consistent(store)[SCHOOLS[1]] == "at_county"
    assert len(store_files(store.files.root)[0]) == 1


def test_a_file_another_upload_named_meanwhile_is_kept(store, monkeypatch):
    """The failed transaction no longer holds the school's lock: the same bytes may be stored meanwhile."""
    upload = upload_of(SCHOOLS[1])
    meanwhile = []

    def other_upload():  # the same file, by another request, right after the failed transaction ended
        meanwhile.extend(store.ingest([upload], COUNTY_USER))

    fail_late(store, monkeypatch, "commit", [SCHOOLS[1]], meanwhile=other_upload)
    (refused,) = store.ingest([upload], COUNTY_USER)
    assert (refused.accepted, refused.reasons) == (False, (DISK_FULL,))
    assert [(r.accepted, r.version) for r in meanwhile] == [(True, 1)]
    assert assert_consistent(store)[SCHOOLS[1]] == "at_county"  # version 1's file is there


def test_a_connection_lost_at_commit_keeps_the_file(store, monkeypatch):
    """Outcome unknown (the COMMIT may have gone through): the file stays; a file without a row is harmless."""
    upload = upload_of(SCHOOLS[1])
    fail_late(store, monkeypatch, "commit", [SCHOOLS[1]], disconnect=True)
    (refused,) = store.ingest([upload], COUNTY_USER)
    assert not refused.accepted
    assert assert_consistent(store, orphans_allowed=True)[SCHOOLS[1]] == "not_uploaded"
    assert store_files(store.files.root) == ({file_hash(upload[1])}, [])
    monkeypatch.undo()
    (again,) = store.ingest([upload], COUNTY_USER)  # the same upload again names the kept file
    assert (again.accepted, again.version) == (True, 1)
    assert assert_consistent(store)[SCHOOLS[1]] == "at_county"


def test_the_upload_page_shows_the_refused_file_and_no_success(tmp_path, monkeypatch):
    app = portal_app(tmp_path)
    client = signed_in(app)
    _files, archive = batch()
    install_faulty_os(monkeypatch, "write", nth=2)
    _response, status, page = upload_through(client, "新城区.zip", archive)
    assert (status["state"], status["accepted"], status["rejected"]) == ("done", 2, 1)
    items = result_items(page)
    kind, line = items[SCHOOLS[1]]
    assert kind == "rejected" and "未通过，未提交" in line and DISK_FULL in line
    assert "已提交" not in line.replace("未提交", "") and "已通过" not in line
    assert [items[s][0] for s in (SCHOOLS[0], SCHOOLS[2])] == ["accepted", "accepted"]
    assert_consistent(app.extensions["staffrec_store"])


def test_the_upload_page_shows_a_full_database(tmp_path):
    app = portal_app(tmp_path)
    client = signed_in(app)
    refuse_records(app.extensions["staffrec_store"], [SCHOOLS[1]])
    _response, status, page = upload_through(client, "新城区.zip", batch()[1])
    assert (status["accepted"], status["rejected"]) == (2, 1)
    assert DISK_FULL in result_items(page)[SCHOOLS[1]][1]
    assert_consistent(app.extensions["staffrec_store"])


def test_no_room_for_the_upload_itself_answers_503_and_starts_nothing(tmp_path, monkeypatch):
    from werkzeug.datastructures import FileStorage

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    app = portal_app(tmp_path)
    client = signed_in(app)
    monkeypatch.setattr(FileStorage, "save", full)
    response, status, page = upload_through(client, "新城区.zip", batch()[1])
    assert response.status_code == 503 and status is None
    assert "服务器磁盘空间不足" in page and "Traceback" not in page
    assert assert_consistent(app.extensions["staffrec_store"]) == dict.fromkeys(SCHOOLS, "not_uploaded")


def test_no_room_for_the_annotated_copies_still_shows_the_results(tmp_path, monkeypatch):
    import pathlib

    real = pathlib.Path.write_bytes

    def full(self, data):
        if self.suffix == ".bin":  # the job's kept copies for annotated workbooks
            real(self, data[:10])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    app = portal_app(tmp_path)
    client = signed_in(app)
    monkeypatch.setattr(pathlib.Path, "write_bytes", full)
    _response, status, page = upload_through(client, "新城区.zip", batch()[1])
    assert (status["state"], status["accepted"], status["rejected"]) == ("done", 3, 0)
    assert "已提交为第 1 版" in page and "下载标注工作簿" not in page
    assert not list((tmp_path / "uploads").rglob("*.bin"))
    assert_consistent(app.extensions["staffrec_store"])


def test_only_stale_temp_files_are_removed(tmp_path):
    from staffrec.store.filestore import STALE_TEMP_SECONDS, FileStore

    files = FileStore(tmp_path)
    digest = files.put(b"kept")
    folder = files.path(digest).parent
    stale, fresh = folder / f".{digest}.a.tmp", folder / f".{digest}.b.tmp"
    stale.write_bytes(b"left by a killed writer")
    fresh.write_bytes(b"being written right now")
    os.utime(stale, (stale.stat().st_mtime - STALE_TEMP_SECONDS - 60,) * 2)
    assert files.remove_stale_temp() == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted([digest, fresh.name])
