"""The portal killed (SIGKILL) mid-upload and mid-review under waitress, then started again.

After the restart the store is consistent (every version has its file, its upload event and audit
entry; every school is fully at its old or its new state), the user was never told “success” for what
was not stored (the old job page says the job no longer exists), the killed job's upload folder (staff
data) is removed once it is older than the job TTL, and the same upload or review works.
"""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fault_support import (
    COUNTY_USER, PASSWORD, SCHOOLS, HttpSession, assert_consistent, county_registry, store_files, upload_of, zip_of,
)

from portal.jobs import JobRegistry
from portal.upload_folders import DEFAULT_TTL, ROOT_PREFIX, remove_stale_uploads
from staffrec.store import Store

SERVER = Path(__file__).with_name("fault_server.py")
TIMEOUT = 60
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Portal:
    """A portal process under waitress (tests/fault_server.py), optionally stopping at `point`."""

    def __init__(self, tmp_path, point=None):
        env = {k: v for k, v in os.environ.items() if k != "STAFFREC_INGEST_WORKER"}
        args = [sys.executable, str(SERVER), str(tmp_path / "portal.json")] + ([point] if point else [])
        self._log = open(tmp_path / f"server-{point or 'plain'}.log", "ab")  # noqa: SIM115 - closed in kill()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log, text=True, env=env)
        self._lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        port = self.wait_for("PORT ").split()[1]
        self.url = f"http://127.0.0.1:{port}"

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def wait_for(self, prefix):
        """Return the first output line starting with `prefix` (the process must print it within TIMEOUT)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, f"server exited before printing {prefix!r}"
            if line.startswith(prefix):
                return line

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(TIMEOUT)
        self._log.close()


@pytest.fixture
def instance(tmp_path):
    """A store of the one-county registry, its users, and the portal configuration over it."""
    config = dict(
        SECRET_KEY="kill-test", DATABASE_URL=f"sqlite:///{tmp_path}/store.db", FILES=str(tmp_path / "files"),
        SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, UPLOAD_TEMP_DIR=str(tmp_path / "uploads"),
    )
    (tmp_path / "portal.json").write_text(json.dumps(config), encoding="utf-8")
    store = Store(config["DATABASE_URL"], config["FILES"])
    store.init(county_registry())
    store.add_user(COUNTY_USER, "county", "150102", password=PASSWORD)
    portals = []

    def start(point=None):
        portals.append(Portal(tmp_path, point))
        return portals[-1]

    yield store, start
    for portal in portals:
        portal.kill()
    store.engine.dispose()


def token(session, url):
    match = TOKEN.search(session.get(url).text)
    assert match, url
    return match.group(1)


def sign_in(portal, session=None):
    session = session or HttpSession(TIMEOUT)
    data = {"name": COUNTY_USER, "password": PASSWORD, "csrf_token": token(session, f"{portal.url}/auth/login")}
    response = session.post(f"{portal.url}/auth/login", data=data)
    assert response.status_code == 302, response.text
    return session


def start_upload(portal, session, name, data):
    """Submit an upload; return the job page's path."""
    form = {"csrf_token": token(session, f"{portal.url}/uploads/new"), "mode": "submit"}
    response = session.post(f"{portal.url}/uploads/new", data=form, files={"file": (name, data, "application/zip")})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def finished_status(portal, session, job):
    deadline = time.monotonic() + TIMEOUT
    while True:
        status = session.get(f"{portal.url}{job}/status").json()
        if status["finished"]:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.1)


def upload_folders(tmp_path):
    """The job folders of portal processes under the test's UPLOAD_TEMP_DIR."""
    return sorted((tmp_path / "uploads").glob(f"{ROOT_PREFIX}*"))


def age(folder, seconds):
    """Make a folder and everything in it look last changed `seconds` ago."""
    when = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (when, when), follow_symlinks=False)


@pytest.mark.parametrize("point", ["file:2", "audit:2", "blob:2"])
def test_killed_mid_upload(instance, tmp_path, point):
    store, start = instance
    files = [upload_of(s) for s in SCHOOLS[:3]]
    archive = zip_of(files)
    portal = start(point)
    session = sign_in(portal)
    job = start_upload(portal, session, "新城区.zip", archive)
    portal.wait_for("PAUSED")
    # What the user sees until the server dies: the job running, never finished, never a success.
    status = session.get(f"{portal.url}{job}/status").json()
    assert (status["state"], status["finished"], status["accepted"]) == ("running", False, None)
    portal.kill()
    # The killed job's folder stays with the uploaded ZIP in it (staff data): no exit handler ran.
    (killed,) = upload_folders(tmp_path)
    assert [p.name for p in killed.rglob("*") if p.is_file()] == ["upload"]

    # The first file was committed whole; the second not at all (at most an unnamed file or temp file).
    states = assert_consistent(store, orphans_allowed=True)
    assert [states[s] for s in SCHOOLS[:3]] == ["at_county", "not_uploaded", "not_uploaded"]
    _blobs, temps = store_files(store.files.root)
    assert len(temps) == (point == "blob:2")
    for path in temps:  # left an hour ago: the restarted portal removes it
        os.utime(path, (time.time() - 7200,) * 2)
    age(killed, DEFAULT_TTL + 60)  # the killed job's folder, unchanged for longer than the job TTL

    portal = start()
    assert not store_files(store.files.root)[1]
    assert not killed.exists() and upload_folders(tmp_path) == []
    gone = session.get(f"{portal.url}{job}")
    assert gone.status_code == 404 and "上传任务已不存在" in gone.text and "已提交为" not in gone.text
    assert session.get(f"{portal.url}{job}/status").status_code == 404
    # The same ZIP again: the rest goes in, the first school gets its second version. Every file is
    # named by a row again, so nothing may be left over now.
    status = finished_status(portal, session, start_upload(portal, session, "新城区.zip", archive))
    assert (status["state"], status["accepted"], status["rejected"]) == ("done", 3, 0)
    states = assert_consistent(store)
    assert [states[s] for s in SCHOOLS[:3]] == ["at_county"] * 3


def review_in_background(portal, session, school_ids):
    """POST a bulk approval in a thread; return (thread, outcome list filled with the response or error)."""
    form = {"csrf_token": token(session, f"{portal.url}/datasets/queue"), "school_id": school_ids, "action": "approve"}
    outcome = []

    def post():
        try:
            outcome.append(session.post(f"{portal.url}/datasets/bulk", data=form))
        except HttpSession.ERRORS as exc:
            outcome.append(exc)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("point", ["school:3", "audit:3"])
def test_killed_mid_review(instance, point):
    store, start = instance
    schools = SCHOOLS[:5]
    assert all(r.accepted for r in store.ingest([upload_of(s) for s in schools], COUNTY_USER))
    portal = start(point)
    session = sign_in(portal)
    thread, outcome = review_in_background(portal, session, schools)
    portal.wait_for("PAUSED")
    portal.kill()
    thread.join(TIMEOUT)
    # The user got no page at all, so no success: the connection died with the server.
    assert len(outcome) == 1 and isinstance(outcome[0], HttpSession.ERRORS), outcome

    states = assert_consistent(store)
    assert [states[s] for s in schools] == ["at_city"] * 2 + ["at_county"] * 3

    portal = start()
    sign_in(portal, session)
    thread, outcome = review_in_background(portal, session, schools)
    thread.join(TIMEOUT)
    page = outcome[0].text
    assert outcome[0].status_code == 200 and "办理 3 所，未办理 2 所" in page
    assert [assert_consistent(store)[s] for s in schools] == ["at_city"] * 5


def test_only_stale_upload_folders_of_other_processes_are_removed(tmp_path):
    """The sweep the portal runs at start: a killed process's folder once unchanged for the TTL, nothing else."""
    temp = tmp_path / "uploads"
    registry = JobRegistry(temp_dir=str(temp), ttl=600)
    live = registry.create(1, "新城区.zip", False)  # this process's job: its folder is never swept
    (live.folder / "upload").write_bytes(b"being checked")
    killed, recent = temp / f"{ROOT_PREFIX}killed", temp / f"{ROOT_PREFIX}recent"
    for root in (killed, recent):
        (root / "job").mkdir(parents=True)
        (root / "job" / "upload").write_bytes(b"staff data")
    (temp / "other-folder").mkdir()
    age(killed, 601)
    age(recent, 601)
    os.utime(recent / "job" / "upload")  # one file changed just now: that process may still be working
    age(live.folder.parent, 10_000)
    age(temp / "other-folder", 10_000)
    assert remove_stale_uploads(temp, ttl=600) == 1
    assert sorted(p.name for p in temp.iterdir()) == sorted([live.folder.parent.name, recent.name, "other-folder"])
    assert (live.folder / "upload").exists()
    assert registry.remove_stale() == 0
    # A portal running long after a killed one sweeps again, at most once per TTL, on its next request.
    age(recent, 601)
    assert registry.get("no-such-job", 1) is None and recent.exists()  # swept just now: not again yet
    registry._swept -= 601
    assert registry.get("no-such-job", 1) is None and not recent.exists()
