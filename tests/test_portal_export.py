"""The Ministry export page: region reviewer only; the ZIP's manifest matches its files."""

import csv
import datetime
import hashlib
import html
import io
import json
import zipfile
from urllib.parse import quote

import pytest
from portal_support import csrf_token

import staffrec
from staffrec.demo_staff import demo_records
from staffrec.store.audit import audit_entries
from staffrec.store.ministry_export import MANIFEST

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
XINCHENG, TUMD, UNIVERSITY = "2115000001", "3415000002", "4115010126"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def store(app):
    store = app.extensions["staffrec_store"]
    store.add_user("土默特左旗", "county", "150121")
    return store


def upload(store, registry, school_id, user, count):
    school = registry.get(school_id)
    template = staffrec.new_template(school, demo_records(school, count), signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
    assert result.accepted, result.messages


@pytest.fixture
def reported(store, registry):
    """新城区第一小学 (3 persons) and 内蒙古大学 (2) reported; 土默特左旗第一中学 waits at its county."""
    upload(store, registry, XINCHENG, "新城区", 3)
    for user in ("新城区", "呼和浩特市", "自治区"):
        assert store.review(user, [XINCHENG], "approve")[0].ok
    upload(store, registry, UNIVERSITY, "信息中心", 2)
    assert store.review("自治区", [UNIVERSITY], "approve")[0].ok
    upload(store, registry, TUMD, "土默特左旗", 4)
    return store


def text(response):
    return html.unescape(response.get_data(as_text=True))


def test_the_page_lists_what_would_be_exported(client, auth, reported):
    auth.login("自治区")
    page = text(client.get("/export/"))
    assert "<tr><td>中小学</td><td>1</td><td>3</td></tr>" in page
    assert "<tr><td>高校</td><td>1</td><td>2</td></tr>" in page
    assert "<tr><td>中职</td><td>0</td><td>0</td></tr>" in page
    assert "<tr><th>合计</th><th>2</th><th>5</th></tr>" in page
    today = datetime.datetime.now(BEIJING).date()
    assert f"下载 教育部上报_{today:%Y%m%d}.zip" in page and 'name="csrf_token"' in page


def test_the_download_is_the_zip_whose_manifest_matches_its_files(client, auth, reported):
    auth.login("自治区")
    response = client.post("/export/", data={"csrf_token": csrf_token(client, "/export/")},
                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    name = f"教育部上报_{datetime.datetime.now(BEIJING).date():%Y%m%d}.zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"

    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = list(csv.DictReader(io.StringIO(archive.read(MANIFEST).decode("utf-8-sig"))))
    assert [(m["学校标识码"], m["模板类别"], m["记录数"]) for m in manifest] == [(XINCHENG, "中小学", "3"), (UNIVERSITY, "高校", "2")]
    members = [n for n in archive.namelist() if n != MANIFEST and not n.endswith("_汇总.xlsx")]
    assert len(members) == 2
    for row in manifest:
        (member,) = [n for n in members if n.split("/")[-1].startswith(row["学校标识码"] + "_")]
        assert member.startswith(row["模板类别"] + "/")
        assert hashlib.sha256(archive.read(member)).hexdigest() == row["SHA-256"]
    assert {"中小学/中小学_汇总.xlsx", "高校/高校_汇总.xlsx"} <= set(archive.namelist())
    assert TUMD not in "".join(archive.namelist())  # not reported: not exported

    with reported.engine.connect() as conn:
        (entry,) = [e for e in audit_entries(conn) if e.action == "export"]
    assert entry.actor == "自治区" and entry.address == "10.1.2.3" and json.loads(entry.detail)["schools"] == 2


def test_nothing_reported_yet(client, auth, store):
    auth.login("自治区")
    page = text(client.get("/export/"))
    assert "暂无可导出的数据" in page and "<tr><th>合计</th><th>0</th><th>0</th></tr>" in page


@pytest.mark.parametrize("role", ["新城区", "呼和浩特市", "信息中心", "内蒙古大学"])
def test_every_other_role_finds_no_export(client, auth, reported, role):
    auth.login(role)
    assert client.get("/export/").status_code == 404
    response = client.post("/export/", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 404 and response.mimetype == "text/html"
    with reported.engine.connect() as conn:
        assert not [e for e in audit_entries(conn) if e.action == "export"]


def test_the_download_needs_the_form_token(client, auth, reported):
    auth.login("自治区")
    response = client.post("/export/")
    assert response.status_code == 400 and "表单已失效" in text(response)
