"""Text exports: decoding as Chinese Windows writes them, and telling the field separator."""

import codecs
import collections
import csv
import io
import re

from ..cells import CellKind, make_cell
from .issues import MigrationError

# GB18030 decodes every GBK byte sequence and more; a GBK head may hide GB18030 rows further down.
_SAME_AS_GB18030 = {"gbk", "cp936", "gb2312", "936", "ansi", "gb18030"}
_LABELS = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 带 BOM", "gb18030": "GBK/GB18030", "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE",
}
DELIMITERS = (",", "\t", ";", "|")
_DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号", "|": "竖线"}
# What exports write to keep leading zeros when Excel opens the file: ="0123" or '0123.
_FORMULA_TEXT = re.compile(r'="(.*)"', re.S)
_APOSTROPHE_DIGITS = re.compile(r"'(\d+[Xx]?)")


def codec_for(name):
    """Return the Python codec used for a user-given encoding name; MigrationError when unknown."""
    wanted = name.strip().lower().replace("_", "-")
    if wanted in _SAME_AS_GB18030:
        return "gb18030"
    try:
        info = codecs.lookup(wanted)
    except LookupError:
        info = None
    # base64, rot13 and the like are codecs, but not text encodings.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise MigrationError(f"不认识的编码“{name}”，可用 utf-8、gbk、gb18030、utf-16 等。")
    return info.name


def encoding_label(codec):
    """Return the Chinese-facing name of a codec."""
    return _LABELS.get(codec, codec.upper())


def decode(data, sniffed_codec, wanted=None):
    """Decode the whole file; return (text, codec). A `wanted` encoding is used strictly."""
    if wanted:
        codec = codec_for(wanted)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            raise MigrationError(
                f"导出文件不是 {wanted} 编码（第 {exc.start + 1} 个字节处无法解码），请改用其他编码或不指定编码。"
            ) from None
    first = sniffed_codec or "utf-8"
    if first in _SAME_AS_GB18030:
        first = "gb18030"
    for codec in dict.fromkeys((first, "gb18030")):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise MigrationError("无法识别导出文件的编码，请用 --encoding 或映射文件 [source] encoding 指定（如 gbk、utf-8、utf-16）。")


def _field_counts(lines, delimiter):
    """Return how many fields each non-blank line splits into."""
    return [len(row) for row in csv.reader(lines, delimiter=delimiter) if any(f.strip() for f in row)]


def guess_delimiter(text):
    """Pick the separator that splits the first lines into the most rows of one common width."""
    lines = text.lstrip("\ufeff").splitlines()[:50]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        counts = [c for c in _field_counts(lines, delimiter) if c > 1]
        if not counts:
            continue
        width, rows = collections.Counter(counts).most_common(1)[0]
        if rows * width > best_score:
            best, best_score = delimiter, rows * width
    return best


def delimiter_name(delimiter):
    """Return the Chinese name of a separator."""
    return _DELIMITER_NAMES.get(delimiter, f"“{delimiter}”")


def _cell(text):
    """Turn one field into a text Cell, unwrapping the keep-as-text tricks of exports."""
    match = _FORMULA_TEXT.fullmatch(text.strip())
    if match:
        text = match.group(1)
    match = _APOSTROPHE_DIGITS.fullmatch(text.strip())
    if match:
        text = match.group(1)
    return make_cell(text, CellKind.TEXT)


def csv_rows(text, delimiter):
    """Return the rows of a text export as tuples of Cell; the n-th tuple is what Excel shows as row n."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        return tuple(tuple(_cell(field) for field in row) for row in reader)
    except csv.Error as exc:
        raise MigrationError(f"导出文件第 {reader.line_num} 行无法按 CSV 读取：引号不成对或格式有误。") from exc
