import datetime

import pytest

from staffrec.cells import CellKind
from staffrec.idcard import make_id_number

BORN = datetime.date(1985, 3, 12)
MAN_ID = make_id_number("150102", BORN, 123, "1")
PERSON = dict(birth_date="1985-03-12", sex="1-男", id_type="1-居民身份证", work_start="2008-09", school_start="2015-09")


def codes(report):
    return [(f.code, f.row, f.column) for f in report.findings]


def test_valid_number_passes(check_one):
    assert codes(check_one("中小学", id_number=MAN_ID, **PERSON)) == []


def test_gb11643_test_vector_passes(check_one):
    person = dict(PERSON, birth_date="1949-12-31", sex="2-女")
    report = check_one("中小学", id_number="11010519491231002X", **person)
    assert [f.code for f in report.findings] == ["row.age_unusual"]


def test_an_id_stored_as_a_number_says_the_digits_are_lost(check_one):
    report = check_one("中小学", id_number=(float(MAN_ID[:17] + "0"), CellKind.NUMBER), **PERSON)
    assert codes(report) == [("id.number_cell", 4, "身份证件号")]
    assert "后几位已经丢失" in report.findings[0].message and "重新录入" in report.findings[0].message


@pytest.mark.parametrize("number", ["15010219850312", "15010219850312123", "1501021985031212345", "15010219850312123Y"])
def test_wrong_shape(check_one, number):
    assert codes(check_one("中小学", id_number=number, **PERSON)) == [("id.format", 4, "身份证件号")]


def test_lower_case_x_is_a_warning_naming_upper_case(check_one):
    person = dict(PERSON, birth_date="1949-12-31", sex="2-女")
    report = check_one("中小学", id_number="11010519491231002x", **person)
    assert [f.code for f in report.findings] == ["id.lowercase_x", "row.age_unusual"]
    assert "11010519491231002X" in report.findings[0].message


def test_birth_digits_that_are_no_date(check_one):
    number = "150102198502301234"
    assert codes(check_one("中小学", id_number=number, **PERSON)) == [("id.birth_invalid", 4, "身份证件号")]


def test_wrong_check_character_names_the_right_one(check_one):
    wrong = MAN_ID[:17] + ("0" if MAN_ID[17] != "0" else "1")
    report = check_one("中小学", id_number=wrong, **PERSON)
    assert codes(report) == [("id.check_digit", 4, "身份证件号")]
    assert f"应为 {MAN_ID[17]}" in report.findings[0].message


def test_sex_must_agree_with_digit_17(check_one):
    report = check_one("中小学", id_number=MAN_ID, **dict(PERSON, sex="2-女"))
    assert codes(report) == [("id.sex_mismatch", 4, "性别")]


def test_birth_date_must_agree_with_digits_7_to_14(check_one):
    report = check_one("中小学", id_number=MAN_ID, **dict(PERSON, birth_date="1985-03-13"))
    assert codes(report) == [("id.birth_mismatch", 4, "出生日期")]


def test_other_document_types_skip_the_resident_card_rules(check_one):
    report = check_one("高校", id_number="E12345678", **dict(PERSON, id_type="A-护照"))
    assert codes(report) == []


def test_duplicate_numbers_in_one_file(check_one):
    other = make_id_number("150102", BORN, 125, "1")
    rows = [dict(PERSON, id_number=MAN_ID), dict(PERSON, id_number=other), dict(PERSON, id_number=MAN_ID.lower())]
    report = check_one("中小学", rows=rows)
    assert codes(report) == [("id.duplicate", 6, "身份证件号")]
    assert "第 4 行" in report.findings[0].message
