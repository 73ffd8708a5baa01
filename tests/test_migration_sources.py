"""Exports in every encoding and format Chinese Windows produces, with title rows above the header."""

import datetime

import pytest
import xlwt

from staffrec.migration import MigrationError, migrate, read_export
from test_migration_support import TODAY, csv_bytes, hr_rows, mapping_for, people, xls_bytes, xlsx_bytes

ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "utf-16-le-bom": "utf-16",
}


@pytest.fixture
def k12(school_of_kind):
    return school_of_kind("中小学")


def _migrate(data, school, registry, **kwargs):
    mapping = kwargs.pop("mapping", None) or mapping_for(school.kind())
    return migrate(data, mapping, school, registry=registry, today=TODAY, **kwargs)


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_every_text_encoding_is_detected_and_migrates_cleanly(encoding, k12, registry):
    records = people(k12)
    delimiter = "\t" if encoding == "utf-16-le-bom" else ","
    data = csv_bytes(hr_rows(k12.kind(), records), encoding, delimiter)
    result = _migrate(data, k12, registry)
    assert result.export.encoding == ENCODINGS[encoding]
    assert result.export.delimiter == delimiter
    assert result.table.header_row == 2
    assert result.source_rows == (3, 4, 5)
    assert [r.as_dict() for r in result.records] == records
    assert result.ok, result.problems()


def test_gb18030_only_characters_further_down_are_kept(k12, registry):
    records = people(k12)
    records[2]["name"] = "王䶮"  # CJK extension A: in GB18030, not in GBK
    data = csv_bytes(hr_rows(k12.kind(), records), "gb18030")
    with pytest.raises(UnicodeEncodeError):
        "䶮".encode("gbk")
    result = _migrate(data, k12, registry)
    assert result.records[2]["name"] == "王䶮"


def test_encoding_can_be_named_and_a_wrong_one_is_refused(k12, registry):
    data = csv_bytes(hr_rows(k12.kind(), people(k12)), "gbk")
    assert _migrate(data, k12, registry, encoding="GBK").ok
    with pytest.raises(MigrationError, match="不是 utf-8 编码"):
        _migrate(data, k12, registry, encoding="utf-8")
    with pytest.raises(MigrationError, match="不认识的编码"):
        _migrate(data, k12, registry, encoding="klingon")


def test_keep_as_text_tricks_of_csv_exports_are_unwrapped(k12, registry):
    records = people(k12, 1)
    rows = hr_rows(k12.kind(), records)
    position = rows[1].index("身份证件号")
    rows[2][position] = f'="{records[0]["id_number"]}"'
    rows[2][rows[1].index("教职工号")] = "'00001"
    result = _migrate(csv_bytes(rows, "utf-8"), k12, registry)
    assert result.records[0]["id_number"] == records[0]["id_number"]
    assert result.records[0]["staff_no"] == "00001"


def _typed_rows(kind, records, date_style):
    """Rows as an HR system writes a workbook: numbers, real date cells, a number year-month."""
    rows = hr_rows(kind, records, titles=("某校教职工花名册", "导出日期：2026-09-01"))
    header = rows[2]
    first = rows[3]
    birth = datetime.date.fromisoformat(records[0]["birth_date"])
    first[header.index("出生日期")] = (birth, date_style) if date_style is not None else birth
    first[header.index("参加工作年月")] = 2008.1
    rows[4][header.index("身份证件号")] = float(records[1]["id_number"])
    return rows


def _check_typed(result, records):
    assert result.table.header_row == 3
    assert result.source_rows == (4, 5, 6)
    first = result.records[0]
    assert first["birth_date"] == records[0]["birth_date"]
    assert first["work_start"] == ""
    codes = {(i.row, i.code) for i in result.issues}
    assert (4, "migrate.yearmonth_ambiguous") in codes
    assert (5, "migrate.id_number_cell") in codes
    # A number the check digit happens to accept must not slip through: the cell is left empty or fails.
    assert result.records[1]["id_number"] != records[1]["id_number"]


def test_xls_export_with_title_rows_on_the_second_sheet(k12, registry):
    records = people(k12)
    style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    data = xls_bytes({"说明": [["本文件由人事系统导出"]], "在职人员": _typed_rows(k12.kind(), records, style)})
    export = read_export(data, name="人员.xls")
    assert export.format == "xls" and [s.name for s in export.sheets] == ["说明", "在职人员"]
    result = _migrate(export, k12, registry)
    assert result.table.sheet == "在职人员"
    _check_typed(result, records)


def test_xlsx_export_with_title_rows_and_a_named_sheet(k12, registry):
    records = people(k12)
    data = xlsx_bytes({"Sheet1": [["无关内容"]], "教职工": _typed_rows(k12.kind(), records, None)})
    mapping = mapping_for(k12.kind(), extra='[source]\nsheet = "教职工"\n')
    result = _migrate(data, k12, registry, mapping=mapping)
    assert result.export.format == "xlsx" and result.table.sheet == "教职工"
    _check_typed(result, records)


def test_header_row_can_be_given(k12, registry):
    records = people(k12)
    data = csv_bytes(hr_rows(k12.kind(), records, titles=("甲", "乙", "丙")), "utf-8")
    result = _migrate(data, k12, registry, mapping=mapping_for(k12.kind(), extra="[source]\nheader_row = 4\n"))
    assert result.table.header_row == 4 and len(result.records) == 3


def test_files_that_are_no_export_are_refused_plainly(k12, registry):
    with pytest.raises(MigrationError, match="空文件"):
        _migrate(b"", k12, registry)
    with pytest.raises(MigrationError, match="HTML"):
        _migrate(b"<html><body><table><tr><td>1</td></tr></table></body></html>", k12, registry)
    with pytest.raises(MigrationError, match="找不到表头"):
        _migrate("甲,乙\n1,2\n".encode(), k12, registry)
