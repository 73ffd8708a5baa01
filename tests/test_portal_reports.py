"""The report pages: completeness per county / city / kind, staff statistics as SVG charts, tables and CSV."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import pytest

import staffrec
from portal.charts import HALF, PLOT, bar_chart, pyramid_chart
from portal.reports import today
from staffrec.demo_staff import demo_records
from staffrec.registry import parse_registry
from staffrec.store.statistics import age_band

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
XINCHENG, TUMD, PRIVATE, VOCATIONAL, SPECIAL, UNIVERSITY = (
    "2115000001", "3415000002", "3115000003", "3615000004", "5115000005", "4115010126",
)
PEOPLE = {XINCHENG: 10, VOCATIONAL: 5, UNIVERSITY: 4}
SVG = "{http://www.w3.org/2000/svg}"
BOM = b"\xef\xbb\xbf"


# --- helpers ------------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every <table> of a page as {"class": …, "head"/"body"/"foot": [[cell text, …], …]}."""

    def __init__(self):
        super().__init__()
        self.tables, self._part, self._row, self._cell = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"class": dict(attrs).get("class"), "head": [], "body": [], "foot": []})
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = tag[1:]
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][self._part].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables_of(page, cls):
    parser = Tables()
    parser.feed(page)
    return [t for t in parser.tables if t["class"] == cls]


def sections(page):
    """{section id: html} of the statistics page's chart sections."""
    found = re.findall(r'<section class="statistic" id="([a-z_]+)">(.*?)</section>', page, re.S)
    return dict(found)


def svg_bars(html):
    """The <rect class="bar …"> of the one chart in `html`, as ElementTree elements."""
    (svg,) = re.findall(r"<svg.*?</svg>", html, re.S)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [r for r in root.iter(f"{SVG}rect") if "bar" in r.get("class", "").split()]


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(BOM)
    assert "no-store" in response.headers["Cache-Control"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def upload(store, registry, school_id, user, count):
    school = registry.get(school_id)
    people = demo_records(school, count)
    template = staffrec.new_template(school, people, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
    assert result.accepted, result.messages
    return people


@pytest.fixture
def store(app):
    return app.extensions["staffrec_store"]


@pytest.fixture
def region(store, registry):
    """Schools in every state: 待市审核, 待县审核, 退回至盟市, 已上报教育部, and two never uploaded.

    Returns {school id: the people uploaded}.
    """
    people = {
        XINCHENG: upload(store, registry, XINCHENG, "新城区", PEOPLE[XINCHENG]),
        PRIVATE: upload(store, registry, PRIVATE, "昆都仑区", 1),
        VOCATIONAL: upload(store, registry, VOCATIONAL, "昆都仑区", PEOPLE[VOCATIONAL]),
        UNIVERSITY: upload(store, registry, UNIVERSITY, "信息中心", PEOPLE[UNIVERSITY]),
    }
    assert store.review("新城区", [XINCHENG], "approve")[0].ok
    for user in ("昆都仑区", "包头市"):
        assert store.review(user, [VOCATIONAL], "approve")[0].ok
    assert store.review("自治区", [VOCATIONAL], "return", reason="请核对")[0].ok
    assert store.review("自治区", [UNIVERSITY], "approve")[0].ok
    states = {s: store.state_of(s) for s in (XINCHENG, TUMD, PRIVATE, VOCATIONAL, SPECIAL, UNIVERSITY)}
    assert states == {
        XINCHENG: "at_city", TUMD: "not_uploaded", PRIVATE: "at_county", VOCATIONAL: "returned_to_city",
        SPECIAL: "not_uploaded", UNIVERSITY: "reported",
    }
    return people


# --- completeness -------------------------------------------------------------------------------

HEADER = ["学校数", "未上传", "待县审核", "待市审核", "待区审核", "退回", "已上报教育部", "上报率"]


def completeness_table(client, url):
    (table,) = tables_of(text(client.get(url)), "completeness")
    return table


def test_completeness_of_the_region_by_city_and_by_county(client, auth, region):
    auth.login("自治区")
    table = completeness_table(client, "/reports/completeness")
    assert table["head"] == [["盟市"] + HEADER]
    assert table["body"] == [
        ["呼和浩特市", "3", "1", "0", "1", "0", "0", "1", "33.3%"],
        ["包头市", "2", "0", "1", "0", "0", "1", "0", "0.0%"],
        ["呼伦贝尔市", "1", "1", "0", "0", "0", "0", "0", "0.0%"],
    ]
    assert table["foot"] == [["合计", "6", "2", "1", "1", "0", "1", "1", "16.7%"]]
    table = completeness_table(client, "/reports/completeness?by=county")
    assert table["head"][0][0] == "旗县"
    assert [row[:8] for row in table["body"]] == [
        ["新城区", "1", "0", "0", "1", "0", "0", "0"],
        ["赛罕区", "1", "0", "0", "0", "0", "0", "1"],
        ["土默特左旗", "1", "1", "0", "0", "0", "0", "0"],
        ["昆都仑区", "2", "0", "1", "0", "0", "1", "0"],
        ["海拉尔区", "1", "1", "0", "0", "0", "0", "0"],
    ]


def test_each_tier_sees_its_own_territory(client, auth, region):
    auth.login("呼和浩特市")  # its counties, without the 高校 in it
    table = completeness_table(client, "/reports/completeness")
    assert [row[:4] for row in table["body"]] == [["新城区", "1", "0", "0"], ["土默特左旗", "1", "1", "0"]]
    # A grouping the tier does not offer is ignored: still by county.
    assert completeness_table(client, "/reports/completeness?by=city")["head"][0][0] == "旗县"
    auth.login("新城区")
    assert [row[0] for row in completeness_table(client, "/reports/completeness")["body"]] == ["新城区"]
    auth.login("信息中心")
    table = completeness_table(client, "/reports/completeness")
    assert table["head"][0][0] == "模板类别"
    assert table["body"] == [["高校", "1", "0", "0", "0", "0", "0", "1", "100.0%"]]
    assert completeness_table(client, "/reports/completeness?by=city")["body"][0][:2] == ["呼和浩特市", "1"]


def test_the_missing_schools_are_listed_by_group(client, auth, region):
    auth.login("自治区")
    page = text(client.get("/reports/completeness"))
    (missing,) = tables_of(page, "missing")
    assert [row[:4] for row in missing["body"]] == [
        ["呼和浩特市", TUMD, "土默特左旗第一中学", "土默特左旗"],
        ["呼伦贝尔市", SPECIAL, "呼伦贝尔市特殊教育学校", "海拉尔区"],
    ]
    assert 'href="/reports/completeness?by=city&amp;group=150700#missing"' in page
    (missing,) = tables_of(text(client.get("/reports/completeness?by=city&group=150700")), "missing")
    assert [row[1] for row in missing["body"]] == [SPECIAL]


def test_completeness_csv_downloads(client, auth, region):
    auth.login("自治区")
    response = client.get("/reports/completeness.csv?by=county")
    rows = read_csv(response)
    assert rows[0] == ["代码", "名称", "学校数", "未上传", "待县审核", "待市审核", "待区审核", "退回", "已上报教育部"]
    assert rows[1:] == [
        ["150102", "新城区", "1", "0", "0", "1", "0", "0", "0"],
        ["150105", "赛罕区", "1", "0", "0", "0", "0", "0", "1"],
        ["150121", "土默特左旗", "1", "1", "0", "0", "0", "0", "0"],
        ["150203", "昆都仑区", "2", "0", "1", "0", "0", "1", "0"],
        ["150702", "海拉尔区", "1", "1", "0", "0", "0", "0", "0"],
        ["", "合计", "6", "2", "1", "1", "0", "1", "1"],
    ]
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and today().isoformat() in disposition
    missing = read_csv(client.get("/reports/completeness/missing.csv"))
    assert missing[0] == ["分组代码", "分组名称", "学校标识码", "学校名称", "所在旗县", "模板类别"]
    assert [row[2] for row in missing[1:]] == [TUMD, SPECIAL]


def test_csv_text_that_a_spreadsheet_would_run_is_escaped(client, auth, store, registry_text):
    store.init(parse_registry(registry_text + "2115000009,=1+2小学,21,150102,1\n"))
    auth.login("新城区")
    missing = read_csv(client.get("/reports/completeness/missing.csv"))
    assert ["150102", "新城区", "2115000009", "'=1+2小学", "新城区", "中小学"] in missing


# --- statistics ---------------------------------------------------------------------------------


def labelled(people, key, table):
    """Count the people's `key` values by their code table name, as the page shows them."""
    return Counter(table.by_label(p[key]).name for p in people)


def bars_match_table(html):
    """Assert the section's chart draws one bar per table row (two for the pyramid), to scale."""
    (table,) = tables_of(html, "stats")
    bars = svg_bars(html)
    counts = [[int(c) for c in row[1:-1]] if len(row) == 4 else [int(row[1])] for row in table["body"]]
    assert len(bars) == sum(len(c) for c in counts)
    values = [int(b.get("data-value")) for b in bars]
    assert values == [v for c in counts for v in c]
    labels = [b.get("data-label") for b in bars]
    sides = table["head"][0][1:-1] if len(table["head"][0]) == 4 else None
    if sides:
        assert labels == [f"{row[0]} {side}" for row in table["body"] for side in sides]
    else:
        assert labels == [row[0] for row in table["body"]]
    widths = [float(b.get("width")) for b in bars]
    largest = max(values)
    full = HALF if sides else PLOT
    for value, width in zip(values, widths):
        assert width == pytest.approx(value / largest * full, abs=0.01)
    return table, values


def test_statistics_charts_match_their_tables(client, auth, region, store):
    auth.login("自治区")
    page = text(client.get("/reports/statistics"))
    found = sections(page)
    assert list(found) == ["kind", "sex", "ethnicity", "age", "education", "professional_title", "established_post"]
    for key, html in found.items():
        table, _ = bars_match_table(html)
        assert table["foot"][0][0] == "合计", key
    everyone = [p for people in region.values() for p in people]
    assert f"共 {len(everyone)} 人" in page
    kind, _ = bars_match_table(found["kind"])
    assert [row[:2] for row in kind["body"]] == [["中小学", "11"], ["中职", "5"], ["高校", "4"]]
    sex, _ = bars_match_table(found["sex"])
    expected = labelled(everyone, "sex", store.catalogue.table("sex"))
    assert {row[0]: int(row[1]) for row in sex["body"]} == expected
    assert all("-" not in row[0] for row in sex["body"])  # names, not 代码-名称
    ethnicity, _ = bars_match_table(found["ethnicity"])
    assert {row[0]: int(row[1]) for row in ethnicity["body"]} == labelled(everyone, "ethnicity", store.catalogue.table("ethnicity"))
    age, _ = bars_match_table(found["age"])
    bands = Counter((age_band(p["birth_date"], today()), store.catalogue.table("sex").by_label(p["sex"]).name) for p in everyone)
    assert {(row[0], side): int(row[i]) for row in age["body"] for i, side in ((1, "男"), (2, "女"))} == {
        (row[0], side): bands[(row[0], side)] for row in age["body"] for side in ("男", "女")
    }
    assert age["body"][0][0] == "60岁及以上" and age["body"][-1][0] == "25岁以下"


def test_statistics_are_limited_to_the_territory_and_may_be_narrowed(client, auth, region):
    auth.login("呼和浩特市")
    kind = tables_of(sections(text(client.get("/reports/statistics")))["kind"], "stats")[0]
    assert [row[:2] for row in kind["body"]] == [["中小学", str(PEOPLE[XINCHENG])]]
    auth.login("自治区")
    page = text(client.get("/reports/statistics?area=150200"))
    assert "教职工统计：包头市" in page
    kind = tables_of(sections(page)["kind"], "stats")[0]
    assert [row[:2] for row in kind["body"]] == [["中小学", "1"], ["中职", str(PEOPLE[VOCATIONAL])]]
    assert 'href="/reports/statistics/kind.csv?area=150200"' in page
    # An area outside the territory names nothing: the whole territory is shown.
    auth.login("包头市")
    page = text(client.get("/reports/statistics?area=150100"))
    assert "教职工统计：包头市" in page and "共 6 人" in page


def test_statistics_without_data_say_so(client, auth):
    auth.login("新城区")
    page = text(client.get("/reports/statistics"))
    assert "暂无教职工数据" in page and "<svg" not in page


def test_statistics_csv_per_chart(client, auth, region):
    auth.login("自治区")
    found = sections(text(client.get("/reports/statistics")))
    for key, html in found.items():
        (table,) = tables_of(html, "stats")
        rows = read_csv(client.get(f"/reports/statistics/{key}.csv"))
        assert rows == table["head"] + table["body"] + table["foot"], key
    rows = read_csv(client.get("/reports/statistics/kind.csv?area=150200"))
    assert rows[1:] == [["中小学", "1", "16.7%"], ["中职", "5", "83.3%"], ["合计", "6", "100.0%"]]
    assert client.get("/reports/statistics/nothing.csv").status_code == 404


# --- the charts themselves ----------------------------------------------------------------------


def test_bar_chart_escapes_labels_and_sizes_from_the_data():
    rows = [("<script>alert(1)</script>", 3), ("A & B \"q\" 'x'", 0), ("很长的标签" * 5, 12)]
    svg = bar_chart(rows, "标题 <b>")
    root = ET.fromstring(str(svg))  # well-formed XML: every label escaped
    assert "<script>" not in svg and "<b>" not in svg
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert [b.get("data-label") for b in bars] == [label for label, _ in rows]
    assert [float(b.get("width")) for b in bars] == [pytest.approx(90), 0, pytest.approx(PLOT)]
    wider = bar_chart([("很长的标签" * 3, 1)], "t")
    narrow = bar_chart([("短", 1)], "t")
    width = lambda s: float(ET.fromstring(str(s)).get("width"))  # noqa: E731
    assert width(wider) > width(narrow)
    height = lambda s: float(ET.fromstring(str(s)).get("height"))  # noqa: E731
    assert height(bar_chart([("a", 1)] * 10, "t")) > height(bar_chart([("a", 1)] * 2, "t"))
    assert ET.fromstring(str(bar_chart([], "空"))).tag == f"{SVG}svg"  # nothing to draw is no error


def test_pyramid_chart_draws_two_sides_on_one_scale():
    svg = pyramid_chart([("60岁及以上", 2, 4), ("25岁以下", 1, 0)], "年龄", sides=("男", "女"))
    root = ET.fromstring(str(svg))
    bars = list(root.iter(f"{SVG}rect"))
    assert [(b.get("class"), b.get("data-value")) for b in bars] == [
        ("bar left", "2"), ("bar right", "4"), ("bar left", "1"), ("bar right", "0"),
    ]
    widths = [float(b.get("width")) for b in bars]
    assert widths == [pytest.approx(HALF / 2), pytest.approx(HALF), pytest.approx(HALF / 4), 0]
    left, right = bars[0], bars[1]
    # The left bar ends where the right one's side begins minus the label column: they grow apart.
    assert float(left.get("x")) + float(left.get("width")) < float(right.get("x"))
