"""Cells as read from any workbook format, normalised in this one place."""

import datetime
import decimal
import enum
import math

import attrs

from .text import clean_spaces


class CellKind(str, enum.Enum):
    """What kind of value the workbook stored, kept so a number in a text column stays visible."""

    EMPTY = "empty"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOL = "bool"
    ERROR = "error"


@attrs.frozen
class Cell:
    """A cell: `text` is the normalised value, `kind` what was stored, `raw` the reader's value."""

    text: str
    kind: CellKind
    raw: object = attrs.field(default=None, eq=False)

    @property
    def is_empty(self):
        """Tell whether the cell holds nothing but spaces."""
        return self.text == ""


EMPTY = Cell("", CellKind.EMPTY)


def number_text(value):
    """Show a number as Excel does: 15 significant digits, integral values without `.0`."""
    if not isinstance(value, float) or not math.isfinite(value):
        return str(value)
    # Excel keeps 15 significant digits; beyond them a float's binary digits are noise.
    shown = decimal.Decimal(f"{value:.15g}")
    if shown == shown.to_integral_value():
        return str(int(shown))
    return format(shown.normalize(), "f")


def date_text(value):
    """Show a date or datetime as YYYY-MM-DD, with the time only when it is not midnight."""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.time):
        return value.isoformat()
    return value.isoformat()


def make_cell(raw, kind):
    """Build the normalised Cell of a value the reader classified as `kind`."""
    if kind is CellKind.EMPTY or raw is None:
        return EMPTY
    if kind is CellKind.TEXT:
        text = clean_spaces(raw)
        return Cell(text, CellKind.TEXT if text else CellKind.EMPTY, raw)
    if kind is CellKind.NUMBER:
        return Cell(number_text(raw), kind, raw)
    if kind is CellKind.DATE:
        return Cell(date_text(raw), kind, raw)
    if kind is CellKind.BOOL:
        return Cell("TRUE" if raw else "FALSE", kind, raw)
    return Cell(str(raw), kind, raw)


def cell_from_python(value):
    """Classify a plain Python value (as openpyxl gives it) and normalise it."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return make_cell(value, CellKind.BOOL)
    if isinstance(value, (int, float)):
        return make_cell(value, CellKind.NUMBER)
    if isinstance(value, (datetime.date, datetime.time)):
        return make_cell(value, CellKind.DATE)
    return make_cell(str(value), CellKind.TEXT)


def cell_of_entry(entry):
    """Return the Cell a row entry stands for: a text as typed ("" for an empty cell), or a Cell."""
    if entry.__class__ is str:
        return EMPTY if entry == "" else make_cell(entry, CellKind.TEXT)
    return entry


def entry_of(cell):
    """Return the cheapest entry standing for a read Cell: its text as typed, "" when blank, else itself."""
    raw = cell.raw
    if cell.kind is CellKind.TEXT and raw.__class__ is str:
        return raw
    if cell.kind is CellKind.EMPTY:
        if raw is None:
            return ""
        if raw.__class__ is str and raw:
            return raw  # spaces only: reading it again gives the same empty Cell
    return cell
