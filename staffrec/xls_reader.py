"""Read a legacy .xls workbook (BIFF2-8) with xlrd into SheetSources."""

import io

import xlrd

from .cells import EMPTY, CellKind, make_cell
from .errors import WorkbookReadError
from .sheets import SheetSource, WorkbookSource

_KINDS = {
    xlrd.XL_CELL_TEXT: CellKind.TEXT,
    xlrd.XL_CELL_NUMBER: CellKind.NUMBER,
    xlrd.XL_CELL_DATE: CellKind.DATE,
    xlrd.XL_CELL_BOOLEAN: CellKind.BOOL,
    xlrd.XL_CELL_ERROR: CellKind.ERROR,
}


def _cell(ctype, value, datemode):
    """Normalise one xlrd cell; dates go through the workbook's datemode."""
    kind = _KINDS.get(ctype)
    if kind is None:
        return EMPTY
    if kind is CellKind.DATE:
        try:
            value = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            # A serial Excel cannot show as a date is kept as the number it is.
            kind = CellKind.NUMBER
    elif kind is CellKind.ERROR:
        value = xlrd.error_text_from_code.get(value, "#ERROR")
    return make_cell(value, kind)


def _row_reader(book, sheet):
    """Return a generator function over one xlrd sheet's rows."""

    def rows():
        datemode = book.datemode
        for r in range(sheet.nrows):
            yield tuple(
                _cell(t, v, datemode) for t, v in zip(sheet.row_types(r), sheet.row_values(r))
            )

    return rows


def read_xls(data):
    """Parse .xls bytes; raise WorkbookReadError when xlrd cannot."""
    try:
        book = xlrd.open_workbook(file_contents=data, ragged_rows=True, logfile=io.StringIO())
        sheets = tuple(
            SheetSource(s.name, s.visibility != 0, _row_reader(book, s)) for s in book.sheets()
        )
    # xlrd signals damaged files with many exception types; all mean "unreadable" here.
    except Exception as exc:  # noqa: BLE001
        raise WorkbookReadError(f"xlrd cannot read the workbook: {exc}") from exc
    return WorkbookSource("xls", sheets)
