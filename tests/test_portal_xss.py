"""Hostile text in every free-text field reaches every page escaped (Jinja autoescaping, SVG escaping)."""

import io
import time
import zipfile
from urllib.parse import quote

import pytest
from conftest import PORTAL_PASSWORD, REGISTRY_CSV
from portal_support import csrf_token

import staffrec
from staffrec.demo_staff import demo_records
from staffrec.registry import parse_registry

XINCHENG = "2115000001"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG = "<img src=x onerror=alert(2)>"
# The registry refuses <, > and " in school names (they cannot be in a file name); ' and & get through.
SCHOOL = "新城区'&第一小学"
SCHOOL_SHOWN = "新城区&#39;&amp;第一小学"
RAW = (SCRIPT, "<script>alert", IMG, "<img", "onerror=alert(2)>", "<svg/onload", SCHOOL, "javascript:alert")
DISPLAY = "县审核员" + SCRIPT
REASON = "退回原因" + SCRIPT
NOTE = "转退意见" + IMG


def unescaped(page):
    """Return the hostile fragments that appear raw in a page's text."""
    return [raw for raw in RAW if raw in page]


@pytest.fixture
def registry(cat):
    """The test registry with a hostile (but valid) school name."""
    return parse_registry(REGISTRY_CSV.replace("新城区第一小学", SCHOOL), catalogue=cat)


def test_the_registry_refuses_markup_in_school_names(cat):
    for text in ("<script>alert(1)</script>小学", 'a"b小学', "a>b小学"):
        with pytest.raises(ValueError):
            parse_registry(REGISTRY_CSV.replace("新城区第一小学", text), catalogue=cat)
    for text in ("a'b小学", "a&b小学", "=1+2小学"):
        assert parse_registry(REGISTRY_CSV.replace("新城区第一小学", text), catalogue=cat).get(XINCHENG).name == text


def template_bytes(registry, remark, name=None):
    """A valid template of 新城区's school whose first person carries hostile text."""
    school = registry.get(XINCHENG)
    people = demo_records(school, 2, seed=3)
    people[0].update(remark=remark, former_name=SCRIPT)
    if name:
        people[0]["name"] = name
    template = staffrec.new_template(school, people, signoff={"entered_by": SCRIPT, "checked_by": IMG})
    return template.file_name(), template.to_bytes()


@pytest.fixture
def hostile(app, registry):
    """Two versions with hostile cells, uploaded, approved, returned and passed down by hostile users."""
    store = app.extensions["staffrec_store"]
    store.add_user("xss县", "county", "150102", password=PORTAL_PASSWORD, display_name=DISPLAY)
    store.add_user("xss市", "city", "150100", password=PORTAL_PASSWORD, display_name="市" + IMG)
    store.add_user("xss区", "region", "150000", password=PORTAL_PASSWORD, display_name="区" + SCRIPT)
    for remark in (SCRIPT, IMG):
        (result,) = store.ingest([template_bytes(registry, remark)], "xss县", address="10.0.0.1")
        assert result.accepted, result.messages
    assert store.review("xss县", [XINCHENG], "approve")[0].ok
    assert store.review("xss市", [XINCHENG], "approve")[0].ok
    assert store.review("xss区", [XINCHENG], "return", reason=REASON)[0].ok
    assert store.review("xss市", [XINCHENG], "pass_down", reason=NOTE)[0].ok
    return store


def sign_in(client, name):
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/login")})
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"name": name, "password": PORTAL_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, name


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


HOSTILE_QUERY = quote(SCRIPT + IMG + "\"'")
PAGES = [
    "/", "/datasets/", "/datasets/queue", f"/datasets/{XINCHENG}", f"/datasets/{XINCHENG}/diff",
    f"/datasets/{XINCHENG}/diff?old=1&new=2", f"/datasets/{XINCHENG}/print", f"/datasets/{XINCHENG}/print/4",
    "/downloads/templates", "/reports/completeness", "/reports/statistics",
    f"/datasets/?county={HOSTILE_QUERY}&kind={HOSTILE_QUERY}&state={HOSTILE_QUERY}",
    f"/datasets/queue?county={HOSTILE_QUERY}", f"/datasets/{XINCHENG}?page={HOSTILE_QUERY}",
    f"/reports/completeness?by={HOSTILE_QUERY}&group={HOSTILE_QUERY}", f"/reports/statistics?area={HOSTILE_QUERY}",
]
REGION_PAGES = PAGES + [
    "/audit/", f"/audit/?school={HOSTILE_QUERY}&actor={HOSTILE_QUERY}&action={HOSTILE_QUERY}",
    f"/audit/?since={HOSTILE_QUERY}&until={HOSTILE_QUERY}", f"/audit/?school={quote(SCHOOL)}", "/export/",
    "/reports/completeness?by=county&group=150100",
]


@pytest.mark.parametrize("user, pages", [("xss县", PAGES), ("xss市", PAGES), ("xss区", REGION_PAGES)])
def test_every_page_escapes_the_stored_hostile_text(client, hostile, user, pages):
    sign_in(client, user)
    seen = ""
    for url in pages:
        page = fetch(client, url)
        assert not unescaped(page), (url, unescaped(page))
        seen += page
    # The text is shown (escaped), not dropped: names, cells, reasons, the school.
    for shown in (ESCAPED, SCHOOL_SHOWN, "&lt;img src=x onerror=alert(2)&gt;"):
        assert shown in seen, shown


def test_the_dataset_page_shows_reasons_names_and_cells_escaped(client, hostile):
    sign_in(client, "xss县")
    page = fetch(client, f"/datasets/{XINCHENG}")
    assert "退回原因" + ESCAPED in page and "转退意见&lt;img" in page and SCHOOL_SHOWN in page
    printed = fetch(client, f"/datasets/{XINCHENG}/print")
    assert ESCAPED in printed
    diff = fetch(client, f"/datasets/{XINCHENG}/diff?old=1&new=2")
    assert ESCAPED in diff and "&lt;img src=x onerror=alert(2)&gt;" in diff


def test_the_audit_page_escapes_display_names_and_reasons(client, hostile):
    sign_in(client, "xss区")
    page = fetch(client, "/audit/")
    assert "县审核员" + ESCAPED in page and "退回原因" + ESCAPED in page and SCHOOL_SHOWN in page
    echoed = fetch(client, f"/audit/?school={quote(SCRIPT)}")
    assert ESCAPED in echoed and not unescaped(echoed)  # the filter box shows what was typed, escaped


def test_review_results_and_flashes_escape_hostile_input(client, hostile, registry):
    sign_in(client, "xss县")
    token = csrf_token(client, "/datasets/queue")
    results = client.post(
        "/datasets/bulk", data={"csrf_token": token, "school_id": [XINCHENG, SCRIPT], "action": "approve", "reason": IMG}
    )
    assert results.status_code == 200 and not unescaped(results.get_data(as_text=True))
    token = csrf_token(client, f"/datasets/{XINCHENG}")
    acted = client.post(f"/datasets/{XINCHENG}/act", data={"csrf_token": token, "action": SCRIPT, "reason": SCRIPT},
                        follow_redirects=True)
    assert acted.status_code == 200 and not unescaped(acted.get_data(as_text=True))


def test_the_next_parameter_is_never_echoed_raw(client, hostile):
    for target in (SCRIPT, "javascript:alert(1)", "\"><svg/onload=alert(1)>"):
        page = fetch(client, f"/auth/login?next={quote(target)}")
        assert not unescaped(page), target
        token = csrf_token(client, f"/auth/login?next={quote(target)}")
        response = client.post(f"/auth/login?next={quote(target)}",
                               data={"name": "xss县", "password": PORTAL_PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/"
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    failed = client.post(f"/auth/login?next={quote(SCRIPT)}", data={
        "name": SCRIPT, "password": "x", "csrf_token": csrf_token(client, "/auth/login")})
    assert failed.status_code == 200 and not unescaped(failed.get_data(as_text=True))


def zip_of(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def test_the_upload_job_page_escapes_member_names_and_cell_values(client, hostile, registry):
    name, data = template_bytes(registry, SCRIPT, name=SCRIPT)
    archive = zip_of([
        (name, data),
        (IMG + ".xls", data),
        ("子目录/" + SCRIPT.replace("/", "") + ".xls", b"not a workbook"),
        ("说明'&" + IMG + ".txt", b"x"),
    ])
    sign_in(client, "xss县")
    token = csrf_token(client, "/uploads/new")
    response = client.post(
        "/uploads/new",
        data={"csrf_token": token, "mode": "check", "file": (io.BytesIO(archive), SCRIPT.replace("/", "") + ".zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    job = response.headers["Location"]
    deadline = time.monotonic() + 60
    while not client.get(f"{job}/status").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    page = fetch(client, job)
    assert not unescaped(page), unescaped(page)
    assert "&lt;img src=x onerror=alert(2)&gt;.xls" in page and "&lt;script&gt;" in page
    status = client.get(f"{job}/status")
    assert status.mimetype == "application/json"
