"""Open a filled template from any source and read its identity, header, sign-off and records."""

import itertools
import os
from pathlib import PurePath, PureWindowsPath

from . import read_findings as found
from .catalogue import catalogue as default_catalogue
from .collector import collector_paused
from .calamine_reader import NeedsFallback
from .fast_read import read_fast
from .cells import entry_of
from .errors import SchoolIdError, WorkbookReadError
from .identity import SchoolId
from .data_rows import data_records
from .header import compare_header, find_header
from .layout import CODE_SHEET, DATA_SHEET, GUIDE_SHEET, STAMP_FIELDS, STAMP_MARK, STAMP_SHEET
from .signoff import read_signoff
from .sniff import sniff
from .template import Template
from .xls_reader import read_xls
from .xlsx_package import MAX_XLSX_UNPACKED, unpacked
from .xlsx_reader import read_xlsx

READERS = {"xls": read_xls, "xlsx": read_xlsx}
UNSUPPORTED = ("xlsb", "ods", "biff_old", "xml_spreadsheet")
ENCRYPTED = ("xls_encrypted", "ooxml_encrypted")
DAMAGED = ("ole_damaged", "zip_damaged")
HEADER_SCAN_ROWS = 30
NOT_DATA = (CODE_SHEET, GUIDE_SHEET, STAMP_SHEET)
_STAMP_LABELS = {label: key for key, label in STAMP_FIELDS}


def read_source(source, name=None):
    """Return the bytes and the file name of a path, bytes or binary file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return handle.read(), name or os.fspath(source)
    data = source.read()
    return data, name or getattr(source, "name", None)


def _base_name(name):
    """Return the last part of a path written with either slash."""
    return PureWindowsPath(PurePath(str(name)).name).name if name else None


def _sniff_book(data, name):
    """Sniff the bytes; return (workbook format or None, findings)."""
    sniffed = sniff(data)
    if sniffed.format == "empty":
        return None, [found.FILE_EMPTY(file=name)]
    if sniffed.format in ENCRYPTED:
        return None, [found.FILE_ENCRYPTED(file=name)]
    if sniffed.format in DAMAGED:
        return None, [found.FILE_CORRUPT(file=name)]
    if sniffed.format in UNSUPPORTED:
        return None, [found.FILE_UNSUPPORTED(file=name, description=sniffed.description)]
    if sniffed.format not in READERS:
        return None, [found.FILE_NOT_WORKBOOK(file=name, description=sniffed.description)]
    refused = _refused_package(data, name) if sniffed.format == "xlsx" else None
    if refused is not None:
        return None, [refused]
    findings = []
    extension = os.path.splitext(name)[1].lower() if name else ""
    if extension and extension != f".{sniffed.format}":
        findings.append(
            found.FILE_WRONG_FORMAT(file=name, extension=extension, description=sniffed.description)
        )
    return sniffed.format, findings


def _refused_package(data, name):
    """Return the finding refusing an .xlsx package before any reader inflates it, or None.

    Its parts are inflated in bounded pieces and counted (xlsx_package.unpacked): past
    MAX_XLSX_UNPACKED in all it is file.inflated; a part inflating past the size it declares, the
    total within the limit, is file.corrupt (zipfile's CRC check would refuse it too, after reading).
    """
    measured = unpacked(data, MAX_XLSX_UNPACKED)
    if measured is None:  # an unreadable directory: the reader says the file is damaged
        return None
    if measured.size > MAX_XLSX_UNPACKED:
        size = -(-measured.size // 2**20)
        return found.FILE_INFLATED(file=name, size=size, limit=MAX_XLSX_UNPACKED // 2**20)
    if not measured.honest:
        return found.FILE_CORRUPT(file=name)
    return None


def workbook_format(data):
    """Return "xls" or "xlsx" when the bytes are a workbook the readers may parse, else None.

    None also for what the template reader refuses before parsing (an .xlsx that inflates too far).
    """
    return _sniff_book(data, None)[0]


def _open_book(data, name):
    """Sniff the bytes and parse them with the exact reader; return (WorkbookSource or None, findings)."""
    fmt, findings = _sniff_book(data, name)
    if fmt is None:
        return None, findings
    try:
        return READERS[fmt](data), findings
    except WorkbookReadError:
        return None, findings + [found.FILE_CORRUPT(file=name)]


def _read_stamp(book):
    """Return the identity stamp as {field key: value}, or None when the workbook carries none."""
    sheet = book.sheet(STAMP_SHEET)
    if sheet is None:
        return None
    stamp = {}
    for row in itertools.islice(sheet.rows(), 20):
        if row and row[0].text in _STAMP_LABELS:
            # A row without its value cell reads as one whose value is empty: readers that pad rows
            # to the sheet's width (calamine, the compiled one) and xlrd's ragged rows agree.
            stamp[_STAMP_LABELS[row[0].text]] = row[1].text if len(row) >= 2 else ""
    return stamp if stamp.get("mark") == STAMP_MARK else None


def _kind_hint(stamp, name, catalogue):
    """Return the kind the stamp or else the file name names, or None."""
    if stamp:
        kind = catalogue.kind_by_template_name(stamp.get("template_name", ""))
        if kind is not None:
            return kind
    if name:
        stem = os.path.splitext(name)[0]
        return catalogue.kind_by_template_name(stem.rpartition("_")[2].strip())
    return None


def locate_data(book, kinds, preferred=None):
    """Find the data sheet and its header row; return (sheet, head, rest, index, kind), or None.

    The sheet named 教职工基础信息 is the data sheet when it exists; otherwise any visible sheet
    but the code list, the guide and the stamp, which repeat the headers without being data.
    `head` holds the rows read up to the header (at most HEADER_SCAN_ROWS), `rest` yields the others.
    """
    data_sheet = book.sheet(DATA_SHEET)
    candidates = [data_sheet] if data_sheet else [s for s in book.sheets if not s.hidden and s.name not in NOT_DATA]
    for sheet in candidates:
        rows, head = sheet.rows(), []
        # find_header stops at the preferred kind's exact header: the rows after it stay unread.
        hit = find_header(_kept(itertools.islice(rows, HEADER_SCAN_ROWS), head), kinds, preferred)
        if hit is not None:
            return sheet, head, rows, hit[0], hit[1]
    return None


def _kept(rows, taken):
    """Yield `rows`, appending each to `taken` as it is read."""
    for row in rows:
        taken.append(row)
        yield row


def _entries(cells):
    """Return a row of Cells as a list of entries."""
    return list(map(entry_of, cells))


def _identity(stamp, name, catalogue):
    """Return (SchoolId or None, school name) from the stamp, else from the file name."""
    candidates = []
    if stamp:
        candidates.append((stamp.get("school_id", ""), stamp.get("school_name", "")))
    if name:
        parts = os.path.splitext(name)[0].split("_")
        if len(parts) >= 3:
            candidates.append((parts[0].strip(), "_".join(parts[1:-1]).strip()))
    for id_text, school_name in candidates:
        try:
            return SchoolId.parse(id_text, catalogue), school_name
        except SchoolIdError:
            continue
    return None, ""


def open_template(source, name=None, catalogue=None):
    """Read a template from a path, bytes or binary file; problems become findings, never exceptions.

    A fast reader (staffrec's compiled .xls text reader, then calamine: see fast_read) reads the
    file when it can tell every cell exactly; otherwise, or as soon as it meets a cell it cannot
    (`NeedsFallback`), xlrd or openpyxl read it from the start.
    """
    catalogue = catalogue or default_catalogue()
    data, name = read_source(source, name)
    with collector_paused():
        # Called, not inlined: the parsed workbook is freed before the collector restarts.
        return _read(data, _base_name(name), catalogue)


def _read(data, name, catalogue):
    """Parse the bytes, with a fast reader when one can tell every cell exactly, and build the Template."""
    fmt, sniffed = _sniff_book(data, name)
    if fmt is not None:
        book = read_fast(fmt, data)
        if book is not None:
            try:
                return _template(book, name, catalogue, sniffed)
            except NeedsFallback:
                pass
    book, findings = _open_book(data, name)
    return _template(book, name, catalogue, findings)


def _template(book, name, catalogue, findings):
    """Build the Template of a parsed workbook (None when it could not be parsed)."""
    findings = list(findings)
    template = Template(None, "", None, source=name, findings=(), catalogue=catalogue)
    if book is None:
        template.findings = tuple(findings)
        return template
    template.format = book.format
    try:
        _read_contents(book, template, name, catalogue, findings)
    except WorkbookReadError:
        findings.append(found.FILE_CORRUPT(file=name))
    template.findings = tuple(findings)
    return template


def _read_contents(book, template, name, catalogue, findings):
    """Fill the template from a parsed workbook: stamp, identity, kind, header, sign-off, records."""
    stamp = _read_stamp(book)
    template.stamp = stamp
    if stamp is None:
        findings.append(found.STAMP_MISSING(file=name, sheet=STAMP_SHEET))
    else:
        template.version = stamp.get("version", "")
    template.school_id, template.school_name = _identity(stamp, name, catalogue)
    hint = _kind_hint(stamp, name, catalogue)
    located = locate_data(book, list(catalogue.kinds.values()), preferred=hint)
    if located is None:
        if book.sheet(DATA_SHEET) is not None:
            findings.append(found.HEADER_NOT_FOUND(file=name, sheet=DATA_SHEET, rows=HEADER_SCAN_ROWS))
        else:
            findings.append(found.SHEET_MISSING(file=name, sheet=DATA_SHEET))
        if hint is None:
            findings.append(found.KIND_UNKNOWN(file=name))
        return
    sheet, head, rest, header_index, kind = located
    template.kind = kind
    if hint is not None and kind is not hint:
        findings.append(found.KIND_HEADER_MISMATCH(file=name, expected=hint.template_name, actual=kind.template_name))
    if sheet.name != DATA_SHEET:
        findings.append(found.SHEET_RENAMED(file=name, value=sheet.name, sheet=DATA_SHEET))
    columns, header_findings = compare_header(head[header_index], kind, header_index + 1, name)
    findings.extend(header_findings)
    template.missing_keys = frozenset(k for k in kind.keys if k not in columns)
    for row in head[:header_index]:
        read_signoff(row, template.signoff)
    if sheet.has_entries:  # the rows after the header again, as the texts the reader holds
        data_rows = itertools.islice(sheet.entry_rows(), header_index + 1, None)
    else:
        data_rows = itertools.chain(map(_entries, head[header_index + 1 :]), map(_entries, rest))
    template.records = data_records(data_rows, header_index + 2, columns, kind, template.signoff, findings, name, catalogue)
