"""A template written by staffrec reads back with identical identity, sign-off and records."""

import pytest

from staffrec import new_template, open_template
from staffrec.catalogue import KIND_NAMES
from staffrec.layout import CODE_SHEET, DATA_SHEET, GUIDE_SHEET, STAMP_SHEET


def sample_record(kind, cat, variant=0):
    """Fill every column of `kind` with a canonical value of its type."""
    record = {}
    for ind in kind.indicators:
        if ind.is_coded:
            choices = cat.table(ind.table).choices(kind.name)
            labels = [c.label for c in choices]
            record[ind.key] = ",".join(labels[:2]) if ind.type == "multicode" else labels[variant % len(labels)]
        elif ind.type == "date":
            record[ind.key] = f"198{variant % 10}-03-1{variant % 10}"
        elif ind.type == "yearmonth":
            record[ind.key] = f"20{10 + variant % 10}-09"
        else:
            record[ind.key] = f"内蒙古测试文字{variant}"[: ind.max_len]
    record["name"] = ["巴特尔", "其其格", "张三丰", "欧阳娜娜"][variant % 4]
    record["id_number"] = "11010519491231002X"
    record["remark"] = ""
    return record


@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_written_template_reads_back_equal(tmp_path, cat, school_of_kind, kind_name, fmt):
    school = school_of_kind(kind_name)
    kind = cat.kind(kind_name)
    records = [sample_record(kind, cat, n) for n in range(7)]
    signoff = {"entered_by": "李明", "checked_by": "王芳", "principal": "赵强", "phone": "0471-1234567", "filled_on": "2026-09-01"}
    template = new_template(school, records, signoff=signoff)
    path = template.save(tmp_path, fmt=fmt)
    assert path.name == f"{school.id}_{school.name}_{kind.template_name}.{fmt}"

    read = open_template(path)
    assert read.findings == ()
    assert (read.school_id, read.school_name, read.kind, read.format) == (school.id, school.name, kind, fmt)
    assert read.signoff == signoff
    assert read.records == template.records
    assert [r.row for r in read.records] == list(range(4, 11))
    assert read.records[0]["name"] == "巴特尔"
    assert read.records[0].cell("id_number").kind == "text"


@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
def test_template_workbook_has_the_sheets_of_the_layout(cat, school_of_kind, fmt):
    import io

    template = new_template(school_of_kind("特教"))
    data = template.to_bytes(fmt)
    if fmt == "xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
        names = book.sheet_names()
        hidden = [s.visibility for s in book.sheets()]
        sheet = book.sheet_by_name(DATA_SHEET)
        header = sheet.row_values(2)
        title = sheet.cell_value(0, 0)
        guide_rows = book.sheet_by_name(GUIDE_SHEET).nrows
        fmt_of_id = book.format_map[book.xf_list[sheet.cell_xf_index(2, 0)].format_key].format_str
    else:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        names = book.sheetnames
        hidden = [0 if book[n].sheet_state == "visible" else 1 for n in names]
        sheet = book[DATA_SHEET]
        header = [c.value for c in sheet[3]]
        title = sheet["A1"].value
        guide_rows = book[GUIDE_SHEET].max_row
        fmt_of_id = sheet.column_dimensions["G"].number_format
    assert names == [DATA_SHEET, CODE_SHEET, GUIDE_SHEET, STAMP_SHEET]
    assert hidden == [0, 0, 0, 1]
    kind = cat.kind("特教")
    assert header == [i.header_label for i in kind.indicators]
    assert header[0] == "*姓名" and header[1] == "曾用名"
    assert "呼伦贝尔市特殊教育学校" in title and "特教教职工信息采集模板" in title
    assert guide_rows >= len(kind.indicators) + 2
    assert fmt_of_id == "@"


def test_code_sheet_lists_each_coded_column_choices(cat, school_of_kind):
    import xlrd

    template = new_template(school_of_kind("中小学"))
    book = xlrd.open_workbook(file_contents=template.to_bytes("xls"))
    sheet = book.sheet_by_name(CODE_SHEET)
    headers = sheet.row_values(0)
    kind = cat.kind("中小学")
    assert headers == [i.header for i in kind.indicators if i.is_coded]
    column = headers.index("教职工类别")
    values = [v for v in sheet.col_values(column, 1) if v]
    assert values == [c.label for c in cat.table("staff_category").choices("中小学")]
    education = [v for v in sheet.col_values(headers.index("最高学历"), 1) if v]
    assert "20-大学本科教育" not in education and "21-大学本科毕业" in education


def test_records_accept_headers_names_and_variants(cat, school_of_kind):
    template = new_template(school_of_kind("高校"), [{"*姓名": "张三", "性别": "男", "国籍/地区": 156, "民族": "1", "政治面貌": "中共党员、群众"}])
    record = template.records[0]
    assert (record["name"], record["sex"], record["nationality"], record["ethnicity"]) == ("张三", "1-男", "156-中国", "01-汉族")
    assert record["political_status"] == "01-中共党员,13-群众"


def test_xls_output_is_deterministic(school_of_kind, cat):
    school = school_of_kind("中职")
    kind = cat.kind("中职")
    first = new_template(school, [sample_record(kind, cat)]).to_bytes("xls")
    second = new_template(school, [sample_record(kind, cat)]).to_bytes("xls")
    assert first == second


def test_save_into_a_folder_that_does_not_exist_yet(tmp_path, school_of_kind):
    import os

    path = new_template(school_of_kind("高校")).save(tmp_path / "out")
    assert path.parent == tmp_path / "out" and path.name.endswith("_高校教职工信息采集模板.xls")
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o666 & ~_umask())
    explicit = new_template(school_of_kind("高校")).save(tmp_path / "x.xlsx", fmt="xlsx")
    assert explicit == tmp_path / "x.xlsx"


def _umask():
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
