"""Pick the fast reader of a workbook: staffrec's compiled BIFF8 text reader, then python-calamine."""

from .biff_text import read_texts
from .calamine_reader import read_calamine


def read_fast(fmt, data):
    """Return a WorkbookSource read by a fast reader, or None when this file must go to the exact reader."""
    if fmt == "xls":
        book = read_texts(data)
        if book is not None:
            return book
    return read_calamine(fmt, data)
