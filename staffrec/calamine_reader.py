"""Read .xls/.xlsx with python-calamine (Rust) when it tells every cell read exactly as xlrd/openpyxl do.

calamine is several times faster than xlrd and openpyxl but loses what staffrec must see: error
cells come back empty, a date serial below 1 as a time of day, which number format counts as a
date is its own guess, and it decodes .xlsx _xHHHH_ escapes that openpyxl keeps. So it is used
only where that cannot matter: BIFF8 workbooks without error cells, .xlsx without error cells,
escapes or phonetic runs, and sheets whose cells read are all text. Anything else
(`NeedsFallback`, raised while a sheet is read, or None from `read_fast`) is read by the exact
reader (xlrd or openpyxl) instead, from the start.
"""

import io
import re
import zipfile

from xlrd import compdoc

from .cells import EMPTY, Cell, CellKind, make_cell
from .sheets import SheetSource, WorkbookSource

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
LARGE_SHEET = 20000  # rows from which equal texts are stored once


class NeedsFallback(Exception):
    """calamine cannot tell this workbook's cells as staffrec needs; read it with the exact reader."""


def _biff8_stream(data):
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


def _xls_cells_ok(data):
    """Tell whether an .xls is BIFF8 and has no error cell calamine would read as empty."""
    stream = _biff8_stream(data)
    if stream is None:
        return False
    start = stream.find(_BOOLERR)
    while start >= 0:
        if stream[start + 11 : start + 12] != b"\x00":  # fErr: 1 = error (a false match costs speed only)
            return False
        start = stream.find(_BOOLERR, start + 1)
    return _FORMULA_ERROR.search(stream) is None


def _xlsx_cells_ok(data):
    """Tell whether no XML part of an .xlsx (styles aside) holds what calamine reads differently."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename.lower()
                if name.endswith(".xml") and name not in _XLSX_SKIP and _XLSX_ODD.search(archive.read(info)):
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


class _Sheet:
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
                    rows = sheet.to_python(skip_empty_area=True)
                else:
                    # calamine makes a new str for every cell; equal texts kept once save a large
                    # sheet half its memory (most columns hold codes). iter_rows starts at row 1.
                    seen, top = {}, 0
                    rows = [list(map(seen.setdefault, row, row)) for row in sheet.iter_rows()]
            except (KeyboardInterrupt, SystemExit):
                raise
            # calamine raises its own errors and, on a Rust panic, a BaseException.
            except BaseException as exc:  # noqa: BLE001
                raise NeedsFallback(f"calamine cannot read sheet {self._name!r}: {exc}") from exc
            if left:
                rows = [[""] * left + row for row in rows]
            self._rows = [[]] * top + rows
        return self._rows

    def entries(self):
        """Yield each row as calamine gives it (texts, "" for empty; other types are left for the reader)."""
        return iter(self._load())

    def cells(self):
        """Yield each row as a tuple of Cells (one Cell per distinct text: they are immutable)."""
        made = _Cells()
        for row in self._load():
            yield tuple(map(made.__getitem__, row))


class _Cells(dict):
    """The Cell of each text met so far; other types need the exact reader (see _cell)."""

    def __missing__(self, raw):
        cell = _cell(raw)  # raises NeedsFallback for anything but text
        self[raw] = cell
        return cell


def read_fast(fmt, data):
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
