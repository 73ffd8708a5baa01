"""Helpers of the fault tests: a one-county registry, uploads, a faulty `os` for the file store, and a
check that the store is consistent (every row has its file and its audit entry, nothing half-stored)."""

import errno
import http.client
import io
import json
import os
import stat
import urllib.parse
import uuid

import pytest
from sqlalchemy import select

from bench.load_client import remember_cookie
from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.distribute import zip_bytes
from staffrec.registry import parse_registry
from staffrec.store import Store
from staffrec.store.consistency import check_consistency, stored_files
from staffrec.store.db import drop_schema
from staffrec.store.filestore import FileStore
from staffrec.store.schema import datasets

SCHOOLS = [f"21150000{n:02d}" for n in range(1, 7)]
REGISTRY = "学校标识码,学校名称,学校类别,所在旗县代码,办学性质\n" + "".join(
    f"{school},新城区第{n}小学,21,150102,1\n" for n, school in enumerate(SCHOOLS, start=1)
)
COUNTY_USER = "新城区"
SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}
DISK_FULL = "服务器磁盘空间不足，文件未保存，请稍后重试或联系管理员。"
BUSY = "系统繁忙，文件未保存，请稍后重试。"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("STAFFREC_TEST_DATABASE_URL") else [])


def county_registry():
    return parse_registry(REGISTRY)


def make_store(backend, tmp_path):
    """A fresh store of the one-county registry with the county's user (password PASSWORD)."""
    url = f"sqlite:///{tmp_path}/store.db" if backend == "sqlite" else os.environ["STAFFREC_TEST_DATABASE_URL"]
    store = Store(url, tmp_path / "files")
    drop_schema(store.engine)
    store.init(county_registry())
    store.add_user(COUNTY_USER, "county", "150102", password=PASSWORD)
    return store


PASSWORD = "test-password"


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def upload_of(school_id, count=3, seed=0):
    """(file name, bytes) of a valid filled template of a registry school."""
    school = county_registry().get(school_id)
    template = new_template(school, demo_records(school, count, seed=seed), signoff=SIGNOFF)
    return template.file_name(), template.to_bytes()


zip_of = zip_bytes  # a ZIP of (name, bytes) pairs, packed as staffrec packs its own


class FaultyOs:
    """Stands in for `os` inside staffrec.files: the `nth` file written fails at `stage` with ENOSPC.

    Stages: "create" (the temp file cannot be made), "write" (half the bytes written, then full),
    "fsync" (the file's fsync), "rename", "dirsync" (the folder's fsync after the rename).
    `tempfile` is replaced by the same object, so file number n is the n-th mkstemp call.
    """

    def __init__(self, stage, nth=1):
        self.stage, self.nth, self.started, self.failed = stage, nth, 0, 0

    def __getattr__(self, name):
        return getattr(os, name)

    def _fail(self, stage):
        if self.stage == stage and self.started == self.nth:
            self.failed += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def mkstemp(self, *args, **kwargs):
        import tempfile

        self.started += 1
        self._fail("create")
        return tempfile.mkstemp(*args, **kwargs)

    def fdopen(self, fd, *args, **kwargs):
        handle = os.fdopen(fd, *args, **kwargs)
        return _HalfWriter(handle, self) if self.stage == "write" and self.started == self.nth else handle

    def fsync(self, fd):
        self._fail("dirsync" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync")
        return os.fsync(fd)

    def replace(self, src, dst):
        self._fail("rename")
        return os.replace(src, dst)


class _HalfWriter:
    """A file whose write stores half the bytes and then finds the disk full."""

    def __init__(self, handle, faulty):
        self._handle, self._faulty = handle, faulty

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def write(self, data):
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        self._faulty._fail("write")


def install_faulty_os(monkeypatch, stage, nth=1):
    """Make the nth file the file store writes fail at `stage`; return the FaultyOs."""
    import staffrec.files

    faulty = FaultyOs(stage, nth)
    monkeypatch.setattr(staffrec.files, "os", faulty)
    monkeypatch.setattr(staffrec.files, "tempfile", faulty)
    return faulty


def store_files(root):
    """Return (blobs, temp files) under a file store's root: names of complete files, paths of the rest."""
    return stored_files(FileStore(root))


def assert_consistent(store, orphans_allowed=False):
    """Assert the store holds only whole uploads and review steps (staffrec.store.consistency); return {school: state}.

    Unless `orphans_allowed` (a killed process may leave a file it never got to name in a row), no
    file or temp file exists without a row either.
    """
    problems = check_consistency(store.engine, store.files, unnamed_files=not orphans_allowed)
    assert not problems, "\n".join(problems)
    with store.engine.connect() as conn:
        return dict(conn.execute(select(datasets.c.school_id, datasets.c.state)).all())


def refuse_records(store, school_ids):
    """Make storing the records of these schools fail as on a full disk (PostgreSQL: SQLSTATE disk_full)."""
    if store.engine.dialect.name == "sqlite":
        import sqlite3

        from sqlalchemy import event

        def full(_conn, _cursor, statement, params, _context, _many):
            rows = params if isinstance(params, list) else [params]
            if statement.startswith("INSERT INTO records") and any(r[2] in school_ids for r in rows):
                raise sqlite3.OperationalError("database or disk is full")

        event.listen(store.engine, "before_cursor_execute", full)
        return
    from sqlalchemy import text

    wanted = ", ".join(f"'{s}'" for s in school_ids)
    with store.engine.begin() as conn:
        conn.execute(text(
            "CREATE OR REPLACE FUNCTION records_disk_full() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.school_id IN ({wanted}) THEN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"
        ))
        conn.execute(text("CREATE TRIGGER records_disk_full BEFORE INSERT ON records "
                          "FOR EACH ROW EXECUTE FUNCTION records_disk_full()"))


def portal_app(tmp_path, **config):
    """The portal over a fresh SQLite store of the one-county registry, with the county's user."""
    from portal import create_app

    app = create_app(dict(
        TESTING=True, SECRET_KEY="test", DATABASE_URL=f"sqlite:///{tmp_path}/portal.db", FILES=str(tmp_path / "files"),
        SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, UPLOAD_TEMP_DIR=str(tmp_path / "uploads"),
        **config,
    ))
    store = app.extensions["staffrec_store"]
    store.init(county_registry())
    store.add_user(COUNTY_USER, "county", "150102", password=PASSWORD)
    store.add_user("呼和浩特市", "city", "150100", password=PASSWORD)
    store.add_user("自治区", "region", "150000", password=PASSWORD)
    return app


def signed_in(app, name=COUNTY_USER):
    """A test client of `app` signed in as `name`."""
    from portal_support import csrf_token

    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def upload_through(client, name, data, timeout=60):
    """Submit an upload through the form, wait for its job; return (post response, status, page text)."""
    import time

    from portal_support import csrf_token

    token = csrf_token(client, "/uploads/new")
    response = client.post(
        "/uploads/new", data={"csrf_token": token, "mode": "submit", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    if response.status_code != 302:
        return response, None, response.get_data(as_text=True)
    job_url = response.headers["Location"]
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"{job_url}/status").get_json()
        if status["finished"]:
            break
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    page = client.get(job_url)
    assert page.status_code == 200
    return response, status, page.get_data(as_text=True)


def result_items(page):
    """The job page's result lines: {first 10 characters of the file name: text of its <li>}."""
    import re

    items = re.findall(r'<li class="result (\w+)">(.*?)</li>', page, re.S)
    out = {}
    for kind, body in items:
        name = re.search(r"<strong>(.*?)</strong>", body).group(1)
        out[name[:10]] = (kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
    return out


class HttpResponse:
    """What HttpSession returns: status_code, headers (case-insensitive), text, json()."""

    def __init__(self, status, headers, content):
        self.status_code, self.headers, self.content = status, headers, content

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


class HttpSession:
    """A tiny browser-like HTTP client over http.client (no third-party package): cookies kept, redirects
    not followed, one connection per request. A dead server raises one of HttpSession.ERRORS."""

    ERRORS = (OSError, http.client.HTTPException)

    def __init__(self, timeout=60):
        self.timeout, self.cookies = timeout, {}

    def get(self, url, timeout=None):
        return self.request("GET", url, timeout=timeout)

    def post(self, url, data=None, files=None, timeout=None):
        """POST `data` ({name: value or list of values}) as a form, multipart when `files` ({name: (filename,
        bytes, content type)}) is given."""
        if not files:
            body = urllib.parse.urlencode(data or {}, doseq=True).encode("utf-8")
            return self.request("POST", url, body, "application/x-www-form-urlencoded", timeout)
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode("utf-8")
                 for k, values in (data or {}).items() for v in (values if isinstance(values, list) else [values])]
        for field, (filename, payload, kind) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                         f"Content-Type: {kind}\r\n\r\n".encode("utf-8") + payload + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode("ascii"))
        return self.request("POST", url, b"".join(parts), f"multipart/form-data; boundary={boundary}", timeout)

    def request(self, method, url, body=None, content_type=None, timeout=None):
        parts = urllib.parse.urlsplit(url)
        headers = {"Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout or self.timeout)
        try:
            conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or ():
            remember_cookie(self.cookies, header)
        return HttpResponse(response.status, response.msg, content)
