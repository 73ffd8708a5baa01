"""Builders the migration tests share: HR-style exports of demo staff in every format, and their mappings."""

import codecs
import csv
import datetime
import io

import openpyxl
import xlwt

from staffrec.demo_staff import demo_records
from staffrec.migration import parse_mapping

TODAY = datetime.date(2026, 9, 15)
SIGNOFF = '\n[signoff]\n"录入人" = "李明"\n"校验人" = "王芳"\n'
TITLE = "某校在职教职工花名册（人事系统导出）"


def people(school, count=3, seed=11):
    """Return valid demo staff of a school, as indicator key -> canonical text."""
    return demo_records(school, count, seed=seed)


def hr_value(indicator, text):
    """Write a canonical value as an HR system would: names instead of codes, dates with dots and 年月."""
    if not text:
        return ""
    if indicator.is_coded:
        return "、".join(part.partition("-")[2] for part in text.split(","))
    if indicator.type == "date":
        year, month, day = text.split("-")
        return f"{year}.{int(month)}.{int(day)}"
    if indicator.type == "yearmonth":
        year, month = text.split("-")
        return f"{year}年{int(month)}月"
    return text


def hr_rows(kind, records, titles=(TITLE,)):
    """Return the export as rows of text: title rows, the header (the template's headers), one row per person."""
    header = [ind.header for ind in kind.indicators]
    rows = [[title] + [""] * (len(header) - 1) for title in titles] + [header]
    rows += [[hr_value(ind, record[ind.key]) for ind in kind.indicators] for record in records]
    return rows


def mapping_for(kind, extra="", catalogue=None):
    """Return a Mapping from every header of `kind` to its key, with `extra` TOML and a sign-off."""
    lines = ["[columns]"] + [f'"{ind.header}" = "{ind.key}"' for ind in kind.indicators]
    return parse_mapping("\n".join(lines) + "\n" + extra + SIGNOFF, catalogue=catalogue)


def csv_bytes(rows, encoding, delimiter=","):
    """Encode rows as a text export; `utf-8-sig` and `utf-16` write a BOM as Windows programs do."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    if encoding == "utf-16-le-bom":  # Excel's "Unicode text": UTF-16 LE with BOM, tab-separated
        return codecs.BOM_UTF16_LE + text.getvalue().encode("utf-16-le")
    return text.getvalue().encode(encoding)


def xls_bytes(sheets):
    """Write {sheet name: rows} as .xls; a cell may be text or a (value, xlwt style) pair."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):
                    sheet.write(r, c, value[0], value[1])
                elif value != "":
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(sheets):
    """Write {sheet name: rows} as .xlsx; values keep their Python type (numbers, dates)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
