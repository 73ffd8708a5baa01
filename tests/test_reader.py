"""Reading files that staffrec did not write: other programs' workbooks and wrong formats."""

import datetime
import io

import openpyxl
import pytest
import xlwt

from staffrec import CellKind, new_template, open_template
from staffrec.layout import DATA_SHEET

NAME = "4115010126_内蒙古大学_高校教职工信息采集模板.xls"


def he_headers(cat, star=False):
    kind = cat.kind("高校")
    return [i.header_label if star else i.header for i in kind.indicators]


def xlwt_book(rows, sheet_name=DATA_SHEET, date_cells=()):
    """Write rows with xlwt the way another program would: no stamp, numbers and dates as such."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(sheet_name)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            sheet.write(r, c, value, date_style if (r, c) in date_cells else xlwt.Style.default_style)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(cat, **changes):
    values = dict.fromkeys(cat.kind("高校").keys, "")
    values.update(name="乌云", sex="2-女", nationality="156-中国", id_type="1-居民身份证", id_number="11010519491231002X")
    values.update(changes)
    return [values[k] for k in cat.kind("高校").keys]


def test_workbook_from_another_program_reads_correctly(cat):
    kind = cat.kind("高校")
    id_col, birth_col = kind.keys.index("id_number"), kind.keys.index("birth_date")
    second = person(cat, name="巴特尔", sex="1-男")
    second[id_col] = 150102198503121234.0
    second[birth_col] = datetime.date(1985, 3, 12)
    rows = [["高校教职工信息采集模板"], he_headers(cat), person(cat), [], second]
    data = xlwt_book(rows, date_cells={(4, birth_col)})
    template = open_template(data, name=NAME)
    assert [f.code for f in template.findings] == ["stamp.missing"]
    assert template.kind.name == "高校"
    assert (str(template.school_id), template.school_name) == ("4115010126", "内蒙古大学")
    assert [r.row for r in template.records] == [3, 5]
    first, other = template.records
    assert first["name"] == "乌云" and first["sex"] == "2-女" and first["id_number"] == "11010519491231002X"
    assert other["birth_date"] == "1985-03-12"
    assert other.cell("birth_date").kind is CellKind.DATE
    assert other.cell("name").kind is CellKind.TEXT
    assert first.cell("remark").kind is CellKind.EMPTY


def test_an_18_digit_id_stored_as_a_number_reads_as_a_number_cell(cat):
    row = person(cat)
    row[cat.kind("高校").keys.index("id_number")] = 1.50102198503121e17
    template = open_template(xlwt_book([he_headers(cat), row]), name=NAME)
    cell = template.records[0].cell("id_number")
    assert cell.kind is CellKind.NUMBER
    assert cell.text == "150102198503121000"
    assert template.records[0]["id_number"] == "150102198503121000"


def test_number_cells_lose_no_leading_information(cat):
    row = person(cat, sex=1.0, nationality=156.0)
    template = open_template(xlwt_book([he_headers(cat), row]), name=NAME)
    record = template.records[0]
    assert (record["sex"], record["nationality"]) == ("1", "156")
    assert record.cell("sex").kind is CellKind.NUMBER


def test_spaces_are_normalised_and_the_raw_value_kept(cat):
    row = person(cat, name="\u3000乌云\u00a0", remark="备\u00a0注")
    record = open_template(xlwt_book([he_headers(cat), row]), name=NAME).records[0]
    assert record["name"] == "乌云"
    assert record.cell("name").raw == "\u3000乌云\u00a0"
    assert record["remark"] == "备 注"


def test_xlsx_content_under_an_xls_name_is_named_and_still_read(cat, school_of_kind):
    template = new_template(school_of_kind("高校"), [dict(zip(cat.kind("高校").keys, person(cat)))])
    read = open_template(template.to_bytes("xlsx"), name=NAME)
    codes = [f.code for f in read.findings]
    assert codes == ["file.wrong_format"]
    assert "xlsx" in read.findings[0].message and ".xls" in read.findings[0].message
    assert read.records == template.records


def test_html_saved_as_xls_is_a_finding_naming_html():
    html = "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode("utf-8")
    template = open_template(html, name=NAME)
    assert [f.code for f in template.findings] == ["file.not_workbook"]
    assert "HTML" in template.findings[0].message
    assert template.records == [] and template.kind is None
    assert template.findings[0].file == NAME


def test_gbk_text_named_xls_is_a_finding_naming_text_and_encoding():
    text = "姓名\t性别\n张三\t男\n李四\t女\n".encode("gbk")
    template = open_template(text, name=NAME)
    (finding,) = template.findings
    assert finding.code == "file.not_workbook"
    assert "GBK" in finding.message or "GB18030" in finding.message
    assert "文本" in finding.message or "CSV" in finding.message


def test_empty_file_is_a_finding():
    template = open_template(b"", name=NAME)
    assert [f.code for f in template.findings] == ["file.empty"]


def test_truncated_xls_is_a_finding_not_a_traceback(cat, school_of_kind):
    data = new_template(school_of_kind("高校")).to_bytes("xls")
    for cut in (600, 4096, len(data) // 2):
        template = open_template(data[:cut], name=NAME)
        assert template.findings and template.findings[0].code in ("file.corrupt", "file.not_workbook")
        assert template.records == []


def test_header_changes_are_named(cat):
    headers = he_headers(cat, star=True)
    moved = headers.index("*性别"), headers.index("教职工号")
    headers[moved[0]], headers[moved[1]] = headers[moved[1]], headers[moved[0]]
    headers.remove("曾用名")
    headers.insert(5, "手机号码")
    template = open_template(xlwt_book([headers]), name=NAME)
    found = {(f.code, f.column or f.value) for f in template.findings}
    assert ("header.missing", "曾用名") in found
    assert ("header.extra", "手机号码") in found
    moved_names = {col for code, col in found if code == "header.moved"}
    assert len(moved_names) == 1 and moved_names <= {"性别", "教职工号"}
    assert all(f.row == 1 for f in template.findings if f.code.startswith("header."))


def test_values_are_read_under_their_header_even_when_columns_moved(cat):
    headers = he_headers(cat)
    row = person(cat)
    headers[0], headers[2] = headers[2], headers[0]
    row[0], row[2] = row[2], row[0]
    record = open_template(xlwt_book([headers, row]), name=NAME).records[0]
    assert (record["name"], record["sex"]) == ("乌云", "2-女")


def test_signoff_above_and_below_the_data(cat):
    rows = [
        ["标题"],
        ["录入人：", "张三", "校验人:", "李四", "学校负责人：", None, "联系电话：", "0471-1234567"],
        he_headers(cat),
        person(cat),
        [],
        ["填报日期：2026-09-01"],
    ]
    template = open_template(xlwt_book(rows), name=NAME)
    assert template.signoff == {
        "entered_by": "张三",
        "checked_by": "李四",
        "principal": "",
        "phone": "0471-1234567",
        "filled_on": "2026-09-01",
    }
    assert len(template.records) == 1


def test_data_sheet_under_another_name_is_read_with_a_warning(cat):
    template = open_template(xlwt_book([he_headers(cat), person(cat)], sheet_name="Sheet1"), name=NAME)
    assert [f.code for f in template.findings] == ["stamp.missing", "sheet.renamed"]
    assert template.findings[1].severity == "warning"
    assert len(template.records) == 1


def test_workbook_without_any_template_header(cat):
    template = open_template(xlwt_book([["a", "b"], [1, 2]]), name="成绩表.xls")
    assert [f.code for f in template.findings] == ["stamp.missing", "header.not_found", "kind.unknown"]
    other = open_template(xlwt_book([["a", "b"]], sheet_name="Sheet1"), name="成绩表.xls")
    assert [f.code for f in other.findings] == ["stamp.missing", "sheet.missing", "kind.unknown"]


def test_kind_is_found_from_the_header_when_name_and_stamp_say_nothing(cat):
    headers = [i.header for i in cat.kind("中职").indicators]
    template = open_template(xlwt_book([headers]), name="data.xls")
    assert template.kind.name == "中职" and template.school_id is None


def test_xlsx_rows_keep_their_excel_numbers_across_gaps(cat):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(he_headers(cat))
    sheet.cell(row=5, column=1, value="乌云")
    sheet.cell(row=9, column=1, value="巴特尔")
    sheet.cell(row=9, column=8, value=datetime.datetime(1990, 1, 2))
    out = io.BytesIO()
    book.save(out)
    template = open_template(out.getvalue(), name=NAME.replace(".xls", ".xlsx"))
    assert [r.row for r in template.records] == [5, 9]
    assert template.records[1]["birth_date"] == "1990-01-02"
    assert template.records[1].cell("birth_date").kind is CellKind.DATE


@pytest.mark.parametrize("kind", ["path", "str", "file", "bytes"])
def test_open_template_accepts_paths_files_and_bytes(tmp_path, school_of_kind, kind):
    template = new_template(school_of_kind("高校"))
    path = template.save(tmp_path)
    source = {"path": path, "str": str(path), "file": open(path, "rb"), "bytes": path.read_bytes()}[kind]
    read = open_template(source, name=None if kind != "bytes" else path.name)
    assert read.source == path.name and read.findings == ()


FIXTURES = sorted((__import__("pathlib").Path(__file__).parent / "fixtures" / "formats").glob("*.*"))
EXPECTED_FIRST = {
    "sample.xlsb": "file.unsupported",
    "sample.ods": "file.unsupported",
    "biff4_no_format_no_window2.xls": "file.unsupported",
    "encrypted_password_123456.xlsx": "file.encrypted",
    "sample.xlsx": "file.wrong_format",
}


@pytest.mark.parametrize("path", [p for p in FIXTURES if p.suffix != ".md"], ids=lambda p: p.name)
def test_real_files_of_other_programs_give_a_clear_finding(path):
    template = open_template(path, name=path.stem + ".xls")
    errors = [f for f in template.findings if f.is_error]
    assert errors, "a file that is no staff template must give an error finding"
    assert errors[0].code == EXPECTED_FIRST.get(path.name, errors[0].code)
    assert all(f.message and f.file == path.stem + ".xls" for f in template.findings)
    assert template.records == [] or template.kind is not None


def test_a_cleared_header_is_not_replaced_by_the_code_list_sheet(cat, school_of_kind):
    """The 代码表 sheet repeats most headers; it must never be read as staff data."""
    school = school_of_kind("中小学")
    template = new_template(school, [{"name": "乌云"}])
    book = openpyxl.load_workbook(io.BytesIO(template.to_bytes("xlsx")))
    for cell in book[DATA_SHEET][3]:
        cell.value = None
    out = io.BytesIO()
    book.save(out)
    read = open_template(out.getvalue(), name=school.file_name(".xlsx"))
    assert [f.code for f in read.findings] == ["header.not_found"]
    assert read.records == []


def test_a_stale_xlsx_dimension_loses_no_rows(cat, tmp_path):
    import re
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(he_headers(cat))
    for n in range(5):
        sheet.append(["乌云"] + [""] * 3 + [f"x{n}"])
    plain = io.BytesIO()
    book.save(plain)
    patched = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:AI3"', data)
            target.writestr(item, data)
    assert len(open_template(patched.getvalue(), name=NAME.replace(".xls", ".xlsx")).records) == 5


def test_a_damaged_stamp_sheet_is_a_finding(school_of_kind):
    import zipfile

    template = new_template(school_of_kind("高校"), [{"name": "乌云"}])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template.to_bytes("xlsx"))) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[:40] if item.filename == "xl/worksheets/sheet4.xml" else data)
    read = open_template(damaged.getvalue(), name=NAME.replace(".xls", ".xlsx"))
    assert "file.corrupt" in [f.code for f in read.findings]


def test_header_of_another_kind_names_the_mix(cat):
    headers = [i.header for i in cat.kind("中小学").indicators]
    template = open_template(xlwt_book([headers, ["乌云"]]), name=NAME)
    assert template.kind.name == "中小学"
    assert [f.code for f in template.findings] == ["stamp.missing", "kind.header_mismatch"]
    assert len(template.records) == 1


def test_a_repeated_header_inside_the_data_is_skipped_once(cat):
    rows = [he_headers(cat), person(cat), he_headers(cat, star=True), person(cat, name="巴特尔")]
    template = open_template(xlwt_book(rows), name=NAME)
    assert [(f.code, f.row) for f in template.findings] == [("stamp.missing", None), ("header.repeated", 3)]
    assert [r.row for r in template.records] == [2, 4]


def test_both_signoff_names_in_one_cell_and_labels_anywhere_in_a_row(cat):
    rows = [he_headers(cat), person(cat), ["备注：", None, "录入人：张三　校验人：李四", None, "填报日期：2026-09-01 10:00"]]
    template = open_template(xlwt_book(rows), name=NAME)
    assert template.signoff == {"entered_by": "张三", "checked_by": "李四", "filled_on": "2026-09-01 10:00"}
    assert len(template.records) == 1


def test_missing_columns_are_remembered(cat):
    headers = he_headers(cat)
    headers.remove("性别")
    template = open_template(xlwt_book([headers]), name=NAME)
    assert template.missing_keys == frozenset({"sex"})
