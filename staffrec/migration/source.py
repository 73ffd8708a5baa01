"""Reading an HR system's export (.xls, .xlsx or text/CSV in any Chinese Windows encoding) into rows."""

import os

import attrs

from ..errors import WorkbookReadError
from ..reader import READERS
from ..sniff import sniff
from .csv_text import csv_rows, decode, encoding_label, guess_delimiter
from .issues import MigrationError

TEXT_FORMATS = ("csv", "text")
_ASK = "请在 HR 系统中导出为 .xls、.xlsx 或 .csv，或用 Excel 打开后另存为 .xlsx 再迁移。"


@attrs.frozen
class ExportSheet:
    """One sheet of an export; `rows[i]` is the row the user sees as number i + 1."""

    name: str | None
    rows: tuple = attrs.field(repr=False)


@attrs.frozen
class Export:
    """An export as read: file name, real format, text encoding and separator, and its sheets."""

    name: str | None
    format: str
    description: str
    sheets: tuple
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def encoding_label(self):
        """The Chinese-facing name of the text encoding, or None for workbooks."""
        return encoding_label(self.encoding) if self.encoding else None


def _load(source, name):
    """Return (bytes, file name) of a path, bytes or binary file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return handle.read(), name or os.path.basename(os.fspath(source))
    return source.read(), name or os.path.basename(getattr(source, "name", "") or "") or None


def _text_export(data, name, sniffed, encoding, delimiter):
    """Decode a text export and split it into rows."""
    text, codec = decode(data, sniffed.encoding, encoding)
    delimiter = delimiter or guess_delimiter(text)
    rows = csv_rows(text, delimiter)
    return Export(name, "csv", sniffed.description, (ExportSheet(None, rows),), codec, delimiter)


def _workbook_export(data, name, sniffed):
    """Read the visible sheets of an .xls or .xlsx export."""
    try:
        book = READERS[sniffed.format](data)
        sheets = tuple(ExportSheet(s.name, tuple(s.rows())) for s in book.sheets if not s.hidden)
    except WorkbookReadError:
        raise MigrationError(f"导出文件 {name or ''} 已损坏，无法读取。{_ASK}") from None
    if not sheets:
        raise MigrationError(f"导出文件 {name or ''} 没有可见的工作表。")
    return Export(name, sniffed.format, sniffed.description, sheets)


def read_export(source, name=None, encoding=None, delimiter=None):
    """Read an export from a path, bytes or binary file; `encoding`/`delimiter` override detection."""
    data, name = _load(source, name)
    sniffed = sniff(data)
    if sniffed.format == "empty":
        raise MigrationError(f"导出文件 {name or ''} 是空文件。")
    if sniffed.format in READERS:
        return _workbook_export(data, name, sniffed)
    # Bytes the sniffer could not decode may still be text in the encoding the user names.
    if sniffed.format in TEXT_FORMATS or (encoding and sniffed.format == "unknown"):
        return _text_export(data, name, sniffed, encoding, delimiter)
    raise MigrationError(f"导出文件 {name or ''} 是{sniffed.description}，无法迁移。{_ASK}")
