"""Read the text cells of a BIFF8 .xls with staffrec's compiled reader (staffrec/_biff.c), exactly as xlrd does.

The common upload, a template written by staffrec and filled in Excel or LibreOffice, is a workbook
of plain text cells; the compiled reader decodes its shared strings once and every cell refers to
its string, several times faster than calamine turning each cell into a new str. A workbook holding
any other cell (number, date, formula, boolean, error), a text right of MAX_FAST_COLUMNS or anything
the compiled reader cannot tell exactly as xlrd does, and every .xls where the module was not
built, is left to calamine and xlrd.
"""

from .calamine_reader import MAX_FAST_COLUMNS, RowsSheet, biff8_stream
from .errors import WorkbookReadError
from .sheets import SheetSource, WorkbookSource

try:  # built by setup.py; without a C compiler at install time .xls goes to calamine and xlrd
    from . import _biff
except ImportError:  # pragma: no cover - tests/test_biff_text.py requires it
    _biff = None


class _TextSheet(RowsSheet):
    """One sheet of text cells; rows built on first use as lists of texts with Excel's numbering."""

    def __init__(self, strings, cells):
        self._strings, self._cells, self._rows = strings, cells, None

    def _load(self):
        if self._rows is None:
            try:
                self._rows = _biff.rows(self._strings, self._cells)
            except MemoryError as exc:  # as xlrd's reader: the file is reported, never raised
                raise WorkbookReadError("not enough memory for the sheet's rows") from exc
            self._strings = self._cells = None
        return self._rows


def read_texts(data):
    """Return a WorkbookSource of the .xls bytes, or None when the compiled reader cannot tell them exactly."""
    if _biff is None:
        return None
    stream = biff8_stream(data)
    try:
        parsed = _biff.parse(stream, MAX_FAST_COLUMNS) if stream is not None else None
    except MemoryError:  # as calamine's and xlrd's failures: the next reader (or its finding) decides
        return None
    if parsed is None:
        return None
    strings, parsed_sheets = parsed
    sheets = []
    for name, visibility, cells in parsed_sheets:
        sheet = _TextSheet(strings, cells)
        sheets.append(SheetSource(name, visibility != 0, sheet.cells, sheet.entries))
    return WorkbookSource("xls", tuple(sheets))
