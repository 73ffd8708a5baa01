"""Downloads: the territory's templates as one ZIP, one school's template, a version's stored file."""

import io
import zipfile
from urllib.parse import quote

import pytest

from staffrec import new_template, open_template
from staffrec.demo_staff import demo_records
from staffrec.zipbatch import read_zip

SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}
XIN_CHENG = "2115000001_新城区第一小学_中小学教职工信息采集模板.xls"
TUMED = "3415000002_土默特左旗第一中学_中小学教职工信息采集模板.xls"
KUNDULUN = "3115000003_昆都仑区育才民办学校_中小学教职工信息采集模板.xls"
BAOTOU_VOC = "3615000004_包头市第一中等职业学校_中职教职工信息采集模板.xls"
HULUNBUIR = "5115000005_呼伦贝尔市特殊教育学校_特教教职工信息采集模板.xls"
UNIVERSITY = "4115010126_内蒙古大学_高校教职工信息采集模板.xls"

TERRITORIES = [
    # user, ZIP name, members
    ("新城区", "150102_新城区_教职工信息采集模板.zip", [XIN_CHENG]),
    ("昆都仑区", "150203_昆都仑区_教职工信息采集模板.zip", [KUNDULUN, BAOTOU_VOC]),
    ("呼和浩特市", "150100_呼和浩特市_教职工信息采集模板.zip", [XIN_CHENG, TUMED]),
    ("包头市", "150200_包头市_教职工信息采集模板.zip", [KUNDULUN, BAOTOU_VOC]),
    ("信息中心", "150000_内蒙古自治区_高校教职工信息采集模板.zip", [UNIVERSITY]),
    ("自治区", "150000_内蒙古自治区_教职工信息采集模板.zip", [XIN_CHENG, TUMED, UNIVERSITY, KUNDULUN, BAOTOU_VOC, HULUNBUIR]),
    ("内蒙古大学", "4115010126_内蒙古大学_教职工信息采集模板.zip", [UNIVERSITY]),
]


def disposition_name(response):
    """Return the UTF-8 file name of a download (RFC 5987 `filename*`)."""
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment; filename=")
    return header.split("filename*=UTF-8''", 1)[1]


def test_each_territory_gets_its_schools_templates_as_one_zip(client, auth):
    for user, archive, members in TERRITORIES:
        auth.login(user)
        text = client.get("/downloads/templates").get_data(as_text=True)
        assert archive in text and 'href="/downloads/templates.zip"' in text
        assert all(member in text for member in members), user
        response = client.get("/downloads/templates.zip")
        assert response.status_code == 200 and response.mimetype == "application/zip"
        assert disposition_name(response) == quote(archive)
        assert response.headers["Cache-Control"] == "private, no-store"
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive_file:
            assert sorted(archive_file.namelist()) == sorted(members), user
            assert all(info.flag_bits & 0x800 for info in archive_file.infolist())  # UTF-8 names
            for member in members:
                template = open_template(archive_file.read(member), name=member)
                assert str(template.school_id) == member.split("_", 1)[0] and not template.records
        auth.logout()


def test_the_county_zip_is_generated_from_the_registry_and_reads_back_as_a_batch(client, auth):
    auth.login("昆都仑区")
    response = client.get("/downloads/templates.zip")
    batch = read_zip(response.data)
    assert batch.failure is None and not batch.rejections
    assert [m.name for m in batch.members] == [KUNDULUN, BAOTOU_VOC]
    school = client.application.extensions["staffrec_store"].registry().get("3115000003")
    assert batch.members[0].data == new_template(school).to_bytes("xls")  # .xls output is deterministic


def test_one_school_template_and_404_outside(client, auth):
    auth.login("新城区")
    response = client.get("/downloads/templates/2115000001")
    assert response.status_code == 200 and response.mimetype == "application/vnd.ms-excel"
    assert disposition_name(response) == quote(XIN_CHENG)
    assert str(open_template(response.data, name=XIN_CHENG).school_id) == "2115000001"
    for outside in ("3115000003", "4115010126", "9999999999"):
        assert client.get(f"/downloads/templates/{outside}").status_code == 404


def test_downloads_need_sign_in(client):
    for url in ("/downloads/templates", "/downloads/templates.zip", "/downloads/2115000001/versions/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.fixture
def stored(app, registry):
    """Two versions of 新城区第一小学 stored through the store; returns their (name, bytes)."""
    store = app.extensions["staffrec_store"]
    uploads = []
    for seed in (0, 1):
        school = registry.get("2115000001")
        template = new_template(school, demo_records(school, 3, seed=seed), signoff=SIGNOFF)
        name, data = template.file_name(), template.to_bytes()
        (result,) = store.ingest([(f"批次{seed}/{name}", data)], "新城区")
        assert result.accepted and result.version == seed + 1
        uploads.append((name, data))
    return uploads


def test_a_version_file_byte_for_byte(client, auth, stored):
    auth.login("新城区")
    for number, (name, data) in enumerate(stored, start=1):
        response = client.get(f"/downloads/2115000001/versions/{number}")
        assert response.status_code == 200 and response.data == data
        assert response.mimetype == "application/vnd.ms-excel"
        assert disposition_name(response) == quote(name)  # the original name, without the ZIP folder
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/downloads/2115000001/versions/3").status_code == 404


def test_a_version_file_outside_the_territory_does_not_exist(client, auth, stored):
    seen = {"新城区": 200, "呼和浩特市": 200, "自治区": 200, "昆都仑区": 404, "包头市": 404, "信息中心": 404, "内蒙古大学": 404}
    for user, status in seen.items():
        auth.login(user)
        assert client.get("/downloads/2115000001/versions/1").status_code == status, user
        assert client.get("/downloads/9999999999/versions/1").status_code == 404
        auth.logout()


def test_content_disposition_has_an_ascii_fallback(app):
    from portal.downloads import attachment

    with app.test_request_context():
        header = attachment(b"", '150102_新城区"模板".zip').headers["Content-Disposition"]
    assert header.startswith('attachment; filename="150102_.zip"; filename*=UTF-8\'\'150102_')
    assert "%22" in header  # the quote is percent-encoded in the UTF-8 name
