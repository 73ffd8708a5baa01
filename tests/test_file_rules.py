"""File-level rules, checked on real files written to disk."""

import datetime

from staffrec import new_template
from staffrec.checks import validate
from staffrec.demo_staff import demo_records
from staffrec.layout import STAMP_SHEET

DAY = datetime.date(2026, 9, 15)
SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}


def saved(tmp_path, school, count=2, signoff=SIGNOFF, name=None):
    template = new_template(school, demo_records(school, count), signoff=signoff)
    path = template.save(tmp_path)
    if name:
        path = path.rename(tmp_path / name)
    return path


def codes(report):
    return [f.code for f in report.findings]


def test_a_correct_file_passes_with_the_registry(tmp_path, school_of_kind, registry):
    report = validate(saved(tmp_path, school_of_kind("中职")), registry=registry, today=DAY)
    assert report.valid and codes(report) == [] and report.rows == 2


def test_renamed_file(tmp_path, school_of_kind, registry):
    path = saved(tmp_path, school_of_kind("中职"), name="3615000004_包头市第一中等职业学校_中职教职工信息采集模板(1).xls")
    assert codes(validate(path, registry=registry, today=DAY)) == ["name.copy_suffix"]


def test_another_schools_template_under_this_schools_name(tmp_path, registry):
    source = registry.get("2115000001")
    path = saved(tmp_path, source, name="3415000002_土默特左旗第一中学_中小学教职工信息采集模板.xls")
    report = validate(path, registry=registry, today=DAY)
    assert codes(report) == ["identity.name_vs_stamp"]
    assert "2115000001" in report.findings[0].message and "3415000002" in report.findings[0].message


def test_school_not_in_the_registry_or_renamed_there(tmp_path, registry, cat):
    from staffrec.identity import SchoolId
    from staffrec.registry import School

    stranger = School(SchoolId.parse("2115000999"), "不存在小学", "21", "150102", "1")
    assert codes(validate(saved(tmp_path, stranger), registry=registry, today=DAY)) == ["identity.not_in_registry"]
    renamed = School(SchoolId.parse("2115000001"), "新城区第一小学（新）", "21", "150102", "1")
    assert codes(validate(saved(tmp_path, renamed), registry=registry, today=DAY)) == ["identity.name_vs_registry"]


def test_template_kind_against_the_school_category(tmp_path, school_of_kind, cat):
    import xlrd  # noqa: F401  (the file is rewritten through the reader's own API below)

    school = school_of_kind("中职")
    template = new_template(school, demo_records(school, 1), signoff=SIGNOFF)
    template.kind = cat.kind("中小学")
    template.records = []
    data = template.to_bytes("xls")
    report = validate(data, name=school.file_name(), today=DAY)
    assert "identity.kind_vs_school" in codes(report)


def test_empty_template(tmp_path, school_of_kind):
    report = validate(saved(tmp_path, school_of_kind("特教"), count=0), today=DAY)
    assert codes(report) == ["file.no_records"]


def test_sign_off_rules(tmp_path, school_of_kind):
    school = school_of_kind("特教")
    assert codes(validate(saved(tmp_path, school, signoff={}), today=DAY)) == ["signoff.missing", "signoff.missing"]
    same = {"entered_by": "李明", "checked_by": "李明"}
    assert codes(validate(saved(tmp_path, school, signoff=same), today=DAY)) == ["signoff.same_person"]
    late = dict(SIGNOFF, filled_on="2027-01-01")
    assert codes(validate(saved(tmp_path, school, signoff=late), today=DAY)) == ["signoff.date_invalid"]


def test_stamp_of_an_older_version_is_a_warning(tmp_path, school_of_kind):
    import io

    import openpyxl

    school = school_of_kind("高校")
    template = new_template(school, demo_records(school, 1), signoff=SIGNOFF)
    book = openpyxl.load_workbook(io.BytesIO(template.to_bytes("xlsx")))
    for row in book[STAMP_SHEET].iter_rows():
        if row[0].value == "模板版本":
            row[1].value = "2019.1"
    path = tmp_path / school.file_name(".xlsx")
    book.save(path)
    report = validate(path, today=DAY)
    assert codes(report) == ["stamp.version"] and report.valid


def test_unreadable_file_still_gets_its_name_checked(tmp_path):
    path = tmp_path / "成绩.xls"
    path.write_bytes(b"<html><table></table></html>")
    assert codes(validate(path, today=DAY)) == ["file.not_workbook", "name.parts"]


def test_a_school_of_another_province(tmp_path, cat):
    from staffrec.identity import SchoolId
    from staffrec.registry import School

    beijing = School(SchoolId.parse("2111000001"), "北京某小学", "21", "150102", "1")
    assert codes(validate(saved(tmp_path, beijing), today=DAY)) == ["identity.other_province"]
