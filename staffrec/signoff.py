"""The sign-off block (录入人, 校验人, 学校负责人, 联系电话, 填报日期) as found in any row."""

import re

from .layout import SIGNOFF_FIELDS
from .text import header_key

_LABELS = {header_key(label): key for key, label in SIGNOFF_FIELDS}
# "录入人：张三　校验人：李四" in one cell: split before every label that follows a value.
_INLINE = re.compile("(" + "|".join(label for _, label in SIGNOFF_FIELDS) + r")\s*[:：]")


_COLON = re.compile(r"[:：]")


def _split(text):
    """Split `label：value` at its first colon of either width."""
    parts = _COLON.split(text, maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def signoff_key(text):
    """Return the sign-off field a cell's label names (`录入人`, `录入人：`, `录入人：张三`), or None."""
    return _LABELS.get(header_key(_split(text)[0]))


# Every label starts with one of these characters; testing it first keeps the row scan cheap.
_FIRST_CHARS = frozenset(label[0] for _, label in SIGNOFF_FIELDS)


def is_signoff_row(row):
    """Tell whether any cell of the row carries a sign-off label."""
    return any(
        cell.text and cell.text.lstrip("*＊ ")[:1] in _FIRST_CHARS and signoff_key(cell.text) for cell in row
    )


def read_signoff(row, signoff):
    """Collect the label/value pairs of one row into `signoff` (a value may share the label's cell)."""
    for position, cell in enumerate(row):
        if not cell.text or signoff_key(cell.text) is None:
            continue
        pieces = [m.start() for m in _INLINE.finditer(cell.text)] or [0]
        for start, end in zip(pieces, pieces[1:] + [len(cell.text)]):
            piece = cell.text[start:end]
            key = signoff_key(piece)
            if key is None:
                continue
            value = _split(piece)[1].strip()
            following = row[position + 1] if position + 1 < len(row) else None
            if not value and len(pieces) == 1 and following is not None and signoff_key(following.text) is None:
                value = following.text
            signoff[key] = value
