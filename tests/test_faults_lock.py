"""The database locked by another writer for longer than the busy timeout: the upload or review is
refused with “系统繁忙”, nothing partial is stored, no page answers 500, and once the lock is gone the
same action succeeds. A lock shorter than the timeout is simply waited out."""

import contextlib
import re
import sqlite3
import threading

import pytest
import staffrec.store.db
from fault_support import (  # noqa: F401 - backend is a fixture
    BUSY, COUNTY_USER, SCHOOLS, assert_consistent, backend, make_store, portal_app, result_items, signed_in,
    upload_of, upload_through, zip_of,
)
from portal_support import csrf_token
from sqlalchemy import text

REVIEW_BUSY = "系统繁忙，未办理，请稍后重试。"
SHORT_TIMEOUT_MS = 300


@contextlib.contextmanager
def held_lock(store):
    """Another writer holding the write lock: BEGIN IMMEDIATE (SQLite), an EXCLUSIVE table lock (PostgreSQL)."""
    if store.engine.dialect.name == "sqlite":
        blocker = sqlite3.connect(store.engine.url.database, timeout=0, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield blocker
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    # EXCLUSIVE blocks every row lock and write on datasets, as SQLite's lock does; plain reads go on.
    with store.engine.connect() as conn:
        conn.begin()
        conn.execute(text("LOCK TABLE datasets IN EXCLUSIVE MODE"))
        try:
            yield conn
        finally:
            conn.rollback()


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setattr(staffrec.store.db, "BUSY_TIMEOUT_MS", SHORT_TIMEOUT_MS)


@pytest.fixture
def store(backend, tmp_path, short_timeout):  # noqa: F811
    store = make_store(backend, tmp_path)
    yield store
    store.engine.dispose()


def uploaded(store, schools):
    files = [upload_of(s) for s in schools]
    assert all(r.accepted for r in store.ingest(files, COUNTY_USER))
    return files


def test_an_ingest_behind_a_held_lock_is_refused_then_succeeds(store):
    archive = zip_of([upload_of(s) for s in SCHOOLS[:2]])
    with held_lock(store):
        results = store.ingest([("新城区.zip", archive)], COUNTY_USER)
    assert [(r.accepted, r.reasons) for r in results] == [(False, (BUSY,))] * 2
    assert assert_consistent(store) == dict.fromkeys(SCHOOLS, "not_uploaded")  # no row, no file
    results = store.ingest([("新城区.zip", archive)], COUNTY_USER)
    assert [(r.accepted, r.version) for r in results] == [(True, 1)] * 2


def test_a_review_behind_a_held_lock_is_refused_then_succeeds(store):
    uploaded(store, SCHOOLS[:3])
    with held_lock(store):
        results = store.review(COUNTY_USER, SCHOOLS[:3], "approve")
    # The first school waited the timeout; the others were not tried (one wait per request, not one per school).
    assert [(r.school_id, r.ok, r.error) for r in results] == [(s, False, REVIEW_BUSY) for s in SCHOOLS[:3]]
    assert [assert_consistent(store)[s] for s in SCHOOLS[:3]] == ["at_county"] * 3
    assert [r.state for r in store.review(COUNTY_USER, SCHOOLS[:3], "approve")] == ["at_city"] * 3
    assert [assert_consistent(store)[s] for s in SCHOOLS[:3]] == ["at_city"] * 3


def test_a_lock_shorter_than_the_timeout_is_waited_out(backend, tmp_path):  # noqa: F811
    store = make_store(backend, tmp_path)  # the shipped busy timeout (30 s)
    lock = held_lock(store)
    lock.__enter__()
    release = threading.Timer(1.0, lock.__exit__, (None, None, None))
    release.start()
    try:
        (result,) = store.ingest([upload_of(SCHOOLS[0])], COUNTY_USER)
    finally:
        release.join()
    assert (result.accepted, result.version) == (True, 1)
    assert_consistent(store)
    store.engine.dispose()


# --- the portal ---------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path, short_timeout):
    app = portal_app(tmp_path)
    yield app
    app.extensions["staffrec_store"].engine.dispose()


def post(client, url, page="/datasets/queue", **data):
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, page)))


def test_an_upload_behind_a_held_lock_says_busy(app):
    store = app.extensions["staffrec_store"]
    client = signed_in(app)
    archive = zip_of([upload_of(s) for s in SCHOOLS[:2]])
    with held_lock(store):
        _response, status, page = upload_through(client, "新城区.zip", archive)
    assert (status["state"], status["accepted"], status["rejected"]) == ("done", 0, 2)
    assert all(kind == "rejected" and BUSY in line for kind, line in result_items(page).values())
    assert assert_consistent(store) == dict.fromkeys(SCHOOLS, "not_uploaded")
    _response, status, page = upload_through(client, "新城区.zip", archive)
    assert (status["accepted"], status["rejected"]) == (2, 0)


def test_review_actions_behind_a_held_lock_say_busy(app):
    store = app.extensions["staffrec_store"]
    uploaded(store, SCHOOLS[:3])
    client = signed_in(app)
    with held_lock(store):
        bulk = post(client, "/datasets/bulk", school_id=SCHOOLS[:2], action="approve", reason="")
        one = post(client, f"/datasets/{SCHOOLS[2]}/act", action="approve", reason="")
        flashed = client.get(f"/datasets/{SCHOOLS[2]}").get_data(as_text=True)
    page = bulk.get_data(as_text=True)
    assert bulk.status_code == 200 and page.count(REVIEW_BUSY) == 2 and "办理 0 所" in page
    assert one.status_code == 302 and REVIEW_BUSY in flashed
    assert [assert_consistent(store)[s] for s in SCHOOLS[:3]] == ["at_county"] * 3
    page = post(client, "/datasets/bulk", school_id=SCHOOLS[:3], action="approve", reason="").get_data(as_text=True)
    assert "办理 3 所" in page
    assert [assert_consistent(store)[s] for s in SCHOOLS[:3]] == ["at_city"] * 3


def test_a_page_whose_write_meets_the_lock_answers_503_in_chinese(app):
    store = app.extensions["staffrec_store"]
    client = signed_in(app, "自治区")
    with held_lock(store):
        response = post(client, "/export/", page="/export/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "系统繁忙" in page and "请稍后重试" in page and "Traceback" not in page and "OperationalError" not in page
    assert re.search(r"<h1>系统繁忙</h1>", page)
    response = post(client, "/export/", page="/export/")
    assert response.status_code == 200 and response.mimetype == "application/zip"


def test_a_job_stopped_by_a_busy_database_says_busy(app, monkeypatch):
    import staffrec.store.ingestion
    from sqlalchemy.exc import OperationalError

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    client = signed_in(app)
    monkeypatch.setattr(staffrec.store.ingestion, "_registry", locked)
    _response, status, page = upload_through(client, "新城区.zip", zip_of([upload_of(SCHOOLS[0])]))
    assert status["state"] == "failed" and status["error"].startswith("系统繁忙，处理已中止，请稍后重试。")
    assert "系统繁忙" in page and "已提交为" not in page
