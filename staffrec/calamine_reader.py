"""Read .xls/.xlsx with python-calamine (Rust) when it tells every cell read exactly as xlrd/openpyxl do.

calamine is several times faster than xlrd and openpyxl but loses what staffrec must see: error
cells come back empty, a date serial below 1 as a time of day, which number format counts as a
date is its own guess, and it decodes .xlsx _xHHHH_ escapes that openpyxl keeps. So it is used
only where that cannot matter: BIFF8 workbooks without error cells, .xlsx without error cells,
escapes or phonetic runs, and sheets whose cells read are all text. Anything else
(`NeedsFallback`, raised while a sheet is read, or None from `read_calamine`) is read by the exact
reader (xlrd or openpyxl) instead, from the start.
"""

import functools
import io
import itertools
import re
import struct

from xlrd import compdoc

from .cells import EMPTY, Cell, CellKind, make_cell
from .sheets import SheetSource, WorkbookSource
from .xlsx_package import parts

try:  # optional: without it every file goes to xlrd or openpyxl
    import python_calamine
except ImportError:  # pragma: no cover - the package is a dependency
    python_calamine = None

# A BOOLERR record (type 0x0205, always 8 bytes long) anywhere in the BIFF stream: a boolean or an
# error cell. Booleans would show as bool anyway; errors would read as empty cells.
_BOOLERR = b"\x05\x02\x08\x00"
# A FORMULA record (0x0006) whose cached result is an error: result byte 0 = 2, bytes 6-7 = 0xFFFF.
_FORMULA_ERROR = re.compile(rb"\x06\x00.{8}\x02.{5}\xff\xff", re.S)
# What calamine reads differently from openpyxl in .xlsx parts: a cell of type error (t="e", read
# as empty), an _xHHHH_ escape (which calamine decodes and openpyxl keeps) and phonetic runs.
_XLSX_ODD = re.compile(rb"""\bt\s*=\s*["']e["']|_x[0-9A-Fa-f]{4}_|<(?:\w+:)?rPh\b""")
_XLSX_SKIP = ("xl/styles.xml",)
# calamine (like openpyxl) finds worksheets and shared strings through the package's relationships,
# under any part name: a part holding either is looked into whatever it is called.
_XLSX_CELLS = re.compile(rb"<(?:\w+:)?(?:sheetData|sst)\b")
# A cell or row reference right of column AV (the 48th) or below row 65,536: r="AW1", r="A65537",
# <row r="70000">. A cell or row without r="…" (calamine places it after the previous one) is not
# looked into: such files go to openpyxl.
_XLSX_FAR = re.compile(
    rb"""\sr\s*=\s*["'](?:[A-Za-z]{3,}|[B-Zb-z][A-Za-z]|[Aa][W-Zw-z])\d"""
    rb"""|\sr\s*=\s*["'][A-Za-z]{0,2}(?:\d{6,}|6553[7-9]|655[4-9]\d|65[6-9]\d\d|6[6-9]\d{3}|[7-9]\d{4})["']"""
)
# A tag is read up to the next "<" or ">", never further: a scan to the next ">" from every "<c"
# or "<dimension" of a part holding none made 440 KB take minutes. A <dimension> tag that does not
# end with ">" there is no XML and goes to openpyxl.
_XLSX_UNPLACED = re.compile(rb"<(?:\w+:)?(?:c|row)(?=[\s>/])(?![^<>]*\sr\s*=)")
_XLSX_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b(?:[^<>]*?\sref\s*=\s*["']([^"'<>]*)["'])?[^<>]*+(>?)""")
_XLSX_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,9})")
LARGE_SHEET = 20000  # rows from which equal texts are stored once

# calamine holds each sheet as one dense block of rows x columns, sized from its cells and from
# what the file declares (the DIMENSIONS record, the shared-string count, an .xlsx <dimension>),
# and a Rust allocation it cannot make ends the whole process (abort, no exception). So a file
# reaches calamine only when those stay small: cells left of column MAX_FAST_COLUMNS (every
# template is at most 43 columns wide) and, in .xlsx, no row below MAX_FAST_ROWS. Anything wider,
# deeper or declaring more goes to xlrd/openpyxl, which keep rows ragged.
MAX_FAST_COLUMNS = 48
MAX_FAST_ROWS = 65536
MAX_FAST_CELLS = MAX_FAST_ROWS * MAX_FAST_COLUMNS
MAX_FAST_SHEETS = 256
SPARSE_CELLS = 1 << 20
_U16, _U32, _I32 = struct.Struct("<H"), struct.Struct("<I"), struct.Struct("<i")
_HEADER = struct.Struct("<HH")
# BIFF8 records calamine reads as a cell, column at bytes 2-3 of the data: FORMULA, NUMBER, LABEL,
# BOOLERR, RK, LABELSST; and MULRK (first column at 2-3, last in the final two bytes).
_CELL_RECORDS = frozenset((0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD))
_MULRK, _DIMENSIONS, _SST, _BOUNDSHEET, _EOF, _LABELSST = 0x00BD, 0x0200, 0x00FC, 0x0085, 0x000A, 0x00FD
# Runs of the commonest fixed-size records, stepped over at C speed: LABELSST (pointing into the
# shared-string table: see _safe_run), RK and NUMBER left of column 48 (0x30), BLANK and ROW
# (possessive: no backtracking state, several times faster). Every other record is looked at one by one.
_SAFE_RECORDS = (
    rb"\x7e\x02\x0a\x00..[\x00-\x2f]\x00.{6}|\x03\x02\x0e\x00..[\x00-\x2f]\x00.{10}"
    rb"|\x01\x02\x06\x00.{6}|\x08\x02\x10\x00.{16}"
)


def _below(count):
    """Return a pattern matching a 4-byte little-endian number below `count` (None when none is)."""
    if count <= 0:
        return None
    digits = count.to_bytes(4, "big")
    options = []
    for i, digit in enumerate(digits):  # first byte, from the most significant, where a number is lower
        if digit:
            low = b"." * (3 - i)
            high = b"".join(re.escape(bytes([d])) for d in reversed(digits[:i]))
            options.append(low + b"[\\x00-" + b"\\x%02x" % (digit - 1) + b"]" + high)
    return b"(?:" + b"|".join(options) + b")"


@functools.lru_cache(maxsize=64)
def _safe_run(strings):
    """Return the pattern of _SAFE_RECORDS runs for a workbook of `strings` shared strings.

    calamine reads a LABELSST whose index is past the table as an empty cell, xlrd calls the file
    damaged: only LABELSST records pointing into the table may be stepped over.
    """
    index = _below(strings)
    sst = rb"\xfd\x00\x0a\x00..[\x00-\x2f]\x00.." + index + b"|" if index else b""
    return re.compile(b"(?:" + sst + _SAFE_RECORDS + b")*+", re.S)


class NeedsFallback(Exception):
    """calamine cannot tell this workbook's cells as staffrec needs; read it with the exact reader."""


def biff8_stream(data):
    """Return the BIFF8 Workbook stream of an .xls, or None (BIFF5 and damaged files go to xlrd).

    The compound file is opened by xlrd's own code, so a container xlrd calls corrupt (a sector
    used twice, a chain off the end) is never handed to calamine, which would tolerate it.
    """
    try:
        document = compdoc.CompDoc(data, logfile=io.StringIO())
        mem, base, size = document.locate_named_stream("Workbook")
    # Whatever xlrd's container code rejects is xlrd's to report.
    except Exception:  # noqa: BLE001
        return None
    stream = mem[base : base + size] if mem else b""
    # BOF record (0x0809) of BIFF8 (version 0x0600).
    return stream if stream[:2] == b"\x09\x08" and stream[4:6] == b"\x00\x06" else None


def _biff_sheet_fits(stream, pos, strings):
    """Tell whether the sheet substream at `pos` keeps calamine's block small (see MAX_FAST_COLUMNS).

    A sheet declaring (DIMENSIONS) more than SPARSE_CELLS cells and more cells than it has bytes is
    mostly empty, like one cell at row 65,536: calamine would hold every empty cell of it twice,
    xlrd only the cells there are, so it goes to xlrd.
    """
    size, start, area, run = len(stream), pos, 0, _safe_run(strings)
    while pos + 4 <= size:
        pos = run.match(stream, pos).end()
        if pos + 4 > size:
            break
        rtype, length = _HEADER.unpack_from(stream, pos)
        data, pos = pos + 4, pos + 4 + length
        if pos > size:
            break  # calamine stops at a record cut short, as xlrd does
        if rtype in _CELL_RECORDS:
            if length >= 4 and _U16.unpack_from(stream, data + 2)[0] >= MAX_FAST_COLUMNS:
                return False
            if rtype == _LABELSST and length >= 10 and _U32.unpack_from(stream, data + 6)[0] >= strings:
                return False
        elif rtype == _MULRK:
            if length >= 6:
                first, last = _U16.unpack_from(stream, data + 2)[0], _U16.unpack_from(stream, pos - 2)[0]
                if max(first, last) >= MAX_FAST_COLUMNS:
                    return False
        elif rtype == _DIMENSIONS:
            # calamine reserves (last row - first row + 1) x (last column - first column + 1) cells, in u32.
            if length in (10, 14):
                rf, rl, cf, cl = struct.unpack_from("<IIHH" if length == 14 else "<HHHH", stream, data)
                if rl >= 1 and cl >= 1:
                    if rf >= rl or cf >= cl or (rl - rf) * (cl - cf) > MAX_FAST_CELLS:
                        return False
                    area = max(area, (rl - rf) * (cl - cf))
        elif rtype == _EOF:
            break
    return area <= max(SPARSE_CELLS, pos - start)


def _biff_fits(stream):
    """Tell whether calamine can hold a BIFF8 workbook stream in bounded memory.

    calamine sizes its shared-string table from the SST record's declared count and every sheet
    from DIMENSIONS and its cells' extent; a count or extent no real template has would make it
    allocate gigabytes or abort. The globals and each sheet are walked as calamine walks them.
    """
    size, pos, sheets, strings = len(stream), 0, set(), 0
    while pos + 4 <= size:
        rtype, length = _HEADER.unpack_from(stream, pos)
        data, pos = pos + 4, pos + 4 + length
        if rtype == _SST and length >= 8:
            strings = _I32.unpack_from(stream, data + 4)[0]
            # Every string takes at least 3 bytes (length and flags), so no real count exceeds size / 3.
            if not 0 <= strings <= size // 3:
                return False
        elif rtype == _BOUNDSHEET and length >= 4:
            sheets.add(_U32.unpack_from(stream, data)[0])
        elif rtype == _EOF:
            break
    if len(sheets) > MAX_FAST_SHEETS:
        return False
    return all(_biff_sheet_fits(stream, start, strings) for start in sorted(sheets) if start < size)


def _xls_cells_ok(data):
    """Tell whether an .xls is BIFF8, fits calamine's memory and has no error cell it would read as empty."""
    stream = biff8_stream(data)
    try:
        if stream is None or not _biff_fits(stream):
            return False
    except struct.error:  # a field cut off at the stream's end: xlrd will say what is wrong
        return False
    start = stream.find(_BOOLERR)
    while start >= 0:
        if stream[start + 11 : start + 12] != b"\x00":  # fErr: 1 = error (a false match costs speed only)
            return False
        start = stream.find(_BOOLERR, start + 1)
    return _FORMULA_ERROR.search(stream) is None


def _xlsx_part_fits(part):
    """Tell whether a part keeps calamine's block small: no wide or deep cell, no such <dimension>."""
    if _XLSX_FAR.search(part) or _XLSX_UNPLACED.search(part):
        return False
    for tag in _XLSX_DIMENSION.finditer(part):
        ref, closed = tag.groups()
        if not closed:
            return False
        if ref is None:
            continue
        corners = [_XLSX_REF.fullmatch(corner.strip()) for corner in ref.split(b":")]
        if not all(corners) or any(_far(*corner.groups()) for corner in corners):
            return False
    return True


def _far(letters, digits):
    """Tell whether a cell reference lies right of MAX_FAST_COLUMNS or below MAX_FAST_ROWS."""
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column > MAX_FAST_COLUMNS or len(digits) > 7 or int(digits) > MAX_FAST_ROWS


def _xlsx_cells_ok(data):
    """Tell whether calamine may read an .xlsx: parts of sane size (see xlsx_package.parts), no cell
    it places far away (see MAX_FAST_COLUMNS) and no XML part (styles aside) holding what calamine
    reads differently.

    Every part is looked into for far cells, not only those under xl/worksheets/: calamine takes a
    worksheet from wherever xl/_rels/workbook.xml.rels points, styles.xml included.
    """
    try:
        for name, part in parts(data):
            name = name.lower()
            if not _xlsx_part_fits(part):
                return False
            odd_name = name.endswith(".xml") and name not in _XLSX_SKIP
            if (odd_name or _XLSX_CELLS.search(part)) and _XLSX_ODD.search(part):
                return False
    # Damaged packages are openpyxl's to report.
    except Exception:  # noqa: BLE001
        return False
    return True


def _cell(raw):
    """Return the Cell of one calamine value; anything but text needs the exact reader."""
    if raw.__class__ is not str:
        raise NeedsFallback(f"a {type(raw).__name__} cell")
    if raw == "":
        return EMPTY
    if raw.isprintable() and " " not in raw:  # nothing for clean_spaces to change (odd spaces are unprintable)
        return Cell(raw, CellKind.TEXT, raw)
    return make_cell(raw, CellKind.TEXT)


class RowsSheet:
    """A sheet whose `_load()` gives its rows as lists of entries (texts as typed, "" when empty)."""

    def entries(self):
        """Yield each row as the reader gives it (texts, "" for empty; other types are left for the reader)."""
        return iter(self._load())

    def cells(self):
        """Yield each row as a tuple of Cells (one Cell per distinct text: they are immutable)."""
        made = TextCells()
        for row in self._load():
            yield tuple(map(made.__getitem__, row))


class _Sheet(RowsSheet):
    """One calamine sheet, parsed on first use; rows as lists of texts with Excel's numbering."""

    def __init__(self, book, name):
        self._book, self._name, self._rows = book, name, None

    def _load(self):
        if self._rows is None:
            try:
                sheet = self._book.get_sheet_by_name(self._name)
                top, left = sheet.start or (0, 0)
                if not sheet.start:
                    rows = []
                elif sheet.height < LARGE_SHEET:
                    # As to_python(skip_empty_area=True) gives them, a third faster: iter_rows starts at
                    # row 1 (the rows above the first cell are let go one by one) and its first cell's column.
                    rows = list(itertools.islice(sheet.iter_rows(), top, None))
                    if len(rows) != sheet.height:  # a calamine whose iter_rows starts elsewhere
                        rows = sheet.to_python(skip_empty_area=True)
                else:
                    # calamine makes a new str for every cell; equal texts kept once save a large
                    # sheet half its memory (most columns hold codes). iter_rows starts at row 1.
                    # Empty rows share one list: a sparse sheet reaching row 65,536 costs little more.
                    seen, top, empty = {}, 0, []
                    rows = [
                        list(map(seen.setdefault, row, row)) if row.count("") != len(row) else empty
                        for row in sheet.iter_rows()
                    ]
            except (KeyboardInterrupt, SystemExit):
                raise
            # calamine raises its own errors and, on a Rust panic, a BaseException.
            except BaseException as exc:  # noqa: BLE001
                raise NeedsFallback(f"calamine cannot read sheet {self._name!r}: {exc}") from exc
            if left:
                rows = [[""] * left + row for row in rows]
            self._rows = [[]] * top + rows
        return self._rows

class TextCells(dict):
    """The Cell of each text met so far; other types need the exact reader (see _cell)."""

    def __missing__(self, raw):
        cell = _cell(raw)  # raises NeedsFallback for anything but text
        self[raw] = cell
        return cell


def read_calamine(fmt, data):
    """Return a WorkbookSource read by calamine, or None when this file must go to the exact reader."""
    if python_calamine is None or fmt not in ("xls", "xlsx"):
        return None
    if not (_xls_cells_ok(data) if fmt == "xls" else _xlsx_cells_ok(data)):
        return None
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
        kinds = (python_calamine.SheetTypeEnum.WorkSheet, python_calamine.SheetTypeEnum.DialogSheet)
        visible = python_calamine.SheetVisibleEnum.Visible
    except (KeyboardInterrupt, SystemExit):
        raise
    # Whatever calamine cannot open (or panics on) is the exact reader's to judge.
    except BaseException:  # noqa: BLE001
        return None
    sheets = []
    for meta in metadata:
        if meta.typ not in kinds:
            continue
        sheet = _Sheet(book, meta.name)
        sheets.append(SheetSource(meta.name, meta.visible != visible, sheet.cells, sheet.entries))
    return WorkbookSource(fmt, tuple(sheets))
