"""Read an .xlsx workbook with openpyxl in read-only mode into SheetSources."""

import io

import openpyxl

from .cells import cell_from_python
from .errors import WorkbookReadError
from .sheets import SheetSource, WorkbookSource, guarded


def _row_reader(sheet):
    """Return a generator function over one openpyxl sheet's rows, gaps filled with empty rows."""

    def rows():
        # A stale <dimension> from another program would cut rows off in read-only mode.
        sheet.reset_dimensions()
        expected = 1
        for row in guarded(sheet.iter_rows(), "openpyxl"):
            placed = [c for c in row if getattr(c, "row", None) is not None]
            number = placed[0].row if placed else expected
            while expected < number:
                yield ()
                expected += 1
            yield tuple(cell_from_python(c.value) for c in row)
            expected = number + 1

    return rows


def read_xlsx(data):
    """Parse .xlsx bytes; raise WorkbookReadError when openpyxl cannot."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = tuple(
            SheetSource(s.title, getattr(s, "sheet_state", "visible") != "visible", _row_reader(s))
            for s in book.worksheets
        )
    # openpyxl reports broken packages through zipfile, XML and key errors alike.
    except Exception as exc:  # noqa: BLE001
        raise WorkbookReadError(f"openpyxl cannot read the workbook: {exc}") from exc
    return WorkbookSource("xlsx", sheets)
