"""The load test's clients: one HTTP session each (http.client, keep-alive, cookies) and what each role does.

No think time: each client sends its next request as soon as it has read the last answer (a closed
loop), so N clients keep up to N requests in the server at once.
"""

import collections
import html
import http.client
import http.cookies
import json
import re
import time
import urllib.parse
import uuid

from staffrec.review import State

from .load_instance import pick_upload

# Request kinds in the order the report lists them.
KINDS = (
    "sign-in", "home", "dataset list", "review queue", "dataset page", "completeness", "statistics",
    "upload form", "upload", "job status", "job page", "review action",
)
READ_PAGES = (("home", "/"), ("dataset list", "/datasets/"), ("completeness", "/reports/completeness"),
              ("statistics", "/reports/statistics"))
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FLASH = re.compile(r'<p class="flash (\w+)">(.*?)</p>', re.S)
ACTIONABLE = re.compile(r'name="school_id" value="(\d+)"')
DATASET_LINK = re.compile(r'href="/datasets/(\d{10})"')
ACTION_FORM = re.compile(r'class="act act-(\w+)"')
DONE_LINE = re.compile(r"：已(.+?)，现为“(.+?)”。")
VERSION = re.compile(r"已提交为第 (\d+) 版")
REASON_LINE = re.compile(r'<p class="reason error">(.*?)</p>', re.S)
STATE_REFUSAL = "该校数据当前状态为"  # staffrec.review's refusal of an upload the school's state forbids
REASON = "负载测试：部分教职工信息需核对，请学校改正后重新上传。"
POLL_S = 0.5  # the job page's own script polls every second
JOB_TIMEOUT_S = 300
UPLOAD_SHARE = 0.65  # a county client uploads this share of its steps and reviews in the others
# A reviewer approves with this chance when it may, else returns (or passes down). The region approves
# least: 已上报教育部 is final, and a region where every school got there would take no more uploads.
APPROVE_SHARE = {"county": 0.6, "city": 0.6, "region": 0.3}


def remember_cookie(cookies, header):
    """Apply one Set-Cookie header to a {name: value} jar (an empty value or max-age 0 removes it)."""
    cookie = http.cookies.SimpleCookie()
    cookie.load(header)
    for name, morsel in cookie.items():
        if morsel.value == "" or morsel["max-age"] == "0":
            cookies.pop(name, None)
        else:
            cookies[name] = morsel.value


class Recorder:
    """One client's latencies (ms) by kind, statuses and errors."""

    def __init__(self):
        self.latencies = collections.defaultdict(list)
        self.errors = collections.Counter()  # (kind, category) -> count
        self.samples = []  # the first few errors in full

    def record(self, kind, ms):
        self.latencies[kind].append(ms)

    def error(self, kind, category, detail):
        self.errors[(kind, category)] += 1
        if len(self.samples) < 20:
            self.samples.append({"kind": kind, "category": category, "detail": detail[:500]})


class Http:
    """A browser-like session over one keep-alive connection: cookies kept, redirects not followed."""

    def __init__(self, port, recorder, timeout=120):
        self.port = port
        self.recorder = recorder
        self.timeout = timeout
        self.cookies = {}
        self._conn = None

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None


    def request(self, kind, method, path, body=None, content_type=None, expect=(200,)):
        """Send one request; record its latency and any error; return (status, location, text) or None."""
        headers = {"Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        start = time.perf_counter()
        try:
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self._conn.request(method, path, body=body, headers=headers)
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.record(kind, (time.perf_counter() - start) * 1000)
            self.recorder.error(kind, "transport", f"{method} {path}: {exc!r}")
            self.close()
            return None
        self.recorder.record(kind, (time.perf_counter() - start) * 1000)
        for header in response.msg.get_all("Set-Cookie") or ():
            remember_cookie(self.cookies, header)
        if response.will_close:
            self.close()
        text = data.decode("utf-8", "replace")
        if response.status >= 500:
            self.recorder.error(kind, "5xx", f"{method} {path}: {response.status} {text[:300]}")
        elif "Traceback" in text:
            self.recorder.error(kind, "traceback", f"{method} {path}: {text[:300]}")
        elif response.status not in expect:
            self.recorder.error(kind, "status", f"{method} {path}: {response.status}, expected {expect}")
        location = response.getheader("Location")
        if location:
            parts = urllib.parse.urlsplit(location)
            location = parts.path + (f"?{parts.query}" if parts.query else "")
        return response.status, location, text

    def get(self, kind, path, expect=(200,)):
        return self.request(kind, "GET", path, expect=expect)

    def post_form(self, kind, path, fields, expect=(302,)):
        body = urllib.parse.urlencode(fields).encode("utf-8")
        return self.request(kind, "POST", path, body, "application/x-www-form-urlencoded", expect)

    def post_file(self, kind, path, fields, file_field, filename, data, expect=(302,)):
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode("utf-8")
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode("utf-8") + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode("ascii"))
        return self.request(kind, "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}", expect)


def token_of(page):
    match = TOKEN.search(page[2]) if page else None
    return match.group(1) if match else None


class Client:
    """One simulated user: signs in once, then repeats its role's steps until the deadline (or a number of
    steps, or a stop condition).

    Roles: "county" (uploads its county's schools, polls each job to its end, and reviews the county's
    queue), "city" and "region" (open the queue and a dataset page, then approve, return or pass down),
    "reader" (home, dataset list, completeness and statistics pages).
    """

    def __init__(self, index, role, user, password, port, rng, files=None, county=None):
        self.index, self.role, self.user, self.password = index, role, user, password
        self.county, self.files, self.rng = county, files, rng
        self.recorder = Recorder()
        self.http = Http(port, self.recorder)
        self.accepted = []  # {actor, school_id, version, sha256, rows, name} of every file stored
        self.reviews = []  # {actor, school_id, action, to_state} of every action that answered success
        self.anomalies = []  # answers that contradict what was sent (checked with the store afterwards)
        self.counts = collections.Counter()
        self.job_ms = []  # upload submitted -> job finished

    def run(self, deadline=None, steps=None, stop=None):
        """Sign in, then take steps until the time.monotonic() `deadline`, until `steps` are taken, or until
        `stop()` answers true (checked before each step), whichever comes first."""
        if not self.sign_in():
            return
        taken = 0
        while ((steps is None or taken < steps) and (deadline is None or time.monotonic() < deadline)
               and not (stop and stop())):
            taken += 1
            try:
                self.step()
            except Exception as exc:  # noqa: BLE001 - a client bug must not end the run silently
                self.recorder.error("client", "exception", repr(exc))
                time.sleep(0.1)
        self.http.close()

    def step(self):
        if self.role == "reader":
            self.read()
        elif self.role == "county" and self.rng.random() < UPLOAD_SHARE:
            self.upload()
        else:
            self.review()

    def sign_in(self):
        form = self.http.get("sign-in", "/auth/login")
        answer = self.http.post_form("sign-in", "/auth/login", {
            "csrf_token": token_of(form) or "", "name": self.user, "password": self.password})
        if not answer or answer[0] != 302:
            self.recorder.error("sign-in", "refused", f"{self.user} could not sign in")
            return False
        return self.http.get("home", answer[1] or "/") is not None

    def read(self):
        kind, path = self.rng.choice(READ_PAGES)
        self.http.get(kind, path)

    def review(self):
        queue = self.http.get("review queue", "/datasets/queue")
        if queue is None:
            return
        ids = ACTIONABLE.findall(queue[2])
        if not ids:
            # Nothing waits for this reviewer: look at the territory's list and one dataset instead.
            self.counts["empty queue"] += 1
            listing = self.http.get("dataset list", "/datasets/")
            links = DATASET_LINK.findall(listing[2]) if listing else []
            if links:
                self.http.get("dataset page", f"/datasets/{self.rng.choice(links)}")
            return
        school = self.rng.choice(ids)
        page = self.http.get("dataset page", f"/datasets/{school}")
        actions = ACTION_FORM.findall(page[2]) if page else []
        if not actions:
            self.counts["review: nothing to do any more"] += 1  # another reviewer or an upload was first
            return
        others = [a for a in actions if a != "approve"]
        approve = "approve" in actions and (not others or self.rng.random() < APPROVE_SHARE[self.role])
        action = "approve" if approve else self.rng.choice(others)
        fields = {"csrf_token": token_of(page) or "", "action": action, "reason": "" if action == "approve" else REASON}
        answer = self.http.post_form("review action", f"/datasets/{school}/act", fields)
        if not answer or answer[0] != 302:
            return
        shown = self.http.get("dataset page", answer[1])
        flashes = [(category, html.unescape(text)) for category, text in FLASH.findall(shown[2] if shown else "")]
        done = [DONE_LINE.search(text) for category, text in flashes if category == "message"]
        done = [m for m in done if m]
        if done:
            to_state = State.from_label(done[0].group(2)).value
            self.reviews.append({"actor": self.user, "school_id": school, "action": action, "to_state": to_state})
            self.counts["review: taken"] += 1
        elif any("未能" in text for _category, text in flashes):
            self.counts["review: refused (state changed meanwhile)"] += 1
        elif shown is not None:
            self.anomalies.append(f"{self.user} {action} {school}: no result line, flashes {flashes!r}")

    def upload(self):
        form = self.http.get("upload form", "/uploads/new")
        if form is None:
            return
        self.counts["upload: jobs"] += 1
        serial = f"c{self.index}-{self.counts['upload: jobs']}"
        name, data, members, is_zip = pick_upload(self.rng, self.files, self.county, serial)
        self.counts["upload: ZIP batches" if is_zip else "upload: single files"] += 1
        submitted = time.perf_counter()
        answer = self.http.post_file("upload", "/uploads/new", {"csrf_token": token_of(form) or "", "mode": "submit"},
                                     "file", name, data)
        if not answer or answer[0] != 302:
            self.anomalies.append(f"upload {name} not started (answer {answer and answer[0]}); "
                                  f"if it was stored anyway the store check lists it")
            return
        job = answer[1]
        while True:
            time.sleep(POLL_S)
            status = self.http.get("job status", f"{job}/status")
            if status is None or status[0] != 200:
                return
            state = json.loads(status[2])
            if state["finished"]:
                break
            if time.perf_counter() - submitted > JOB_TIMEOUT_S:
                self.recorder.error("upload", "job timeout", f"{name}: not finished after {JOB_TIMEOUT_S} s")
                return
        page = self.http.get("job page", job)
        self.job_ms.append((time.perf_counter() - submitted) * 1000)
        if state["state"] != "done":
            self.recorder.error("upload", "job failed", f"{name}: {state.get('error')}")
            return
        if page is not None:
            self._results(name, page[2], members)

    def _results(self, upload, page, members):
        """Read the job page's result lines and note what was stored, as which version."""
        sent = {m.name: m for m in members}
        lines = page.split('<li class="result ')[1:]
        if len(lines) != len(members):
            self.anomalies.append(f"{upload}: {len(members)} files sent, {len(lines)} result lines")
        for line in lines:
            accepted = line.startswith("accepted")
            name = re.search(r"<strong>(.*?)</strong>", line, re.S)
            member = sent.get(html.unescape(name.group(1)).strip()) if name else None
            version = VERSION.search(line)
            reasons = [html.unescape(r) for r in REASON_LINE.findall(line)]
            if member is None:
                self.anomalies.append(f"{upload}: a result line for a file not sent ({name and name.group(1)})")
            elif accepted and member.valid and version:
                self.counts["files accepted"] += 1
                self.accepted.append({"actor": self.user, "school_id": member.school_id,
                                      "version": int(version.group(1)), "sha256": member.sha256,
                                      "rows": member.rows, "name": member.name})
            elif accepted:
                self.anomalies.append(f"{upload}: {member.name} accepted " + (
                    "though it has an error" if not member.valid else "without a version number"))
            elif not member.valid:
                self.counts["files refused: errors (as meant)"] += 1
            elif reasons and all(r.startswith(STATE_REFUSAL) for r in reasons):
                self.counts["files refused: the school is past the county now"] += 1
            else:
                self.recorder.error("upload", "valid file refused", f"{member.name}: {' '.join(reasons)[:300]}")
