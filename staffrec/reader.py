"""Open a filled template from any source and read its identity, header, sign-off and records."""

import bisect
import itertools
import os
from pathlib import PurePath, PureWindowsPath

from . import read_findings as found
from .catalogue import catalogue as default_catalogue
from .cells import EMPTY
from .errors import SchoolIdError, WorkbookReadError
from .identity import SchoolId
from .layout import DATA_SHEET, SIGNOFF_FIELDS, STAMP_FIELDS, STAMP_MARK, STAMP_SHEET
from .records import Record
from .sniff import sniff
from .template import Template
from .text import header_key
from .xls_reader import read_xls
from .xlsx_reader import read_xlsx

READERS = {"xls": read_xls, "xlsx": read_xlsx}
UNSUPPORTED = ("xlsb", "ods", "biff_old", "xml_spreadsheet")
ENCRYPTED = ("xls_encrypted", "ooxml_encrypted")
DAMAGED = ("ole_damaged", "zip_damaged")
HEADER_SCAN_ROWS = 30
_SIGNOFF_LABELS = {header_key(label): key for key, label in SIGNOFF_FIELDS}
_STAMP_LABELS = {label: key for key, label in STAMP_FIELDS}


def _load(source, name):
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


def _open_book(data, name):
    """Sniff the bytes and parse them; return (WorkbookSource or None, findings)."""
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
    findings = []
    extension = os.path.splitext(name)[1].lower() if name else ""
    if extension and extension != f".{sniffed.format}":
        findings.append(
            found.FILE_WRONG_FORMAT(file=name, extension=extension, description=sniffed.description)
        )
    try:
        return READERS[sniffed.format](data), findings
    except WorkbookReadError:
        return None, findings + [found.FILE_CORRUPT(file=name)]


def _read_stamp(book):
    """Return the identity stamp as {field key: value}, or None when the workbook carries none."""
    sheet = book.sheet(STAMP_SHEET)
    if sheet is None:
        return None
    stamp = {}
    for row in itertools.islice(sheet.rows(), 20):
        if len(row) >= 2 and row[0].text in _STAMP_LABELS:
            stamp[_STAMP_LABELS[row[0].text]] = row[1].text
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


def _header_score(row, kind):
    """Count the cells of a row that name a column of `kind`."""
    return sum(1 for cell in row if cell.text and kind.by_header(cell.text) is not None)


def _find_header(head, kinds):
    """Return (row index, kind) of the best header row among the first rows, or None."""
    best = None
    for index, row in enumerate(head):
        for kind in kinds:
            score = _header_score(row, kind)
            if score >= max(3, len(kind.indicators) // 3) and (best is None or score > best[0]):
                best = (score, index, kind)
    return None if best is None else best[1:]


def locate_data(book, kinds):
    """Find the sheet and header row of the data; return (sheet, head rows, rest, index, kind) or None."""
    preferred = book.sheet(DATA_SHEET)
    others = [s for s in book.sheets if s is not preferred and not s.hidden and s.name != STAMP_SHEET]
    for sheet in ([preferred] if preferred else []) + others:
        rows = sheet.rows()
        head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
        hit = _find_header(head, kinds)
        if hit is not None:
            return sheet, head, rows, hit[0], hit[1]
    return None


def _longest_increasing(orders):
    """Return the set of positions forming one longest increasing run of `orders` (not contiguous)."""
    tails, tail_pos, back = [], [], [None] * len(orders)
    for pos, value in enumerate(orders):
        i = bisect.bisect_left(tails, value)
        back[pos] = tail_pos[i - 1] if i else None
        if i == len(tails):
            tails.append(value)
            tail_pos.append(pos)
        else:
            tails[i], tail_pos[i] = value, pos
    keep, pos = set(), tail_pos[-1] if tail_pos else None
    while pos is not None:
        keep.add(pos)
        pos = back[pos]
    return keep


def _compare_header(cells, kind, row_number, name):
    """Map columns to indicators; report missing, extra and moved columns."""
    columns, findings, extra = {}, [], []
    for position, cell in enumerate(cells):
        indicator = kind.by_header(cell.text) if cell.text else None
        if indicator is None or indicator.key in columns:
            if cell.text:
                extra.append((position, cell.text))
            continue
        columns[indicator.key] = position
    for indicator in kind.indicators:
        if indicator.key not in columns:
            findings.append(
                found.HEADER_MISSING(file=name, row=row_number, column=indicator.header, expected=indicator.order)
            )
    for position, text in extra:
        findings.append(found.HEADER_EXTRA(file=name, row=row_number, value=text, position=position + 1))
    placed = sorted(columns.items(), key=lambda item: item[1])
    orders = [kind.indicator(key).order for key, _ in placed]
    in_order = _longest_increasing(orders)
    for index, (key, position) in enumerate(placed):
        if index not in in_order:
            indicator = kind.indicator(key)
            findings.append(
                found.HEADER_MOVED(
                    file=name,
                    row=row_number,
                    column=indicator.header,
                    expected=indicator.order,
                    actual=position + 1,
                )
            )
    return columns, findings


def _signoff_from_row(row, signoff):
    """Collect `录入人：张三`-style pairs of a row into `signoff`; tell whether the row held any."""
    hit = False
    for position, cell in enumerate(row):
        label, colon, inline = cell.text.replace(":", "：").partition("：")
        key = _SIGNOFF_LABELS.get(header_key(label))
        if key is None:
            continue
        hit = True
        value = inline.strip()
        if not value and position + 1 < len(row):
            following = row[position + 1]
            if header_key(following.text.replace(":", "：").partition("：")[0]) not in _SIGNOFF_LABELS:
                value = following.text
        signoff[key] = value
    return hit


def _records(rows, first_number, columns, kind, signoff):
    """Yield a Record for every non-empty row, taking sign-off rows below the data aside."""
    keys = kind.keys
    positions = [columns.get(key) for key in keys]
    for number, row in enumerate(rows, start=first_number):
        cells = tuple(
            row[p] if p is not None and p < len(row) else EMPTY for p in positions
        )
        if all(c.is_empty for c in cells):
            if any(not c.is_empty for c in row):
                _signoff_from_row(row, signoff)
            continue
        first = next(c for c in row if not c.is_empty)
        if header_key(first.text.replace(":", "：").partition("：")[0]) in _SIGNOFF_LABELS:
            _signoff_from_row(row, signoff)
            continue
        yield Record(keys, tuple(c.text for c in cells), row=number, cells=cells)


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
    """Read a template from a path, bytes or binary file; problems become findings, never exceptions."""
    catalogue = catalogue or default_catalogue()
    data, name = _load(source, name)
    name = _base_name(name)
    book, findings = _open_book(data, name)
    template = Template(None, "", None, source=name, findings=(), catalogue=catalogue)
    if book is None:
        template.findings = tuple(findings)
        return template
    template.format = book.format
    stamp = _read_stamp(book)
    template.stamp = stamp
    if stamp is None:
        findings.append(found.STAMP_MISSING(file=name, sheet=STAMP_SHEET))
    else:
        template.version = stamp.get("version", "")
    template.school_id, template.school_name = _identity(stamp, name, catalogue)
    hint = _kind_hint(stamp, name, catalogue)
    try:
        located = locate_data(book, [hint] if hint else list(catalogue.kinds.values()))
    except WorkbookReadError:
        template.findings = tuple(findings + [found.FILE_CORRUPT(file=name)])
        return template
    if located is None:
        findings.append(found.SHEET_MISSING(file=name, sheet=DATA_SHEET))
        if hint is None:
            findings.append(found.KIND_UNKNOWN(file=name))
        template.findings = tuple(findings)
        return template
    sheet, head, rest, header_index, kind = located
    template.kind = kind
    if sheet.name != DATA_SHEET:
        findings.append(found.SHEET_RENAMED(file=name, value=sheet.name, sheet=DATA_SHEET))
    columns, header_findings = _compare_header(head[header_index], kind, header_index + 1, name)
    findings.extend(header_findings)
    for row in head[:header_index]:
        _signoff_from_row(row, template.signoff)
    data_rows = itertools.chain(head[header_index + 1 :], rest)
    try:
        template.records = list(_records(data_rows, header_index + 2, columns, kind, template.signoff))
    except WorkbookReadError:
        findings.append(found.FILE_CORRUPT(file=name))
    template.findings = tuple(findings)
    return template
