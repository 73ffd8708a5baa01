import datetime

import pytest

from staffrec.cells import CellKind
from staffrec.idcard import make_id_number

BORN = datetime.date(1985, 3, 12)
MAN_ID = make_id_number("150102", BORN, 123, "1")
WOMAN_ID = make_id_number("150102", BORN, 124, "2")
PERSON = dict(birth_date="1985-03-12", work_start="2008-09", school_start="2015-09")


def only(report):
    """Return (code, row, column) of every finding."""
    return [(f.code, f.row, f.column) for f in report.findings]


@pytest.mark.parametrize("kind", ["中小学", "中职", "特教", "高校"])
def test_a_valid_person_has_no_findings(check_one, kind):
    assert only(check_one(kind)) == []


def test_required_item_missing(check_one):
    report = check_one("中小学", education_institution="")
    assert only(report) == [("cell.required", 4, "获得最高学历的院校或机构")]
    assert report.findings[0].severity == "error"


def test_optional_item_may_be_empty(check_one):
    assert only(check_one("中小学", former_name="", marital_status="", health="")) == []


@pytest.mark.parametrize(
    "typed, canonical",
    [("1", "1-男"), ("男", "1-男"), (" 1-男 ", "1-男"), ("１-男", "1-男")],
)
def test_tolerated_variants_of_a_code_are_warnings_naming_the_canonical_value(check_one, typed, canonical):
    report = check_one("高校", sex=typed, id_number=MAN_ID, **PERSON)
    assert only(report) == [("cell.variant", 4, "性别")]
    finding = report.findings[0]
    assert finding.severity == "warning" and f"“{canonical}”" in finding.message and finding.value == typed


def test_leading_zero_restored_is_a_warning(check_one):
    report = check_one("中职", ethnicity="1")
    assert only(report) == [("cell.variant", 4, "民族")]
    assert "01-汉族" in report.findings[0].message


def test_a_number_cell_in_a_code_column_is_a_warning(check_one):
    report = check_one("中职", nationality=(156.0, CellKind.NUMBER))
    assert only(report) == [("cell.variant", 4, "国籍/地区")]
    assert "存成了数字" in report.findings[0].message


def test_unknown_code_is_an_error(check_one):
    report = check_one("中小学", ethnicity="99-火星族")
    assert only(report) == [("code.unknown", 4, "民族")]
    assert "民族" in report.findings[0].message


def test_group_row_of_a_leaf_only_table_is_an_error(check_one):
    assert only(check_one("中小学", education="20-大学本科教育")) == [("code.group", 4, "最高学历")]


def test_group_row_of_a_table_that_allows_groups_passes(check_one):
    assert only(check_one("中小学", staff_source="10-录用")) == []


def test_code_of_another_kind_is_an_error(check_one):
    report = check_one("中小学", staff_category="20-科研机构人员", post_category="12-其他专业技术岗位", post_grade="110-专业技术岗位十级")
    assert ("code.not_for_kind", 4, "教职工类别") in only(report)


def test_multi_code_parts_are_checked_one_by_one(check_one):
    report = check_one("特教", political_status="01-中共党员,77-外星党")
    assert only(report) == [("code.unknown", 4, "政治面貌")]
    assert "77-外星党" in report.findings[0].message


def test_code_name_containing_a_separator_is_one_code(check_one):
    assert only(check_one("高校", supervisor="3-博士、硕士生导师")) == []


def test_text_too_long(check_one):
    report = check_one("高校", department="学" * 61)
    assert only(report) == [("text.too_long", 4, "所在二级单位")]


def test_spaces_inside_a_name(check_one):
    assert only(check_one("中职", name="张 三")) == [("text.name_spaces", 4, "姓名")]


def test_stray_spaces_around_text_are_a_warning(check_one):
    report = check_one("中职", native_place=("\u3000内蒙古呼和浩特市 ", CellKind.TEXT))
    assert only(report) == [("cell.variant", 4, "籍贯")]


@pytest.mark.parametrize("value", ["1985-02-30", "85-3-1", "明年"])
def test_invalid_dates(check_one, value):
    report = check_one("高校", birth_date=value)
    assert ("date.invalid", 4, "出生日期") in only(report)


def test_date_variants_are_warnings(check_one):
    for typed in ("1985.03.12", "1985年3月12日", "19850312", "1985/3/12"):
        report = check_one("高校", **{**PERSON, "birth_date": typed}, id_number=WOMAN_ID, sex="2-女")
        assert [f.code for f in report.findings if f.column == "出生日期"] == ["cell.variant"], typed


def test_an_excel_date_cell_is_a_warning_naming_the_text(check_one):
    import datetime

    date_cell = (datetime.datetime(1985, 3, 12), CellKind.DATE)
    report = check_one("高校", **{**PERSON, "birth_date": date_cell}, id_number=WOMAN_ID, sex="2-女")
    assert only(report) == [("cell.variant", 4, "出生日期")]
    assert "日期格式" in report.findings[0].message and "1985-03-12" in report.findings[0].message


def test_year_month_variants_and_errors(check_one):
    person = dict(PERSON, id_number=MAN_ID, sex="1-男")
    assert only(check_one("中小学", **{**person, "school_start": "2015.9"})) == [("cell.variant", 4, "进本校年月")]
    assert only(check_one("中小学", **{**person, "school_start": "2015-13"})) == [("yearmonth.invalid", 4, "进本校年月")]


def test_year_month_stored_as_a_one_decimal_number_is_ambiguous(check_one):
    person = dict(PERSON, id_number=MAN_ID, sex="1-男")
    report = check_one("中小学", **{**person, "school_start": (2015.1, CellKind.NUMBER)})
    assert only(report) == [("yearmonth.ambiguous", 4, "进本校年月")]
    report = check_one("中小学", **{**person, "school_start": (2015.09, CellKind.NUMBER)})
    assert only(report) == [("cell.variant", 4, "进本校年月")]


def test_dates_in_the_future(check_one):
    assert only(check_one("中小学", school_start="2027-01")) == [("date.future", 4, "进本校年月")]


def test_year_month_typed_as_text_2015_1_is_ambiguous_too(check_one):
    person = dict(PERSON, id_number=MAN_ID, sex="1-男")
    report = check_one("中小学", **{**person, "school_start": "2015.1"})
    assert only(report) == [("yearmonth.ambiguous", 4, "进本校年月")]


def test_full_width_id_number_is_a_variant_not_a_crash(check_one):
    wide = MAN_ID.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    report = check_one("高校", id_number=wide, **PERSON, sex="1-男")
    assert only(report) == [("cell.variant", 4, "身份证件号")]
    assert MAN_ID in report.findings[0].message


def test_a_short_number_in_the_id_column_lost_nothing(check_one):
    report = check_one("高校", **PERSON, sex="1-男", id_type="A-护照", id_number=(12345678.0, CellKind.NUMBER))
    assert only(report) == [("cell.variant", 4, "身份证件号")]


def test_a_deleted_column_is_reported_once_not_per_row(tmp_path, school_of_kind, cat):
    import io

    import openpyxl

    from staffrec import new_template, validate
    from staffrec.demo_staff import demo_records

    school = school_of_kind("中小学")
    template = new_template(school, demo_records(school, 20), signoff={"entered_by": "甲", "checked_by": "乙"})
    book = openpyxl.load_workbook(io.BytesIO(template.to_bytes("xlsx")))
    book["教职工基础信息"].cell(row=3, column=3).value = None  # the 性别 header
    path = tmp_path / school.file_name(".xlsx")
    book.save(path)
    report = validate(path, today=datetime.date(2026, 9, 15))
    assert [(f.code, f.column) for f in report.findings] == [("header.missing", "性别")]


def test_a_group_code_in_post_grade_is_one_finding(check_one):
    report = check_one("中小学", **PERSON, id_number=MAN_ID, post_category="11-教师岗位", post_grade="1-专业技术岗位")
    assert only(report) == [("code.group", 4, "岗位等级")]
