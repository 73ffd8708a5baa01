import openpyxl
import pytest

from staffrec import new_template
from staffrec.annotate import ERROR_COLOR, WARNING_COLOR, escape_formula, write_annotated
from staffrec.checks import validate
from staffrec.cli import main
from staffrec.demo_staff import COLLECTION_DATE, demo_records
from staffrec.records import Record

SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}
SHEETS = ["错误清单", "教职工基础信息", "代码表", "填表说明", "模板标识"]
HYPERLINK = '=HYPERLINK("http://x","点我")'


def as_typed(template, row):
    """Append a row exactly as a clerk typed it (new_template would store canonical values)."""
    template.add(Record(template.kind.keys, tuple(row.get(k, "") for k in template.kind.keys)))


def fill_of(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


@pytest.fixture
def rows(school_of_kind, cat):
    people = demo_records(school_of_kind("中小学"), 3, seed=1, catalogue=cat)
    people[0]["sex"] = "男性"  # error
    people[1]["sex"] = people[1]["sex"].partition("-")[2]  # 女 or 男: a variant, warning only
    return people


def save(tmp_path, school, cat, rows, fmt="xls"):
    template = new_template(school, signoff=SIGNOFF, catalogue=cat)
    for row in rows:
        as_typed(template, row)
    return template.save(tmp_path, fmt=fmt)


def check(path, registry):
    return validate(path, registry=registry, today=COLLECTION_DATE)


def test_cells_with_findings_are_filled_and_commented(tmp_path, school_of_kind, cat, registry, rows):
    path = save(tmp_path, school_of_kind("中小学"), cat, rows)
    report = check(path, registry)
    assert [(f.row, f.column, f.code) for f in report.findings] == [(4, "性别", "code.unknown"), (5, "性别", "cell.variant")]
    out = write_annotated(path, report, tmp_path / "new" / "dir")
    assert out.name == "2115000001_新城区第一小学_中小学教职工信息采集模板_校验结果.xlsx"
    sheet = openpyxl.load_workbook(out)["教职工基础信息"]
    assert sheet["C4"].value == "男性" and fill_of(sheet["C4"]) == ERROR_COLOR
    assert sheet["C4"].comment.text == f"[错误] {report.findings[0].message}"
    assert fill_of(sheet["C5"]) == WARNING_COLOR and "规范写法是“" in sheet["C5"].comment.text
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.comment] == ["C4", "C5"]
    assert fill_of(sheet["C6"]) is None and sheet["A4"].value == rows[0]["name"]


def test_error_list_comes_first_and_lists_every_finding(tmp_path, school_of_kind, cat, registry, rows):
    path = save(tmp_path, school_of_kind("中小学"), cat, rows)
    report = check(path, registry)
    book = openpyxl.load_workbook(write_annotated(path, report, tmp_path / "out"))
    assert book.sheetnames == SHEETS
    assert book["模板标识"].sheet_state == "hidden"
    listed = [tuple("" if v is None else v for v in row) for row in book["错误清单"].iter_rows(values_only=True)]
    assert listed == report.to_rows()
    assert [row[1] for row in listed[1:]] == [4, 5]
    assert fill_of(book["错误清单"]["E2"]) == ERROR_COLOR and fill_of(book["错误清单"]["E3"]) == WARNING_COLOR


def test_formula_like_values_are_escaped(tmp_path, school_of_kind, cat, registry, rows):
    rows[0]["sex"] = HYPERLINK
    rows[0]["ethnicity"] = "+1"
    rows[0]["marital_status"] = "@SUM(A1)"
    path = save(tmp_path, school_of_kind("中小学"), cat, rows)
    report = check(path, registry)
    book = openpyxl.load_workbook(write_annotated(path, report, tmp_path / "out"))
    listing = book["错误清单"]
    values = [row[3].value for row in listing.iter_rows(min_row=2) if row[0].value]
    assert {"'" + HYPERLINK, "'+1", "'@SUM(A1)"} <= set(values)
    assert all(c.data_type != "f" for row in listing.iter_rows() for c in row)
    copied = book["教职工基础信息"]["C4"]
    # The copy keeps the value as typed, stored as text with Excel's own quote prefix.
    assert (copied.value, copied.data_type, copied.quotePrefix) == (HYPERLINK, "s", True)
    assert fill_of(copied) == ERROR_COLOR


def test_escape_formula_follows_owasp():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert escape_formula(text) == "'" + text
    for text in ("", "1-男", "张三", "'=x", 5, None):
        assert escape_formula(text) == text


def test_moved_and_extra_columns_mark_the_right_cells(tmp_path, school_of_kind, cat, registry, rows):
    path = save(tmp_path, school_of_kind("中小学"), cat, rows, fmt="xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["教职工基础信息"]
    for row in range(3, 7):  # swap 性别 (C) and 教职工号 (D), header included
        sheet[f"C{row}"].value, sheet[f"D{row}"].value = sheet[f"D{row}"].value, sheet[f"C{row}"].value
    sheet["AR3"] = "额外列"
    book.save(path)
    report = check(path, registry)
    assert {"header.moved", "header.extra", "code.unknown"} <= set(report.codes())
    copy = openpyxl.load_workbook(write_annotated(path, report, tmp_path / "out"))["教职工基础信息"]
    assert copy["D4"].value == "男性" and fill_of(copy["D4"]) == ERROR_COLOR and "男性" in copy["D4"].comment.text
    assert copy["C4"].comment is None and fill_of(copy["C4"]) is None
    assert fill_of(copy["D5"]) == WARNING_COLOR
    assert any("位置被移动" in (copy[c].comment.text if copy[c].comment else "") for c in ("C3", "D3"))
    assert "不是本模板的列" in copy["AR3"].comment.text


def test_unreadable_file_gets_just_the_list(tmp_path):
    path = tmp_path / "4115010126_内蒙古大学_高校教职工信息采集模板.xls"
    path.write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    report = validate(path)
    assert report.kind is None
    out = write_annotated(path, report, tmp_path / "out")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["错误清单"]
    assert [row[5] for row in book["错误清单"].iter_rows(min_row=2, values_only=True)] == report.codes()


def test_cli_validate_annotate(tmp_path, school_of_kind, cat, rows, capsys):
    path = save(tmp_path, school_of_kind("中小学"), cat, rows)
    broken = tmp_path / "broken.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert main(["validate", str(path), str(broken), "--annotate", str(tmp_path / "marked")]) == 1
    names = sorted(p.name for p in (tmp_path / "marked").iterdir())
    assert names == ["2115000001_新城区第一小学_中小学教职工信息采集模板_校验结果.xlsx", "broken_校验结果.xlsx"]
