"""Every spreadsheet and CSV the system writes escapes text a spreadsheet would run as a formula."""

import csv
import io
import time
import zipfile

import openpyxl
import pytest
from conftest import PORTAL_PASSWORD, REGISTRY_CSV
from portal_support import csrf_token

import staffrec
from portal.reports import csv_download
from staffrec.annotate import FORMULA_TRIGGERS, LIST_SHEET
from staffrec.demo_staff import demo_records
from staffrec.registry import parse_registry
from staffrec.store.ministry_export import MANIFEST

XINCHENG = "2115000001"
# One value per trigger: = + - @ tab CR.
HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
SCHOOL = "=1+2'+@小学"


def read_csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def escaped(text):
    """True when the text starts with the apostrophe that defuses a formula."""
    return isinstance(text, str) and text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS)


@pytest.fixture
def registry(cat):
    """The test registry with a formula-leading school name (the registry accepts =)."""
    return parse_registry(REGISTRY_CSV.replace("新城区第一小学", SCHOOL), catalogue=cat)


def template_of(registry, school_id, **changes):
    school = registry.get(school_id)
    people = demo_records(school, 2, seed=5)
    people[0].update(changes)
    return staffrec.new_template(school, people, signoff={"entered_by": "甲", "checked_by": "乙"})


@pytest.fixture
def reported(app, registry):
    """新城区's school at 已上报教育部 with a formula remark, by users with formula display names."""
    store = app.extensions["staffrec_store"]
    store.add_user("f县", "county", "150102", password=PORTAL_PASSWORD, display_name="=县审核员")
    store.add_user("f市", "city", "150100", password=PORTAL_PASSWORD, display_name="+市审核员")
    store.add_user("f区", "region", "150000", password=PORTAL_PASSWORD, display_name="@区审核员")
    template = template_of(registry, XINCHENG, remark=HOSTILE[0])
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], "f县")
    assert result.accepted, result.messages
    for user in ("f县", "f市"):
        assert store.review(user, [XINCHENG], "approve")[0].ok
    assert store.review("f区", [XINCHENG], "return", reason="-退回")[0].ok
    assert store.review("f市", [XINCHENG], "pass_down", reason="+转退")[0].ok
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], "f县")
    assert result.accepted, result.messages
    for user in ("f县", "f市", "f区"):
        assert store.review(user, [XINCHENG], "approve")[0].ok
    return store


def sign_in(client, name):
    token = csrf_token(client, "/auth/login")
    assert client.post("/auth/login", data={"name": name, "password": PORTAL_PASSWORD, "csrf_token": token}).status_code == 302


def test_the_shared_csv_writer_escapes_every_trigger(app):
    with app.test_request_context():
        response = csv_download([["表头"], *([text] for text in HOSTILE), ["1-男"], [3]], "x.csv")
    rows = read_csv(response.get_data())
    assert all(escaped(row[0]) for row in rows[1:7]), rows
    assert rows[7:] == [["1-男"], ["3"]]


def test_the_missing_schools_csv(client, reported, app, registry):
    sign_in(client, "f县")
    store = app.extensions["staffrec_store"]
    store.init(parse_registry(REGISTRY_CSV + "2115000009,-1+2小学,21,150102,1\n", catalogue=store.catalogue))
    rows = read_csv(client.get("/reports/completeness/missing.csv").data)
    assert ["150102", "新城区", "2115000009", "'-1+2小学", "新城区", "中小学"] in rows


def test_the_completeness_and_statistics_csvs(client, reported):
    sign_in(client, "f区")
    for url in ("/reports/completeness.csv", "/reports/completeness.csv?by=city", "/reports/statistics/sex.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        cells = [cell for row in read_csv(response.data) for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)], url


def test_the_audit_csv(client, reported):
    sign_in(client, "f区")
    rows = read_csv(client.get("/audit/audit.csv").data)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    assert "'=县审核员" in cells and "'@区审核员" in cells and "'" + SCHOOL in cells


def test_the_ministry_workbook_and_manifest(client, reported):
    sign_in(client, "f区")
    response = client.post("/export/", data={"csrf_token": csrf_token(client, "/export/")})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = read_csv(archive.read(MANIFEST))
    row = next(r for r in manifest if r and r[0] == XINCHENG)
    assert "'" + SCHOOL in row and not [c for c in row if c.startswith(FORMULA_TRIGGERS)]
    (book_name,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read(book_name))).worksheets[0]
    values = [c.value for r in sheet.iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    assert "'" + SCHOOL in values and "'" + HOSTILE[0] in values
    assert not [v for v in values if v.startswith(FORMULA_TRIGGERS)]
    assert all(c.data_type == "s" for r in sheet.iter_rows() for c in r if isinstance(c.value, str))


def test_the_annotated_workbook(client, app, registry):
    store = app.extensions["staffrec_store"]
    store.add_user("f县", "county", "150102", password=PORTAL_PASSWORD)
    # Formula-leading cells: a wrong code (an error finding that quotes it), a name and a remark.
    template = template_of(registry, XINCHENG, name="=1+2", sex="-1+男", remark="@SUM(A1)")
    sign_in(client, "f县")
    response = client.post("/uploads/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/uploads/new"), "mode": "check",
        "file": (io.BytesIO(template.to_bytes()), template.file_name())})
    job = response.headers["Location"]
    deadline = time.monotonic() + 60
    while not client.get(f"{job}/status").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    annotated = client.get(f"{job}/1/annotated")
    assert annotated.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(annotated.data))
    data_cells = [c for r in book["教职工基础信息"].iter_rows() for c in r if c.value in ("=1+2", "-1+男", "@SUM(A1)")]
    # The data sheet keeps what was typed, stored as text with Excel's quote prefix (never a formula).
    assert len(data_cells) == 3 and all(c.data_type == "s" for c in data_cells)
    assert all(c.quotePrefix for c in data_cells if c.value.startswith(FORMULA_TRIGGERS))
    listed = [c.value for r in book[LIST_SHEET].iter_rows() for c in r if isinstance(c.value, str)]
    assert not [v for v in listed if v.startswith(FORMULA_TRIGGERS)]
    assert any(escaped(v) for v in listed), listed


def test_the_migrate_report(tmp_path, registry_text, school_of_kind):
    from staffrec.cli import main
    from test_migration_support import SIGNOFF, csv_bytes, hr_rows, people

    school = school_of_kind("中小学")
    kind = school.kind()
    persons = people(school, count=len(HOSTILE))
    for person, text in zip(persons, HOSTILE):
        person["id_number"] = text
    export = tmp_path / "导出.csv"
    export.write_bytes(csv_bytes(hr_rows(kind, persons), "gbk"))
    mapping = tmp_path / "映射.toml"
    mapping.write_text("[columns]\n" + "\n".join(f'"{i.header}" = "{i.key}"' for i in kind.indicators) + "\n" + SIGNOFF,
                       encoding="utf-8")
    registry = tmp_path / "schools.csv"
    registry.write_text(registry_text, encoding="utf-8")
    report = tmp_path / "问题清单.csv"
    main(["migrate", str(export), "--mapping", str(mapping), "--registry", str(registry), "--school", str(school.id),
          "--dry-run", "--report", str(report)])
    cells = [cell for row in read_csv(report.read_bytes()) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    # The ID number normaliser upper-cases what it reads.
    assert {c.upper() for c in cells if escaped(c)} >= {"'" + text.upper() for text in HOSTILE[:4]}, cells
