"""The data rows of a template's sheet turned into Records, sign-off rows and repeated headers set aside.

A row of plain texts is looked at as one `|`-joined string: whole-column string tests find the
rows that are simply a Record of themselves, and only the others go through the per-cell rules
(is_signoff_row, repeats_header), one row at a time, in order.
"""

import functools
import itertools
import operator
import re

from . import read_findings as found
from .calamine_reader import NeedsFallback
from .cells import EMPTY, Cell, cell_of_entry, entry_of
from .header import repeats_header
from .records import Record
from .signoff import SIGNOFF_CELL, is_signoff_row, read_signoff, signoff_probe
from .text import clean_spaces, header_key


# Control characters clean_spaces leaves (it turns tab, line breaks and the like into spaces): NUL,
# ESC, DEL and the C1 range, which some systems' exports and copy-paste carry into cells.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")


def control_findings(record, kind, findings, name):
    """Report each cell of a record holding a control character (the record keeps the text as it is)."""
    for indicator, text in zip(kind.indicators, record.values):
        if text and _CONTROL.search(text):
            chars = "、".join(sorted({f"\\x{ord(c):02x}" for c in _CONTROL.findall(text)}))
            shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
            findings.append(
                found.CELL_CONTROL(file=name, row=record.row, column=indicator.header, value=shown, chars=chars)
            )


def clean_line(line):
    """Tell whether the `|`-joined texts of a row are all clean already (clean_spaces would change none)."""
    # Every odd space is unprintable, so only plain spaces at an end or doubled remain to look for;
    # a `|` inside a text can only make this say "not clean", which costs time, not correctness.
    return (
        line.isprintable() and "  " not in line and "| " not in line and " |" not in line
        and line[:1] != " " and line[-1:] != " "
    )


def _header_probe(kind):
    """Return the characters a cell naming the kind's first column must contain (repeats_header's test)."""
    # header_key only removes spaces and `*` and maps full-width ASCII to ASCII, so every other
    # character of the folded header must appear in the cell as it is.
    return tuple(sorted({c for c in header_key(kind.indicators[0].header) if ord(c) > 0x7E}))


@functools.lru_cache(maxsize=4)
def _signoff_probe(catalogue):
    """Return the sign-off probe (see signoff_probe), chosen against the catalogue's code labels and headers."""
    words = [row.label for table in catalogue.tables.values() for row in table]
    words += [ind.header for kind in catalogue.kinds.values() for ind in kind.indicators]
    return signoff_probe("|".join(words))


def _typed_row(row, number, positions, kind, signoff, findings, name):
    """Handle a row holding Cells (numbers, dates, ...) cell by cell; return a Record or None."""
    row = tuple(map(cell_of_entry, row))
    if not all(isinstance(cell, Cell) for cell in row):
        raise NeedsFallback("the fast reader met a number, date or boolean")
    if not any(not c.is_empty for c in row):
        return None
    if is_signoff_row(row):
        read_signoff(row, signoff)
        return None
    if repeats_header(row, kind):
        findings.append(found.HEADER_REPEATED(file=name, row=number))
        return None
    cells = tuple(row[p] if p is not None and p < len(row) else EMPTY for p in positions)
    if all(c.is_empty for c in cells):
        return None
    return Record(kind.keys, tuple(c.text for c in cells), row=number, cells=tuple(map(entry_of, cells)))


class _RowReader:
    """Turns one data row into a Record, a sign-off or a repeated header; the exact per-row rules."""

    def __init__(self, columns, kind, signoff, findings, name, catalogue):
        self.kind, self.signoff, self.findings, self.name = kind, signoff, findings, name
        self.keys = kind.keys
        self.positions = [columns.get(key) for key in kind.keys]
        self.in_order = self.positions == list(range(len(self.keys)))
        self.probe, self.signoff_probe = _header_probe(kind), _signoff_probe(catalogue)

    def may_be_signoff(self, line):
        """Tell cheaply whether a `|`-joined row may hold a sign-off label (False is certain)."""
        probe = self.signoff_probe
        if probe is not None and not any(all(c in line for c in chars) and _holds(line, pair) for chars, pair in probe):
            return False
        return SIGNOFF_CELL.search(line) is not None

    def read(self, row, number):
        """Return the Record of one row, or None for an empty, sign-off or repeated-header row."""
        try:
            line = "|".join(row)
        except TypeError:  # a Cell or a typed value among the texts
            return _typed_row(row, number, self.positions, self.kind, self.signoff, self.findings, self.name)
        if line.isprintable() and (" " not in line or clean_line(line)):
            texts = row
        else:
            texts = [clean_spaces(x) for x in row]
            line = "|".join(texts)
        if not any(texts):
            return None
        if self.may_be_signoff(line):
            cells = tuple(map(cell_of_entry, row))
            if is_signoff_row(cells):
                read_signoff(cells, self.signoff)
                return None
        first = texts[0] or next(filter(None, texts))  # the first cell that is not empty
        if (not self.probe or all(map(first.__contains__, self.probe))) and repeats_header(
            tuple(map(cell_of_entry, row)), self.kind
        ):
            self.findings.append(found.HEADER_REPEATED(file=self.name, row=number))
            return None
        width, size = len(self.keys), len(row)
        if self.in_order and size >= width:
            entries = tuple(row) if size == width else tuple(row[:width])
            values = entries if texts is row else tuple(texts[:width])
        else:
            positions = self.positions
            entries = tuple(row[p] if p is not None and p < size else "" for p in positions)
            values = entries if texts is row else tuple(texts[p] if p is not None and p < size else "" for p in positions)
        if not any(values):
            return None
        return Record(self.keys, values, row=number, cells=entries)

    def ordinary(self, rows, lines):
        """Return the indexes of rows whose Record is simply the row itself, by whole-column tests.

        Such a row holds texts only, is clean, not empty, as wide as the kind and in its order, and
        can hold neither a sign-off label nor the first header; every test here is one that
        `read` would pass, so `read` would give Record(keys, tuple(row), number, tuple(row)).
        """
        count, width = len(rows), len(self.keys)
        if not self.in_order or set(map(len, rows)) != {width}:
            return set()
        odd = set(itertools.compress(range(count), map(operator.not_, map(str.isprintable, lines))))
        odd.update(i for i in itertools.compress(range(count), map(operator.contains, lines, itertools.repeat(" "))) if not clean_line(lines[i]))
        odd.update(itertools.compress(range(count), map(("|" * (width - 1)).__eq__, lines)))  # empty rows
        if self.signoff_probe is None:
            odd.update(range(count))
        for chars, pair in self.signoff_probe or ():
            odd.update(i for i in _holding(lines, chars) if _holds(lines[i], pair) and SIGNOFF_CELL.search(lines[i]))
        odd.update(_holding(lines, self.probe) if self.probe else range(count))
        return set(range(count)) - odd


def _holds(line, pair):
    """Tell whether a line holds one of a probe's pair of texts (see signoff_probe; no pair: True)."""
    return pair is None or pair[0] in line or pair[1] in line


def _holding(lines, chars):
    """Return the indexes of the lines that contain every one of `chars`."""
    found = itertools.compress(range(len(lines)), map(operator.contains, lines, itertools.repeat(chars[0])))
    return [i for i in found if all(c in lines[i] for c in chars[1:])]


def data_records(rows, first_number, columns, kind, signoff, findings, name, catalogue):
    """Return a Record for every non-empty row; sign-off rows and repeated headers are set aside.

    `rows` yields lists of entries (texts as typed, "" when empty, or Cells). Whole-column string
    tests pick the rows whose Record is the row itself; every other row goes through the exact
    per-row rules (_RowReader.read), in order, so sign-offs and findings come as before.
    """
    reader = _RowReader(columns, kind, signoff, findings, name, catalogue)
    # Rows with no entry or only "" are dropped unseen (a Cell or a typed value, even 0, keeps its
    # row): a sheet whose last cell sits at row 1,048,576 must not cost a list per empty row.
    # any() settles nearly every row at its first cell; only rows of falsy entries are counted.
    kept = [(number, row) for number, row in enumerate(rows, first_number) if any(row) or row.count("") != len(row)]
    at = [number for number, _ in kept]
    rows = [row for _, row in kept]
    del kept
    try:
        lines = list(map("|".join, rows))
        ordinary = reader.ordinary(rows, lines)
    except TypeError:  # Cells or typed values in some row: every row the exact way
        ordinary = set()
    records = []
    for index in sorted(set(range(len(rows))) - ordinary):
        record = reader.read(rows[index], at[index])
        if record is not None:
            records.append(record)
            if not all(map(str.isprintable, record.values)):  # ordinary rows are printable throughout
                control_findings(record, kind, findings, name)
    if ordinary:
        order = sorted(ordinary)
        plain = list(map(tuple, map(rows.__getitem__, order)))
        numbers = list(map(at.__getitem__, order))
        made = list(map(Record, itertools.repeat(kind.keys), plain, numbers, plain))
        records = sorted(records + made, key=operator.attrgetter("row")) if records else made
    return records
