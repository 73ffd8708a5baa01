import datetime

from staffrec.cells import EMPTY, CellKind, cell_from_python, make_cell, number_text


def test_integral_floats_show_without_decimal_point():
    assert number_text(156.0) == "156"
    assert number_text(19850312.0) == "19850312"


def test_numbers_show_fifteen_significant_digits_as_excel_does():
    assert number_text(1.50102198503121e17) == "150102198503121000"
    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(1985.03) == "1985.03"


def test_dates_and_datetimes():
    assert make_cell(datetime.datetime(1985, 3, 12), CellKind.DATE).text == "1985-03-12"
    assert make_cell(datetime.datetime(1985, 3, 12, 8, 30), CellKind.DATE).text == "1985-03-12 08:30:00"
    assert cell_from_python(datetime.date(2008, 9, 1)).kind is CellKind.DATE


def test_text_is_cleaned_but_raw_is_kept():
    cell = make_cell("\u00a0张\u3000三 \t", CellKind.TEXT)
    assert (cell.text, cell.kind, cell.raw) == ("张 三", CellKind.TEXT, "\u00a0张\u3000三 \t")


def test_blank_text_is_an_empty_cell():
    assert make_cell(" \u3000", CellKind.TEXT).kind is CellKind.EMPTY
    assert cell_from_python(None) is EMPTY


def test_python_values_are_classified():
    assert cell_from_python(True).kind is CellKind.BOOL
    assert cell_from_python(True).text == "TRUE"
    assert cell_from_python(3).kind is CellKind.NUMBER
    assert cell_from_python("01").text == "01"
