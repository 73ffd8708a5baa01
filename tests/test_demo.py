"""Demo registry and demo staff records: deterministic, covering the region, and free of findings."""

import datetime
import re

import pytest

from staffrec.catalogue import catalogue
from staffrec.demo import chinese_number, demo_records, demo_registry
from staffrec.identity import SchoolId
from staffrec.idcard import birth_date, is_valid, sex_code
from staffrec.registry import parse_registry, registry_csv

COLLECTION_DATE = datetime.date(2026, 9, 1)
LAST_MONTH = "2026-08"
KIND_OF_CATEGORY = {"21": "中小学", "31": "中小学", "32": "中小学", "34": "中小学", "37": "中小学",
                    "36": "中职", "51": "特教", "41": "高校", "42": "高校"}
ILLEGAL_IN_FILE_NAMES = set('_\\/:*?"<>|')
PER_KIND = 200


@pytest.fixture(scope="module")
def cat():
    return catalogue()


@pytest.fixture(scope="module")
def registry(cat):
    return demo_registry(catalogue=cat)


def _school(registry, kind, private=False):
    """The first school of a kind (and ownership) in the demo registry."""
    return next(s for s in registry if s.kind().name == kind and s.is_private == private)


@pytest.fixture(scope="module")
def records_by_kind(registry, cat):
    return {kind: (_school(registry, kind), demo_records(_school(registry, kind), PER_KIND, catalogue=cat))
            for kind in cat.kinds}


@pytest.fixture(scope="module")
def private_records(registry, cat):
    school = _school(registry, "中小学", private=True)
    return school, demo_records(school, PER_KIND, catalogue=cat)


def _all_rows(records_by_kind, private_records):
    """Every generated row with its school and kind name."""
    rows = [(school, kind, r) for kind, (school, records) in records_by_kind.items() for r in records]
    school, records = private_records
    return rows + [(school, school.kind().name, r) for r in records]


def _code(value):
    """The code part of a `代码-名称` cell."""
    return value.split("-", 1)[0] if value else ""


def _age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _months_after_18th_birthday(birth, year_month):
    """Tell whether a YYYY-MM month lies wholly after the 18th birthday."""
    year, month = map(int, year_month.split("-"))
    return (year, month) > (birth.year + 18, birth.month)


# ---- registry ----------------------------------------------------------------


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99, 100, 105, 110, 999)] == [
        "一", "十", "十一", "二十", "二十一", "九十九", "一百", "一百零五", "一百一十", "九百九十九"]


def test_registry_is_deterministic(cat):
    first, second = demo_registry(catalogue=cat), demo_registry(catalogue=cat)
    assert tuple(first) == tuple(second)
    assert tuple(demo_registry(seed=7, catalogue=cat)) != tuple(first)


def test_registry_covers_every_city_and_county(registry, cat):
    counties = {c.code for c in cat.regions.counties()}
    assert {s.county for s in registry} == counties
    for city in cat.regions.cities():
        assert registry.in_city(city.code)


def test_registry_has_all_kinds_and_categories(registry, cat):
    kinds = {s.kind().name for s in registry}
    assert kinds == set(cat.kinds)
    categories = {s.category for s in registry}
    assert {"21", "31", "32", "34", "37", "36", "51", "41", "42"} <= categories
    assert len(registry.of_kind("特教")) >= len(cat.regions.cities())


def test_registry_has_some_private_schools_named_as_such(registry):
    private = [s for s in registry if s.is_private]
    assert 0.02 <= len(private) / len(registry) <= 0.1
    assert all("民办" in s.name for s in private)
    assert not any("民办" in s.name for s in registry if not s.is_private)


def test_registry_ids_and_names_are_unique_and_file_safe(registry):
    ids = [str(s.id) for s in registry]
    names = [s.name for s in registry]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for name in names:
        assert not ILLEGAL_IN_FILE_NAMES & set(name)
        assert re.fullmatch(r"[\u4e00-\u9fff]+", name), name


def test_registry_ids_parse_and_match_kind(registry, cat):
    for school in registry:
        parsed = SchoolId.parse(str(school.id), cat)
        assert parsed == school.id
        assert school.id.province == "15"
        assert school.category == school.id.category
        assert school.kind(cat).name == KIND_OF_CATEGORY[school.category]
        assert school.ownership in ("1", "2")
        if school.kind(cat).name == "高校":
            assert re.fullmatch(r"0\d{5}", school.id.sequence)
            assert school.id.national_code.startswith("1")
        else:
            assert re.fullmatch(r"\d{6}", school.id.sequence)


def test_higher_education_sits_in_city_seats(registry, cat):
    seats = {cat.regions.counties(city.code)[0].code for city in cat.regions.cities()}
    seats = seats - {"152501"} | {"152502"}  # 锡林郭勒盟 sits in 锡林浩特市, not 二连浩特市
    higher_ed = registry.of_kind("高校")
    assert {s.county for s in higher_ed} <= seats
    assert len({cat.regions.city_of(s.county).code for s in higher_ed}) == len(cat.regions.cities())


def test_registry_round_trips_through_csv(registry, cat):
    parsed = parse_registry(registry_csv(registry), catalogue=cat)
    assert tuple(parsed) == tuple(registry)


def test_per_county_scales_to_benchmark_size(cat):
    large = demo_registry(per_county=48, catalogue=cat)
    assert 4500 <= len(large) <= 5600
    assert len({s.name for s in large}) == len(large)
    assert len({str(s.id) for s in large}) == len(large)


# ---- records -----------------------------------------------------------------


def test_records_are_deterministic(registry, cat):
    school = _school(registry, "中小学")
    assert demo_records(school, 30, catalogue=cat) == demo_records(school, 30, catalogue=cat)
    assert demo_records(school, 30, seed=1, catalogue=cat) != demo_records(school, 30, catalogue=cat)
    assert demo_records(school, 10, catalogue=cat) == demo_records(school, 30, catalogue=cat)[:10]


def test_records_have_exactly_the_kind_keys(records_by_kind, cat):
    for kind, (_, records) in records_by_kind.items():
        assert len(records) == PER_KIND
        for record in records:
            assert tuple(record) == cat.kind(kind).keys
            assert all(isinstance(v, str) for v in record.values())


def test_coded_values_are_selectable_labels(records_by_kind, private_records, cat):
    for _, kind, record in _all_rows(records_by_kind, private_records):
        for indicator in cat.kind(kind).indicators:
            value = record[indicator.key]
            if not indicator.is_coded or not value:
                continue
            table = cat.table(indicator.table)
            parts = value.split(",") if indicator.type == "multicode" else [value]
            for part in parts:
                row = table.by_label(part)
                assert row is not None, (indicator.key, part)
                assert table.is_selectable(row.code), (indicator.key, part)


def test_required_items_present_and_texts_within_limits(records_by_kind, private_records, cat):
    for _, kind, record in _all_rows(records_by_kind, private_records):
        for indicator in cat.kind(kind).indicators:
            value = record[indicator.key]
            if indicator.is_required:
                assert value, indicator.key
            if indicator.max_len:
                assert len(value) <= indicator.max_len, indicator.key
            if indicator.type == "date" and value:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
                assert datetime.date.fromisoformat(value) < COLLECTION_DATE
            if indicator.type == "yearmonth" and value:
                assert re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value), (indicator.key, value)
                assert value <= LAST_MONTH


def test_names_are_chinese_and_include_mongolian_names(records_by_kind, private_records):
    rows = _all_rows(records_by_kind, private_records)
    for _, _, record in rows:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,5}", record["name"]), record["name"]
    mongolian = [r["name"] for _, _, r in rows if r["ethnicity"] == "02-蒙古族"]
    assert any(name.endswith(("巴特尔", "其其格", "乌云", "斯琴", "朝鲁", "宝音")) for name in mongolian)


def test_identity_numbers_agree_with_sex_and_birth(records_by_kind, private_records, cat):
    counties = {c.code for c in cat.regions.counties()}
    for school, _, record in _all_rows(records_by_kind, private_records):
        number = record["id_number"]
        assert record["id_type"] == "1-居民身份证"
        assert is_valid(number), number
        assert number[:6] in counties
        assert sex_code(number) == _code(record["sex"])
        assert birth_date(number).isoformat() == record["birth_date"]
        assert 22 <= _age_on(birth_date(number), COLLECTION_DATE) <= 60


def test_identity_numbers_mostly_come_from_the_school_county(records_by_kind):
    school, records = records_by_kind["中小学"]
    local = sum(r["id_number"].startswith(school.county) for r in records)
    assert local > len(records) / 2


def test_identity_numbers_unique_in_a_school(registry, cat):
    school = _school(registry, "高校")
    numbers = [r["id_number"] for r in demo_records(school, 3000, catalogue=cat)]
    assert len(set(numbers)) == len(numbers)


def test_taken_ids_make_numbers_unique_across_schools(registry, cat):
    taken = set()
    numbers = []
    for school in registry.in_county(registry.of_kind("高校")[0].county):
        numbers += [r["id_number"] for r in demo_records(school, 200, catalogue=cat, taken_ids=taken)]
    assert len(set(numbers)) == len(numbers) == len(taken)


def test_nationality_ethnicity_and_political_status(records_by_kind, private_records):
    multiple = 0
    for _, _, record in _all_rows(records_by_kind, private_records):
        assert record["nationality"] == "156-中国"
        assert record["ethnicity"]
        codes = [_code(part) for part in record["political_status"].split(",")]
        assert codes and all(codes)
        assert len(codes) == len(set(codes))
        if "12" in codes or "13" in codes:
            assert len(codes) == 1
        multiple += len(codes) > 1
    assert multiple > 0


def test_degree_and_education_agree(records_by_kind, private_records, cat):
    degrees = cat.table("degree")
    education_of_level = {"2": "11", "3": "14", "4": "21"}
    for _, _, record in _all_rows(records_by_kind, private_records):
        level, education = _code(record["degree_level"]), _code(record["education"])
        assert not cat.table("education").is_group(education)
        if level == "0":
            assert record["degree"] == "" and record["degree_institution"] == ""
            assert education[0] in "345678"
        else:
            assert record["degree"] and record["degree_institution"]
            assert degrees.get(_code(record["degree"])).extra["level"] == level
            assert education == education_of_level[level]


def test_work_and_school_dates_are_consistent(records_by_kind, private_records):
    for _, kind, record in _all_rows(records_by_kind, private_records):
        birth = datetime.date.fromisoformat(record["birth_date"])
        work, school_start = record["work_start"], record["school_start"]
        assert _months_after_18th_birthday(birth, work)
        assert work <= school_start <= LAST_MONTH
        if kind == "特教":
            assert work <= record["sped_start"] <= LAST_MONTH


def test_grassroots_dates_only_with_a_project(records_by_kind, private_records):
    seen_project = False
    for _, kind, record in _all_rows(records_by_kind, private_records):
        if "grassroots" not in record:
            continue
        start, end = record["grassroots_start"], record["grassroots_end"]
        if _code(record["grassroots"]) == "0":
            assert start == "" and end == ""
        else:
            seen_project = True
            assert record["work_start"] <= start <= end <= LAST_MONTH
    assert seen_project


def test_public_schools_collect_established_staff_only(records_by_kind):
    for school, records in records_by_kind.values():
        assert not school.is_private
        for record in records:
            assert record["established_post"] == "1-是"
            assert record["employment_form"] == ""


def test_private_school_staff(private_records):
    school, records = private_records
    assert school.is_private
    not_established = 0
    for record in records:
        assert _code(record["post_category"]) != "3"
        if _code(record["established_post"]) == "0":
            not_established += 1
            assert record["employment_form"]
        else:
            assert record["employment_form"] == ""
    assert not_established > PER_KIND / 2


def test_post_grade_matches_post_category(records_by_kind, private_records, cat):
    group_of_category = {"11": "1", "12": "1", "2": "2", "3": "3"}
    for _, _, record in _all_rows(records_by_kind, private_records):
        category, grade = _code(record["post_category"]), _code(record["post_grade"])
        assert not cat.table("post_category").is_group(category)
        assert not cat.table("post_grade").is_group(grade)
        assert grade == "999" or cat.table("post_grade").get(grade).parent == group_of_category[category]
        assert not cat.table("professional_title").is_group(_code(record["professional_title"]))


def test_staff_category_in_scope_for_the_kind(records_by_kind, private_records, cat):
    table = cat.table("staff_category")
    for _, kind, record in _all_rows(records_by_kind, private_records):
        allowed = {c.label for c in table.choices(kind, in_scope_only=True)}
        assert record["staff_category"] in allowed


def test_staff_source_uses_the_kind_table(records_by_kind, cat):
    he_labels = {c.label for c in cat.table("staff_source_he")}
    k12_labels = {c.label for c in cat.table("staff_source_k12")}
    for kind, (_, records) in records_by_kind.items():
        labels = he_labels if kind == "高校" else k12_labels
        assert all(r["staff_source"] in labels for r in records)
