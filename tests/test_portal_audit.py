"""The audit log page: region reviewer only, filters, paging, CSV, and the client address recorded."""

import csv
import datetime
import io
import re
import time

import pytest
from portal_support import csrf_token
from sqlalchemy import insert

import staffrec
from portal.reports import today
from staffrec.demo_staff import demo_records
from staffrec.store.audit import CHINA, audit_entries, write_audit
from staffrec.store.schema import audit_log

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
XINCHENG, VOCATIONAL, UNIVERSITY = "2115000001", "3615000004", "4115010126"
ROW = re.compile(r"<tr>\s*<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>(.*?)</tr>", re.S)
NOT_REGION = ["新城区", "昆都仑区", "呼和浩特市", "包头市", "信息中心", "内蒙古大学"]


def template_of(registry, school_id, count=2):
    school = registry.get(school_id)
    return staffrec.new_template(school, demo_records(school, count), signoff=SIGNOFF)


def ingest(store, registry, school_id, user, address=None):
    template = template_of(registry, school_id)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user, address=address)
    assert result.accepted, result.messages


def rows_of(response):
    """The entries of an audit page as (time, the rest of the row's HTML)."""
    assert response.status_code == 200
    return ROW.findall(response.get_data(as_text=True))


def read_csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def store(app):
    return app.extensions["staffrec_store"]


@pytest.fixture
def history(store, registry):
    """Three uploads, one approval, one return and one export, as the store records them."""
    ingest(store, registry, XINCHENG, "新城区", address="10.0.0.1")
    ingest(store, registry, VOCATIONAL, "昆都仑区", address="10.0.0.2")
    ingest(store, registry, UNIVERSITY, "信息中心", address="10.0.0.3")
    assert store.review("新城区", [XINCHENG], "approve", address="10.0.0.1")[0].ok
    assert store.review("昆都仑区", [VOCATIONAL], "return", reason="=HYPERLINK(1) 请核对", address="10.0.0.2")[0].ok
    assert store.review("自治区", [UNIVERSITY], "approve", address="10.0.0.9")[0].ok
    store.ministry_export("自治区", address="10.0.0.9")
    return store


def test_only_the_region_reviewer_sees_the_audit_log(client, auth, history):
    for role in NOT_REGION:
        auth.login(role)
        assert client.get("/audit/").status_code == 404, role
        assert client.get("/audit/audit.csv").status_code == 404, role
        assert 'href="/audit/"' not in client.get("/").get_data(as_text=True)
    auth.login("自治区")
    assert 'href="/audit/"' in client.get("/").get_data(as_text=True)
    assert client.get("/audit/").status_code == 200
    assert client.post("/audit/", data={"csrf_token": csrf_token(client, "/")}).status_code == 405  # read-only
    auth.logout()
    response = client.get("/audit/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_every_entry_with_who_when_what_school_detail_and_address(client, auth, history):
    auth.login("自治区")
    rows = rows_of(client.get("/audit/"))
    assert len(rows) == 7
    newest = rows[0][1]
    assert "导出上报教育部" in newest and "自治区" in newest and "10.0.0.9" in newest and "学校数：1" in newest
    returned = next(rest for _, rest in rows if "退回" in rest and VOCATIONAL in rest)
    for shown in ("昆都仑区", "旗县教育局", "包头市第一中等职业学校", "待县审核 → 退回至学校", "10.0.0.2"):
        assert shown in returned
    assert "原因：=HYPERLINK(1) 请核对" in returned
    uploaded = next(rest for _, rest in rows if "上传" in rest and XINCHENG in rest)
    for shown in ("新城区第一小学", "未上传 → 待县审核", "第 1 版", "记录数：2", "10.0.0.1"):
        assert shown in uploaded
    # Times are shown in Beijing time.
    with history.engine.connect() as conn:
        stored = audit_entries(conn)[-1].at
    stored = stored if stored.tzinfo else stored.replace(tzinfo=datetime.timezone.utc)  # SQLite gives UTC back naive
    assert rows[0][0] == stored.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def test_filters_by_actor_action_school_and_days(client, auth, history):
    auth.login("自治区")
    assert len(rows_of(client.get("/audit/?actor=新城区"))) == 2
    assert len(rows_of(client.get("/audit/?action=upload"))) == 3
    assert len(rows_of(client.get("/audit/?action=approve&actor=自治区"))) == 1
    assert len(rows_of(client.get(f"/audit/?school={VOCATIONAL}"))) == 2
    assert len(rows_of(client.get("/audit/?school=内蒙古"))) == 2  # part of a name
    assert len(rows_of(client.get("/audit/?school=%25"))) == 0  # a LIKE wildcard is only a character
    day = today()
    assert len(rows_of(client.get(f"/audit/?since={day}&until={day}"))) == 7
    assert len(rows_of(client.get(f"/audit/?until={day - datetime.timedelta(days=1)}"))) == 0
    assert len(rows_of(client.get(f"/audit/?since={day + datetime.timedelta(days=1)}"))) == 0
    # Values that name nothing are ignored; a bad date is said, and ignored.
    assert len(rows_of(client.get("/audit/?actor=nobody&action=delete"))) == 7
    response = client.get("/audit/?since=2026-13-40")
    assert len(rows_of(response)) == 7 and "无法识别" in response.get_data(as_text=True)
    # The chosen filters stay chosen, and the CSV link carries them.
    page = client.get("/audit/?action=return").get_data(as_text=True)
    assert '<option value="return" selected>' in page and 'href="/audit/audit.csv?action=return"' in page


def test_days_are_beijing_days(client, auth, store):
    # 2026-03-01 17:30 UTC is already 2026-03-02 in Beijing.
    late = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.timezone.utc)
    with store.writer.begin() as conn:
        conn.execute(insert(audit_log).values(at=late, actor="自治区", action="export", detail="{}", address="10.0.0.9"))
    auth.login("自治区")
    rows = rows_of(client.get("/audit/?since=2026-03-02&until=2026-03-02"))
    assert [at for at, _ in rows] == ["2026-03-02 01:30:00"]
    assert rows_of(client.get("/audit/?until=2026-03-01")) == []
    assert len(rows_of(client.get("/audit/?since=2026-03-01&until=2026-03-01"))) == 0


def test_paging_keeps_the_filters(client, auth, store):
    with store.writer.begin() as conn:
        for number in range(120):
            write_audit(conn, "新城区", "upload", XINCHENG, {"version": number + 1}, "10.0.0.1")
        write_audit(conn, "自治区", "export", None, {"schools": 0}, "10.0.0.9")
    auth.login("自治区")
    first = client.get("/audit/?action=upload")
    page = first.get_data(as_text=True)
    assert len(rows_of(first)) == 50 and "共 120 条记录" in page and "第 1 / 3 页" in page
    assert "版本：第 120 版" in page  # newest first
    assert 'href="/audit/?page=2&amp;action=upload"' in page
    last = client.get("/audit/?action=upload&page=3")
    assert len(rows_of(last)) == 20 and "版本：第 1 版" in last.get_data(as_text=True)
    assert "上一页" in last.get_data(as_text=True) and "下一页" not in last.get_data(as_text=True)
    # A page past the end shows the last one; a silly one the first.
    assert "第 3 / 3 页" in client.get("/audit/?action=upload&page=99999999999999999999").get_data(as_text=True)
    assert "第 1 / 3 页" in client.get("/audit/?action=upload&page=-5").get_data(as_text=True)
    # The CSV holds every entry the filters select, not one page.
    rows = read_csv(client.get("/audit/audit.csv?action=upload"))
    assert len(rows) == 121 and {row[4] for row in rows[1:]} == {"上传"}


def test_csv_download(client, auth, history, store):
    with store.writer.begin() as conn:
        write_audit(conn, "=cmd|' /C calc'!A0", "export", None, {"schools": 0}, "10.0.0.66")
    auth.login("自治区")
    response = client.get("/audit/audit.csv")
    rows = read_csv(response)
    assert rows[0] == ["时间（北京时间）", "账号", "姓名", "层级", "操作", "学校标识码", "学校名称", "详情", "地址"]
    assert len(rows) == 9
    assert rows[1][1] == "'=cmd|' /C calc'!A0" and rows[1][4] == "导出上报教育部"  # escaped against formulas
    returned = next(row for row in rows if row[4] == "退回")
    assert returned[1:7] == ["昆都仑区", "昆都仑区", "旗县教育局", "退回", VOCATIONAL, "包头市第一中等职业学校"]
    assert "原因：=HYPERLINK(1) 请核对" in returned[7] and returned[8] == "10.0.0.2"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]


# --- the portal records the client's address ----------------------------------------------------


def wait_for(client, job_url, timeout=60):
    deadline = time.monotonic() + timeout
    while not client.get(f"{job_url}/status").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_uploads_and_review_actions_record_the_client_address(client, auth, store, registry):
    auth.login("新城区")
    template = template_of(registry, XINCHENG)
    environ = {"REMOTE_ADDR": "192.0.2.7"}
    token = csrf_token(client, "/uploads/new")
    response = client.post(
        "/uploads/new",
        data={"csrf_token": token, "mode": "submit", "file": (io.BytesIO(template.to_bytes()), template.file_name())},
        content_type="multipart/form-data",
        environ_base=environ,
    )
    assert response.status_code == 302
    wait_for(client, response.headers["Location"])
    token = csrf_token(client, f"/datasets/{XINCHENG}")
    response = client.post(
        f"/datasets/{XINCHENG}/act", data={"csrf_token": token, "action": "approve", "reason": ""}, environ_base=environ
    )
    assert response.status_code == 302
    with store.engine.connect() as conn:
        entries = audit_entries(conn, XINCHENG)
    assert [(e.action, e.address) for e in entries] == [("upload", "192.0.2.7"), ("approve", "192.0.2.7")]
