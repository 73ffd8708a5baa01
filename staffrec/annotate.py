"""An annotated copy of a checked file: problem cells marked and commented, every finding listed first."""

import datetime
import io
from pathlib import Path, PureWindowsPath

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .catalogue import catalogue as default_catalogue
from .cells import EMPTY, CellKind
from .checks.report import ROW_HEADER, SEVERITY_TEXT
from .files import atomic_write
from .findings import ERROR, WARNING
from .reader import READERS, locate_data, workbook_format

LIST_SHEET = "错误清单"
NAME_SUFFIX = "_校验结果"
ERROR_COLOR, WARNING_COLOR = "FFC7CE", "FFEB9C"
# OWASP (CSV/formula injection): a cell starting with one of these is read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COMMENT_AUTHOR = "staffrec"
LIST_WIDTHS = (40, 8, 22, 24, 8, 22, 90)
SEVERITY_COLUMN = ROW_HEADER.index("级别")
_FILLS = {
    ERROR: PatternFill("solid", fgColor=ERROR_COLOR),
    WARNING: PatternFill("solid", fgColor=WARNING_COLOR),
}
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def escape_formula(text):
    """Prefix an apostrophe to text a spreadsheet would run as a formula (OWASP's recommendation)."""
    return "'" + text if isinstance(text, str) and text.startswith(FORMULA_TRIGGERS) else text


def annotated_name(path):
    """Return the file name of the annotated copy of `path`."""
    stem = PureWindowsPath(Path(path).name).stem or "模板"
    return f"{stem}{NAME_SUFFIX}.xlsx"


def _clean(text):
    """Drop the control characters an .xlsx cannot hold (old .xls files may carry them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _read_book(data):
    """Return the workbook source of the bytes `data`, or None when they cannot be read as a workbook."""
    try:
        fmt = workbook_format(data)  # what the check refused to parse (a ZIP bomb) gets no copy either
        return READERS[fmt](data) if fmt else None
    # A file the check already called unreadable fails here in arbitrary ways; it just gets no copy.
    except Exception:  # noqa: BLE001
        return None


def _header_positions(book, kind_name, catalogue):
    """Return (data sheet name, {indicator header: 0-based column}) as the reader located them."""
    if kind_name is None:
        return None, {}
    try:
        kind = catalogue.kind(kind_name)
        located = locate_data(book, [kind])
    except Exception:  # noqa: BLE001 - a damaged sheet only means no cell gets marked
        return None, {}
    if located is None:
        return None, {}
    sheet, head, _rest, index, kind = located
    positions = {}
    for position, cell in enumerate(head[index]):
        indicator = kind.by_header(cell.text) if cell.text else None
        # The reader takes the first column naming an indicator; later ones are extras.
        if indicator is not None and indicator.header not in positions:
            positions[indicator.header] = position
    return sheet.name, positions


def _marks(findings, positions):
    """Return {row: {column: findings}} placed by header, and {row: findings} to place by their value."""
    by_cell, by_value = {}, {}
    for f in findings:
        if f.row is None:
            continue
        if f.column in positions:
            by_cell.setdefault(f.row, {}).setdefault(positions[f.column], []).append(f)
        elif f.column is None and f.value:
            # Header findings such as an extra column name the cell only by its text.
            by_value.setdefault(f.row, []).append(f)
    return by_cell, by_value


def _comment(findings):
    """Build the comment listing a cell's findings."""
    text = "\n".join(f"[{SEVERITY_TEXT[f.severity]}] {f.message}" for f in findings)
    lines = sum(1 + len(line) // 22 for line in text.splitlines())
    return Comment(text, COMMENT_AUTHOR, width=320, height=min(600, 24 + 18 * lines))


def _plain_value(cell):
    """Return the value to copy for one read Cell, as the workbook stored it."""
    if cell.kind is CellKind.EMPTY:
        return None
    if cell.kind is CellKind.TEXT:
        return _clean(cell.raw)
    if cell.kind in (CellKind.NUMBER, CellKind.BOOL, CellKind.DATE):
        return cell.raw
    return cell.text


def _date_format(value):
    """Pick a number format showing a date, a date with time, or a time as the reader shows it."""
    if isinstance(value, datetime.time):
        return "hh:mm:ss"
    if isinstance(value, datetime.datetime) and value.time() != datetime.time(0):
        return "yyyy-mm-dd hh:mm:ss"
    return "yyyy-mm-dd"


def _out_cell(ws, cell, findings):
    """Return what to append for one cell: a plain value, or a styled cell when it needs one."""
    value = _plain_value(cell)
    is_text = isinstance(value, str)
    needs_guard = is_text and value.startswith(FORMULA_TRIGGERS + ("#",))
    is_date = cell.kind is CellKind.DATE
    if not (findings or needs_guard or is_date):
        return value
    out = WriteOnlyCell(ws, value)
    if is_text:
        # Keep the text as typed but stored as text: openpyxl would otherwise store `=…` as a formula.
        out.data_type = "s"
        out.quotePrefix = value.startswith(FORMULA_TRIGGERS)
    if is_date:
        out.number_format = _date_format(value)
    if findings:
        worst = ERROR if any(f.is_error for f in findings) else WARNING
        out.fill = _FILLS[worst]
        out.comment = _comment(findings)
    return out


def _row_marks(row, number, by_cell, by_value):
    """Return {column: findings} of one sheet row."""
    here = {column: list(fs) for column, fs in by_cell.get(number, {}).items()}
    for f in by_value.get(number, ()):
        hit = next((i for i, c in enumerate(row) if c.text == f.value), None)
        if hit is not None:
            here.setdefault(hit, []).append(f)
    return here


def _copy_sheet(wb, sheet, by_cell, by_value):
    """Copy one sheet's values, marking the cells that have findings."""
    ws = wb.create_sheet(_clean(sheet.name)[:31] or "Sheet")
    if sheet.hidden:
        ws.sheet_state = "hidden"
    for number, row in enumerate(sheet.rows(), start=1):
        here = _row_marks(row, number, by_cell, by_value)
        # A finding may sit on an empty cell past the end of a ragged row.
        width = max([len(row)] + [column + 1 for column in here])
        cells = tuple(row) + (EMPTY,) * (width - len(row))
        ws.append([_out_cell(ws, cell, here.get(position)) for position, cell in enumerate(cells)])


def _list_cell(ws, value, **style):
    """Return one cell of the finding list, text escaped against formula injection."""
    if isinstance(value, str):
        value = escape_formula(_clean(value))
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _list_sheet(wb, report):
    """Write the 错误清单 sheet: the report's rows, one finding a line."""
    ws = wb.create_sheet(LIST_SHEET)
    ws.freeze_panes = "A2"
    for index, width in enumerate(LIST_WIDTHS):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    header, *rows = report.to_rows()
    ws.append([_list_cell(ws, text, font=_BOLD) for text in header])
    for finding, values in zip(report.findings, rows):
        cells = [_list_cell(ws, value, alignment=_WRAP) for value in values]
        cells[SEVERITY_COLUMN].fill = _FILLS[finding.severity]
        ws.append(cells)
    if not report.findings:
        ws.append([_list_cell(ws, "未发现问题。")])
    if report.truncated:
        ws.append([_list_cell(ws, f"……问题太多，只列出前 {len(report.findings)} 个。")])


def build_annotated(path, report, catalogue=None):
    """Return the bytes of the annotated .xlsx copy of `path` checked into `report`."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        data = b""  # the copy then holds the finding list only
    return annotated_bytes(data, report, catalogue)


def annotated_bytes(data, report, catalogue=None):
    """Return the bytes of the annotated .xlsx copy of a file's bytes `data` checked into `report`.

    Name the copy with `annotated_name(original name)`.
    """
    catalogue = catalogue or default_catalogue()
    wb = openpyxl.Workbook(write_only=True)
    _list_sheet(wb, report)
    book = _read_book(data)
    if book is not None:
        data_sheet, positions = _header_positions(book, report.kind, catalogue)
        by_cell, by_value = _marks(report.findings, positions)
        for sheet in book.sheets:
            marked = sheet.name == data_sheet
            try:
                _copy_sheet(wb, sheet, by_cell if marked else {}, by_value if marked else {})
            except Exception:  # noqa: BLE001 - a sheet that breaks mid-read keeps the rows read so far
                continue
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_annotated(path, report, out_dir):
    """Write `<stem>_校验结果.xlsx` into `out_dir` (created if missing) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return atomic_write(out_dir / annotated_name(path), build_annotated(path, report))
