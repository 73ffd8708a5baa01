"""The .xlsx template offers every coded column's code list as a drop-down."""

import io
import re

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string

from staffrec import new_template
from staffrec.catalogue import KIND_NAMES
from staffrec.layout import DATA_SHEET


def resolve_list(book, formula):
    """Return the non-empty values of a `'sheet'!$A$2:$A$9` list source."""
    match = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet, col, first, col2, last = match.groups()
    assert col == col2
    column = column_index_from_string(col)
    cells = book[sheet].iter_rows(min_row=int(first), max_row=int(last), min_col=column, max_col=column, values_only=True)
    return [row[0] for row in cells if row[0]]


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_every_coded_column_has_a_list_of_its_table_labels(cat, school_of_kind, kind_name):
    kind = cat.kind(kind_name)
    book = openpyxl.load_workbook(io.BytesIO(new_template(school_of_kind(kind_name)).to_bytes("xlsx")))
    validations = book[DATA_SHEET].data_validations.dataValidation
    by_column = {}
    for dv in validations:
        (area,) = str(dv.sqref).split()
        first, last = area.split(":")
        assert re.fullmatch(r"[A-Z]+4", first) and last.endswith("65536")
        by_column[column_index_from_string(re.match(r"[A-Z]+", first)[0])] = dv
    coded = [i for i in kind.indicators if i.is_coded]
    assert sorted(by_column) == [i.order for i in coded]
    for ind in coded:
        dv = by_column[ind.order]
        assert dv.type == "list" and dv.allow_blank and dv.showInputMessage and dv.showErrorMessage
        assert not dv.showDropDown  # openpyxl's flag means "hide the in-cell arrow"
        expected = [c.label for c in cat.table(ind.table).choices(kind_name)]
        assert resolve_list(book, dv.formula1) == expected
        assert dv.promptTitle == ind.header[:32]
        assert "代码-名称" in dv.error
        assert dv.errorStyle == ("warning" if ind.type == "multicode" else "stop")


def test_text_that_looks_like_a_formula_stays_text(school_of_kind):
    template = new_template(school_of_kind("高校"), [{"name": "=HYPERLINK(\"http://x\",\"点我\")", "remark": "+1"}])
    book = openpyxl.load_workbook(io.BytesIO(template.to_bytes("xlsx")))
    sheet = book[DATA_SHEET]
    assert (sheet["A4"].value, sheet["A4"].data_type) == ('=HYPERLINK("http://x","点我")', "s")
    from staffrec import open_template

    assert open_template(template.to_bytes("xlsx"), name="x.xlsx").records[0]["name"].startswith("=HYPERLINK")
