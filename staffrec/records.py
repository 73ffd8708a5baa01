"""Records: one person's row of a template, keyed by indicator key."""

import datetime
import functools

import attrs

from .cells import cell_of_entry, number_text
from .codes import Code
from .errors import RecordError
from .values import canonical_value


@functools.lru_cache(maxsize=None)
def _positions(keys):
    return {key: i for i, key in enumerate(keys)}


@attrs.frozen
class Record:
    """One person's values in the kind's column order; `row` and `cells` say where they were read.

    `cells` may be given as Cells or, by the reader, as entries (a text as typed stands for its
    text Cell, "" for an empty one), which saves building a Cell per cell read; `cells` and
    `cell()` always give Cells.
    """

    keys: tuple = attrs.field(repr=False)
    values: tuple
    row: int | None = attrs.field(default=None, eq=False)
    _cells: tuple | None = attrs.field(default=None, eq=False, repr=False, alias="cells")

    @property
    def cells(self):
        """The Cells the values were read from, in column order, or None for records built in code."""
        return None if self._cells is None else tuple(map(cell_of_entry, self._cells))

    @property
    def entries(self):
        """The cells as given: entries or Cells (None for records built in code)."""
        return self._cells

    def __getitem__(self, key):
        return self.values[_positions(self.keys)[key]]

    def __contains__(self, key):
        return key in _positions(self.keys)

    def get(self, key, default=None):
        """Return the value of an indicator key, or `default` when the kind has no such key."""
        position = _positions(self.keys).get(key)
        return default if position is None else self.values[position]

    def cell(self, key):
        """Return the Cell the value was read from, or None for records built in code."""
        position = _positions(self.keys).get(key)
        return None if self._cells is None or position is None else cell_of_entry(self._cells[position])

    def as_dict(self):
        """Return the values as a dict keyed by indicator key, in column order."""
        return dict(zip(self.keys, self.values))


def _as_text(value, indicator):
    """Turn a script's Python value into cell text for one indicator."""
    if value is None:
        return ""
    if isinstance(value, Code):
        return value.label
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_as_text(v, indicator) for v in value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        text = value.isoformat()
        return text[:7] if indicator.type == "yearmonth" else text
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def _canonical(indicator, value, catalogue):
    """Return the canonical text of a script's value, or its plain text when it cannot be told."""
    text = _as_text(value, indicator)
    # A float loses the trailing zero of 1985.10; never read a year-month out of one.
    if isinstance(value, float) and indicator.type in ("date", "yearmonth"):
        return text
    canonical = canonical_value(indicator, text, catalogue)
    return text.strip() if canonical is None else canonical


def build_record(kind, data, catalogue):
    """Build a Record from a mapping keyed by indicator key or header text; values in any accepted form."""
    values = [""] * len(kind.indicators)
    positions = _positions(kind.keys)
    for name, value in dict(data).items():
        indicator = kind.indicator(name) or kind.by_header(str(name))
        if indicator is None:
            raise RecordError(f"{kind.name} template has no column {name!r}")
        values[positions[indicator.key]] = _canonical(indicator, value, catalogue)
    return Record(kind.keys, tuple(values))
