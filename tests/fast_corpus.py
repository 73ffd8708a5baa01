"""The files the fast paths are proven on: fixtures, generated templates, bench data and tricky workbooks."""

import datetime
import io
import random
from pathlib import Path

import openpyxl
import xlwt

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.idcard import make_id_number
from staffrec.layout import DATA_SHEET, STAMP_SHEET, stamp_values

FIXTURES = Path(__file__).parent / "fixtures"
SIGNOFF = {"entered_by": "李明", "checked_by": "王芳", "phone": "0471-1234567", "filled_on": "2026-09-01"}


def fixture_files():
    """Other programs' workbooks, under their own name and under a template-like .xls name."""
    files = []
    for path in sorted(FIXTURES.glob("*/*")):
        if path.suffix in (".xls", ".xlsx", ".xlsb", ".ods"):
            data = path.read_bytes()
            files += [(path.name, data), (path.stem + ".xls", data)]
    return files


def template_files(registry, cat, rows=30):
    """Every kind's template, empty and filled with demo staff, as .xls and .xlsx."""
    files = []
    for kind in ("中小学", "中职", "特教", "高校"):
        school = next(s for s in registry if s.kind(cat).name == kind)
        for records in ((), demo_records(school, rows, seed=5)):
            template = new_template(school, records, signoff=SIGNOFF)
            for fmt in ("xls", "xlsx"):
                files.append((template.file_name(fmt), template.to_bytes(fmt)))
    return files


def bench_files(tmp_path):
    """bench/data.py samples with 10 % defects, both formats, both school sizes."""
    from bench.data import write_sample

    files = []
    for rows, fmt in ((60, "xls"), (400, "xls"), (400, "xlsx")):
        sample = write_sample(tmp_path / f"{rows}{fmt}", rows, 0.1, seed=3, fmt=fmt)
        files.append((sample.path.name, sample.path.read_bytes()))
    return files


def _headers(kind):
    return [i.header_label for i in kind.indicators]


def _people(school, kind, count, seed):
    return [[p[k] for k in kind.keys] for p in demo_records(school, count, seed=seed)]


def _xls(rows_of_sheets, date1904=False, styles=None, hidden=()):
    """Write sheets of rows with xlwt; a value may be a callable(sheet, r, c) writing the cell itself."""
    book = xlwt.Workbook(encoding="utf-8")
    book.dates_1904 = date1904
    for name, rows in rows_of_sheets:
        sheet = book.add_sheet(name)
        if name in hidden:
            sheet.visibility = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if callable(value):
                    value(sheet, r, c)
                elif value is not None:
                    style = (styles or {}).get((name, r, c), xlwt.Style.default_style)
                    sheet.write(r, c, value, style)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tricky_files(registry, cat):
    """Workbooks built to hit each difference calamine could show: types, spaces, layout, errors."""
    school = registry.get("2115000001")
    kind = cat.kind("中小学")
    name = school.file_name()
    stamp = [list(pair) for pair in stamp_values(school.id, school.name, kind)]
    people = _people(school, kind, 12, seed=9)
    col = {key: i for i, key in enumerate(kind.keys)}
    top = [["中小学教职工信息采集模板"], ["录入人：", "李明", "校验人：", "王芳"], _headers(kind)]
    files = []

    spaced = [list(p) for p in people]
    spaced[0][col["name"]] = "\u3000乌云\u00a0"
    spaced[1][col["remark"]] = "备  注 | 说明 "
    spaced[2][col["sex"]] = " 1-男 "
    spaced[3][col["ethnicity"]] = "１"
    spaced[4][col["name"]] = "张 三"
    spaced[5][col["remark"]] = "line\nbreak\t tab"
    spaced[6][col["school_start"]] = "2015.1"
    spaced[7][col["id_number"]] = spaced[7][col["id_number"]].lower()
    spaced[8][col["political_status"]] = "01-中共党员、13-群众"
    spaced[9][col["former_name"]] = "|"
    spaced[10][col["remark"]] = "  "
    files.append((name, _xls([(DATA_SHEET, top + spaced), (STAMP_SHEET, stamp)])))

    below = top + people[:4] + [[], ["填报日期：2026-09-01", None, "学校负责人：赵刚"], _headers(kind)] + people[4:8]
    below += [["录入人：张三　校验人：李四"], ["学校概况"], ["  ", "", None, "校对"]]
    files.append((name, _xls([(DATA_SHEET, below), (STAMP_SHEET, stamp)])))

    moved = [list(r) for r in top]
    moved[2] = moved[2][1:] + moved[2][:1]
    files.append((name, _xls([(DATA_SHEET, moved + [p[1:] + p[:1] for p in people]), (STAMP_SHEET, stamp)])))

    offset = [[None, None] + row for row in [[], []] + top + people]
    files.append((name, _xls([("Sheet1", offset), (STAMP_SHEET, stamp)], hidden=(STAMP_SHEET,))))

    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    typed = [list(p) for p in people]
    typed[0][col["birth_date"]] = datetime.date(1985, 3, 12)
    typed[1][col["id_number"]] = 150102198503121234.0
    typed[2][col["nationality"]] = 156
    typed[3][col["school_start"]] = 2015.1
    styles = {(DATA_SHEET, 3, col["birth_date"]): dated}
    for mode in (False, True):
        files.append((name, _xls([(DATA_SHEET, top + typed), (STAMP_SHEET, stamp)], date1904=mode, styles=styles)))

    zero = [None] * len(kind.keys)
    zero[col["staff_no"]] = 0  # a number 0 alone: a row of falsy values is still a row
    files.append((name, _xls([(DATA_SHEET, top + people[:3] + [zero] + people[3:6]), (STAMP_SHEET, stamp)])))

    def boolean(sheet, r, c):
        sheet.row(r).set_cell_boolean(c, True)

    def error(sheet, r, c):
        sheet.row(r).set_cell_error(c, "#DIV/0!")

    for label, writer in (("bool", boolean), ("error", error)):
        odd = [list(p) for p in people]
        odd[5][col["remark"]] = writer
        files.append((name, _xls([(DATA_SHEET, top + odd), (STAMP_SHEET, stamp)])))
    error_elsewhere = [list(r) for r in stamp] + [[error]]
    files.append((name, _xls([(DATA_SHEET, top + people), (STAMP_SHEET, error_elsewhere)])))
    # A stamp label repeated without its value cell, in a sheet another row makes wider: calamine
    # and the compiled reader give rows padded to the sheet's width, xlrd gives them ragged.
    relabelled = [list(r) for r in stamp] + [[stamp[0][0]], ["", "", "宽"]]
    files.append((name, _xls([(DATA_SHEET, top + people), (STAMP_SHEET, relabelled)])))
    hidden_data = _xls([(DATA_SHEET, top + people), (STAMP_SHEET, stamp), ("隐藏", [["x"]])], hidden=("隐藏",))
    files.append((name, hidden_data))
    files.append((name, _xls([("Sheet1", [["a", "b"], ["c"]]), ("Sheet2", top + people)])))
    files.append(("4115010126_内蒙古大学_高校教职工信息采集模板.xls", _xls([(DATA_SHEET, top + people), (STAMP_SHEET, stamp)])))
    files += _xlsx_variants(school, kind, top, people, stamp, col)
    files += _truncated(files[0][1], name)
    return files


def _xlsx_variants(school, kind, top, people, stamp, col):
    """The same kinds of oddities in .xlsx written by openpyxl."""
    name = school.file_name(".xlsx")
    files = []

    def book_of(data_rows, extra=None):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = DATA_SHEET
        for r, row in enumerate(data_rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        stamp_sheet = book.create_sheet(STAMP_SHEET)
        stamp_sheet.sheet_state = "hidden"
        for r, (label, value) in enumerate(stamp, start=1):
            stamp_sheet.cell(row=r, column=1, value=label)
            stamp_sheet.cell(row=r, column=2, value=value)
        if extra:
            extra(book)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    spaced = [list(p) for p in people]
    spaced[0][col["name"]] = "\u3000乌云\u00a0"
    spaced[1][col["remark"]] = "备  注_x000D_"
    spaced[2][col["sex"]] = " 1-男 "
    files.append((name, book_of(top + spaced)))
    gaps = top + [people[0], [], [], people[1], [None] * 5 + ["孤"], people[2]]
    files.append((name, book_of(gaps)))
    typed = [list(p) for p in people]
    typed[0][col["birth_date"]] = datetime.datetime(1985, 3, 12)
    typed[1][col["nationality"]] = 156
    typed[2][col["remark"]] = True
    files.append((name, book_of(top + typed)))
    errored = [list(p) for p in people]
    errored[3][col["remark"]] = "=1/0"
    files.append((name, book_of(top + errored)))

    def error_cell(book):
        cell = book[DATA_SHEET].cell(row=20, column=3)
        cell.value, cell.data_type = "#N/A", "e"

    files.append((name, book_of(top + people, error_cell)))
    return files


def _truncated(data, name):
    """A template cut at several places, as broken uploads are."""
    rng = random.Random(7)
    cuts = sorted({512, 4096, len(data) // 3, len(data) // 2, len(data) - 100} | {rng.randrange(600, len(data)) for _ in range(4)})
    return [(name, data[:cut]) for cut in cuts]


def id_of(birth, sequence, sex):
    """A valid identity number for the random records."""
    return make_id_number("150102", birth, sequence, sex)
