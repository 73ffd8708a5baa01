"""Finding the header row of an export, under any title rows, and the data rows below it."""

import attrs

from ..text import header_key
from .issues import MigrationError

HEADER_SCAN_ROWS = 30


@attrs.frozen
class Table:
    """The header row (as the user numbers rows) and the data rows as (row number, cells)."""

    sheet: str | None
    header_row: int
    header: tuple
    rows: tuple = attrs.field(repr=False)

    def positions(self, name):
        """Return the 0-based positions of the header cells that spell `name`."""
        wanted = header_key(name)
        return tuple(i for i, text in enumerate(self.header) if text and header_key(text) == wanted)


def _pick_sheets(export, sheet):
    """Return the sheets to search: the one the mapping names (by name or 1-based number), else all."""
    if sheet is None or export.format == "csv":
        return export.sheets
    if isinstance(sheet, int):
        if 1 <= sheet <= len(export.sheets):
            return (export.sheets[sheet - 1],)
    else:
        named = [s for s in export.sheets if s.name == sheet]
        if named:
            return tuple(named)
    names = "、".join(s.name for s in export.sheets)
    raise MigrationError(f"导出文件中没有工作表“{sheet}”（有：{names}）。")


def _texts(cells):
    """Return the texts of a row of cells."""
    return tuple(cell.text for cell in cells)


def _table(sheet, index):
    """Return the Table whose header is the sheet's row at 0-based `index`."""
    header = _texts(sheet.rows[index])
    rows = tuple((number, cells) for number, cells in enumerate(sheet.rows, start=1) if number > index + 1)
    return Table(sheet.name, index + 1, header, rows)


def locate_table(export, score, sheet=None, header_row=None):
    """Return the Table whose header row scores best (`score(header texts)`), or None when none scores."""
    sheets = _pick_sheets(export, sheet)
    if header_row is not None:
        if header_row > len(sheets[0].rows):
            raise MigrationError(f"[source] 中 header_row = {header_row}，但导出文件只有 {len(sheets[0].rows)} 行。")
        return _table(sheets[0], header_row - 1)
    best = None
    for sheet_source in sheets:
        for index, cells in enumerate(sheet_source.rows[:HEADER_SCAN_ROWS]):
            points = score(_texts(cells))
            if points > 0 and (best is None or points > best[0]):
                best = (points, sheet_source, index)
    return None if best is None else _table(best[1], best[2])
