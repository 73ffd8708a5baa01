import re
import shutil

import pytest

from staffrec.catalogue import KIND_NAMES, load_catalogue
from staffrec.errors import CatalogueError
from staffrec.paths import codes_dir


def spec_row_counts():
    """Row counts as the spec's INDEX.md states them, by table file stem."""
    text = (codes_dir() / "code-tables" / "INDEX.md").read_text(encoding="utf-8")
    return {m[1]: int(m[2]) for m in re.finditer(r"^\| (\w+)\.csv \|.*\| (\d+) \|$", text, re.M)}


def test_every_table_has_the_row_count_the_spec_states(cat):
    counts = spec_row_counts()
    assert len(counts) == 29
    regions = counts.pop("regions_150000")
    assert len(cat.regions) == regions == 114
    assert {name: len(cat.table(name)) for name in counts} == counts


def test_indicator_counts_and_order_per_kind(cat):
    assert {k: len(cat.kind(k).indicators) for k in KIND_NAMES} == {"中小学": 41, "中职": 35, "特教": 43, "高校": 35}
    k12 = cat.kind("中小学")
    assert k12.indicators[0].key == "name" and k12.indicators[-1].key == "remark"
    assert [i.order for i in k12.indicators] == list(range(1, 42))


def test_indicator_fields(cat):
    he = cat.kind("高校")
    id_number = he.indicator("id_number")
    assert (id_number.header, id_number.type, id_number.max_len, id_number.is_required) == ("身份证件号", "text", 18, True)
    assert id_number.header_label == "*身份证件号"
    degree = he.indicator("degree")
    assert (degree.table, degree.required, degree.header_label) == ("degree", "conditional", "最高学位名称")
    assert he.indicator("staff_source").table == "staff_source_he"
    assert cat.kind("中小学").indicator("staff_source").table == "staff_source_k12"
    assert he.indicator("remark").note == ""
    assert "YYYY-MM-DD" in he.indicator("birth_date").note


def test_header_lookup_ignores_star_spaces_and_width(cat):
    kind = cat.kind("中职")
    assert kind.by_header("*姓名").key == "name"
    assert kind.by_header(" ＊ 姓 名 ").key == "name"
    assert kind.by_header("企业工作（实践）时长").key == "enterprise_practice"
    assert kind.by_header("是否“双师型”教师").key == "dual_qualified"
    assert kind.by_header("导师类别") is None


def test_template_kind_of_each_school_category(cat):
    expected = {"21": "中小学", "31": "中小学", "32": "中小学", "34": "中小学", "37": "中小学",
                "36": "中职", "51": "特教", "41": "高校", "42": "高校"}
    for code, kind in expected.items():
        assert cat.kind_of_category(code).name == kind
    for code in ("11", "22", "33", "35", "91", "92", "93", "99"):
        assert cat.kind_of_category(code) is None
    assert cat.kind("高校").categories == ("41", "42")


def test_kind_by_template_name(cat):
    assert cat.kind_by_template_name("高校教职工信息采集模板").name == "高校"
    assert cat.kind_by_template_name("高校模板") is None


def test_catalogue_rejects_an_indicator_naming_an_unknown_table(tmp_path):
    copy = tmp_path / "codes"
    shutil.copytree(codes_dir(), copy)
    path = copy / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",code,sex,", ",code,gender,", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="gender"):
        load_catalogue(copy)


def test_adding_a_column_is_a_csv_edit(tmp_path):
    copy = tmp_path / "codes"
    shutil.copytree(codes_dir(), copy)
    with open(copy / "indicators.csv", "a", encoding="utf-8") as handle:
        handle.write("高校,高校教职工信息采集模板,36,email,电子邮箱,text,,N,60,,单位邮箱\n")
    kind = load_catalogue(copy).kind("高校")
    assert kind.keys[-1] == "email" and kind.by_header("电子邮箱").max_len == 60


def test_catalogue_rejects_gaps_in_column_order(tmp_path):
    copy = tmp_path / "codes"
    shutil.copytree(codes_dir(), copy)
    with open(copy / "indicators.csv", "a", encoding="utf-8") as handle:
        handle.write("高校,高校教职工信息采集模板,40,email,电子邮箱,text,,N,60,,\n")
    with pytest.raises(CatalogueError, match="orders"):
        load_catalogue(copy)


def test_rule_constants_name_real_codes(cat):
    rules = cat.rules
    tables = {
        "china_nationality": "nationality", "resident_card": "id_type", "no_degree": "degree_level",
        "no_degree_origin": "academic_origin", "exclusive_political": "political_status",
        "established": "yes_no", "not_established": "yes_no", "no_grassroots": "grassroots",
        "any_post_grade": "post_grade", "worker_post_category": "post_category",
        "worker_staff_category": "staff_category",
    }
    for key, table in tables.items():
        for code in rules.codes(key):
            assert cat.table(table).get(code) is not None, (key, code)
    assert (rules.number("adult_age"), rules.number("retirement_age")) == (18, 65)
    with pytest.raises(KeyError):
        rules.code("nope")
