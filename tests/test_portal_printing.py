"""Printable 采集表: one person, a whole school, a blank form per kind; A4 print CSS."""

import html
import re

import pytest

import staffrec
from staffrec.catalogue import KIND_NAMES
from staffrec.demo_staff import demo_records

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
XINCHENG, UNIVERSITY = "2115000001", "4115010126"


@pytest.fixture
def store(app):
    return app.extensions["staffrec_store"]


def text(response):
    return html.unescape(response.get_data(as_text=True))


def sheets(page):
    """The text of each printed form of a page."""
    return re.findall(r'<section class="sheet">(.*?)</section>', page, re.S)


def shown(page):
    """{item header: text shown} of one form (tags stripped)."""
    pairs = re.findall(r"<th>([^<]*)</th>\s*<td[^>]*>(.*?)</td>", page, re.S)
    return {header: re.sub(r"<[^>]+>", "", value).strip() for header, value in pairs}


@pytest.fixture
def people(store, registry):
    """Three persons of 新城区第一小学 uploaded; the second has two 政治面貌 and a bare-name 性别."""
    records = demo_records(registry.get(XINCHENG), 3)
    records[1]["political_status"] = "01-中共党员,05-民盟盟员"
    records[1]["sex"] = "女" if records[1]["sex"] == "2-女" else "男"  # a tolerated variant (warning)
    template = staffrec.new_template(registry.get(XINCHENG), records, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], "新城区")
    assert result.accepted, result.messages
    return records


def test_one_persons_form_shows_names_for_codes(client, auth, people, cat):
    auth.login("新城区")
    response = client.get(f"/datasets/{XINCHENG}/print/5")  # the second person: Excel row 5
    assert response.status_code == 200
    page = text(response)
    (form,) = sheets(page)
    person = people[1]
    values = shown(form)
    assert "中小学教职工基础信息采集表" in form and "学校名称：新城区第一小学" in form and "学校标识码：2115000001" in form
    assert values["姓名"] == person["name"] and values["身份证件号"] == person["id_number"]
    assert values["政治面貌"] == "中共党员、民盟盟员"
    assert values["性别"] in ("男", "女")
    assert values["民族"] == person["ethnicity"].split("-", 1)[1]  # 01-汉族 → 汉族
    assert values["是否在编"] == person["established_post"].split("-", 1)[1]
    # Every item of the kind, in the kind's order.
    headers = re.findall(r"<th>([^<]*)</th>", form)
    assert headers == [i.header for i in cat.kind("中小学").indicators]
    for line in ("本人签字", "学校负责人签字", "学校（盖章）", "日期"):
        assert line in form
    assert people[0]["name"] not in form and people[2]["id_number"] not in page


def test_a_whole_school_in_one_document_one_person_per_page(client, auth, people):
    auth.login("呼和浩特市")
    page = text(client.get(f"/datasets/{XINCHENG}/print"))
    forms = sheets(page)
    assert len(forms) == 3
    for form, person in zip(forms, people):
        assert shown(form)["姓名"] == person["name"] and person["id_number"] in form
    assert "模板第 4 行" in forms[0] and "模板第 6 行" in forms[2]
    assert "（3 人）" in page and '/static/print.css"' in page
    assert '/static/print.js"' in page and "onclick" not in page  # the pages' CSP allows no inline script
    assert page.index('<div class="sheets">') < page.index('<section class="sheet">')


def test_the_print_stylesheet_is_a4_one_person_per_page_without_navigation(client, auth):
    auth.login("新城区")
    css = text(client.get("/static/print.css"))
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:", css)
    assert re.search(r"\.sheet\s*\{[^}]*page-break-after:\s*always", css)
    assert re.search(r"\.sheet:last-child\s*\{[^}]*page-break-after:\s*auto", css)
    printed = css[css.index("@media print"):]
    assert re.search(r"body > header[^{]*\{\s*display:\s*none", printed)
    assert ".print-toolbar" in printed.split("{")[1]


def test_the_dataset_page_links_the_forms(client, auth, people):
    auth.login("新城区")
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert f'href="/datasets/{XINCHENG}/print">打印采集表</a>' in page
    for row in (4, 5, 6):
        assert f'href="/datasets/{XINCHENG}/print/{row}">打印</a>' in page


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_blank_form_of_each_kind(client, auth, cat, kind):
    auth.login("新城区")
    response = client.get(f"/print/blank/{kind}")
    assert response.status_code == 200
    page = text(response)
    (form,) = sheets(page)
    assert f"{kind}教职工基础信息采集表" in form
    headers = re.findall(r"<th>([^<]*)</th>", form)
    assert headers == [i.header_label for i in cat.kind(kind).indicators]
    values = shown(form)
    assert values["*姓名"] == "" and "□男" in values["*性别"] and "□女" in values["*性别"]
    assert values["*是否在编"] == "□否□是"  # few choices: boxes to tick; many (民族): an empty cell
    assert values["民族"] == "" and values["政治面貌"] == "可填多项"
    assert "年　　月　　日" in values["*出生日期"]
    assert "本人签字" in form and "学校负责人签字" in form and "学校（盖章）" in form


def test_unknown_kinds_rows_and_schools_outside_are_404(client, auth, people, store, registry):
    auth.login("新城区")
    for url in ("/print/blank/大学", "/print/blank/nothing-here", f"/datasets/{XINCHENG}/print/3",
                f"/datasets/{XINCHENG}/print/7", f"/datasets/{UNIVERSITY}/print", "/datasets/9999999999/print"):
        assert client.get(url).status_code == 404, url
    for outsider in ("昆都仑区", "包头市", "信息中心", "内蒙古大学"):
        auth.login(outsider)
        for url in (f"/datasets/{XINCHENG}/print", f"/datasets/{XINCHENG}/print/4"):
            response = client.get(url)
            assert response.status_code == 404 and people[0]["name"] not in text(response), (outsider, url)
        assert client.get("/print/blank/中小学").status_code == 200  # blank forms are for everyone


def test_a_school_without_data_prints_nothing(client, auth):
    auth.login("新城区")
    response = client.get(f"/datasets/{XINCHENG}/print")
    assert response.status_code == 200 and "尚未上传数据，没有可打印的采集表" in text(response)
    assert not sheets(text(response))
