import pytest

from staffrec.codes import Code, CodeTable
from staffrec.errors import CatalogueError


def test_lookup_by_code_name_and_label(cat):
    sex = cat.table("sex")
    assert sex.get("1").name == "男"
    assert sex.by_name("女").code == "2"
    assert sex.by_label("1-男").code == "1"
    assert sex.by_label("1-女") is None
    assert sex.get("男") is None
    assert [sex.lookup(t).code for t in ("1-男", "1", "男", " 男 ", "１")] == ["1"] * 5


def test_codes_keep_leading_zeros(cat):
    assert cat.table("ethnicity").get("01").label == "01-汉族"
    assert cat.table("ethnicity").get("1") is None
    assert cat.table("nationality").get("156").name == "中国"
    assert cat.table("professional_title").get("011").name == "教授"


def test_groups_and_leaves(cat):
    education = cat.table("education")
    assert education.is_group("20") and not education.is_group("21")
    assert [c.code for c in education.groups()] == ["10", "20", "30", "40", "60", "70", "80"]
    assert "90" in [c.code for c in education.leaves()]
    assert not education.is_selectable("20") and education.is_selectable("21")
    # Tables whose group rows may be chosen.
    assert cat.table("staff_source_k12").is_selectable("10")
    assert cat.table("staff_category").is_selectable("10")


def test_leaf_only_tables_offer_only_leaves(cat):
    for name in ("education", "post_category", "post_grade", "professional_title"):
        table = cat.table(name)
        assert table.leaves_only
        assert all(not table.is_group(c.code) for c in table.choices())
    assert [c.code for c in cat.table("post_category").choices()] == ["11", "12", "2", "3"]


def test_staff_category_filter_per_kind_and_scope(cat):
    table = cat.table("staff_category")
    k12 = {c.code for c in table.choices("中小学")}
    he = {c.code for c in table.choices("高校")}
    assert "55" in k12 and "55" not in he
    assert "20" in he and "20" not in k12
    assert not table.get("55").in_scope and table.get("11").in_scope
    in_scope = {c.code for c in table.choices("中小学", in_scope_only=True)}
    assert in_scope.isdisjoint({"50", "51", "52", "53", "54", "55", "56", "59"})
    assert "11" in in_scope


def test_degree_rows_carry_their_level(cat):
    assert cat.table("degree").get("204").extra["level"] == "2"
    assert cat.table("degree").get("444").extra["level"] == "4"


def test_names_shared_by_two_rows_are_not_a_lookup_key():
    table = CodeTable("t", "t", [Code("1", "其他"), Code("2", "其他"), Code("3", "无")])
    assert table.by_name("其他") is None and table.by_name("无").code == "3"


def test_duplicate_codes_and_dangling_parents_are_rejected():
    with pytest.raises(CatalogueError, match="twice"):
        CodeTable("t", "t", [Code("1", "a"), Code("1", "b")])
    with pytest.raises(CatalogueError, match="parent"):
        CodeTable("t", "t", [Code("11", "a", parent="10")])


def test_regions(cat):
    regions = cat.regions
    assert regions.province.code == "150000"
    assert len(regions.cities()) == 12 and len(regions.counties()) == 101
    assert regions.city_of("150121").name == "呼和浩特市"
    assert regions.county("150100") is None
    assert {c.code for c in regions.counties("152900")} == {"152921", "152922", "152923"}
