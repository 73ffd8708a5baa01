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


# The labels as header_key folds them (what signoff_key compares).
_FOLDED_LABELS = tuple(header_key(label) for _, label in SIGNOFF_FIELDS)
# Every label starts with one of these characters; testing it first keeps the row scan cheap.
_FIRST_CHARS = frozenset(label[0] for _, label in SIGNOFF_FIELDS)


# A cell that is_signoff_row looks at starts, after `*` and spaces, with one of _FIRST_CHARS; in
# texts joined with `|` such a cell shows as this pattern (a `|` inside a text only adds matches).
SIGNOFF_HINT = re.compile(r"(?:^|\|)[*＊ ]*[" + re.escape("".join(sorted(_FIRST_CHARS))) + "]")


def _label_cell_pattern():
    """Return a pattern any `|`-joined row of cleaned texts with a sign-off label cell matches, or None.

    signoff_key(text) needs the text before its first colon to fold (header_key) to a label, and
    header_key only removes spaces and leading `*` and maps full-width ASCII: so in cleaned text
    (single spaces) the cell starts with `*`, `＊` or spaces, then the label's characters with at
    most a space between them, then a colon or the cell's end. Labels using characters that
    full-width folding could produce get no pattern (SIGNOFF_HINT serves then).
    """
    if not all(label and all(0x7F < ord(c) < 0xFF01 or ord(c) > 0xFF5E for c in label) for label in _FOLDED_LABELS):
        return None
    labels = "|".join(" ?".join(map(re.escape, label)) for label in _FOLDED_LABELS)
    return re.compile(r"(?:^|\|)[*＊ ]*(?:" + labels + r") ?(?:[:：]|\||$)")


# A row whose line this misses holds no sign-off label (see _label_cell_pattern).
SIGNOFF_CELL = _label_cell_pattern() or SIGNOFF_HINT
# header_key only drops spaces and `*` and maps full-width ASCII to ASCII: every other character of
# a folded label must appear as it is in a cell naming it.
_LABEL_CHARS = tuple(tuple(c for c in label if ord(c) > 0x7E) for label in _FOLDED_LABELS)


def signoff_probe(vocabulary):
    """Return, per sign-off label, (characters, pair): what a line SIGNOFF_CELL finds that label in holds.

    The characters are the label's two rarest in `vocabulary` (text like the data's): testing them
    rejects nearly every data row at C speed. The pair is the label's two neighbouring characters
    rarest there, written together and with a space between (SIGNOFF_CELL allows one space), a
    line holding the label holds one of them: it spares the pattern the rows holding both
    characters apart. None when a label has no character that must appear (then every row needs
    the full test).
    """
    if not all(_LABEL_CHARS):
        return None
    probe = []
    for chars, label in zip(_LABEL_CHARS, _FOLDED_LABELS):
        rare = tuple(sorted(chars, key=lambda c: (vocabulary.count(c), c))[:2])
        pairs = [(a + b, a + " " + b) for a, b in zip(label, label[1:])]
        pair = min(pairs, key=lambda p: (vocabulary.count(p[0]) + vocabulary.count(p[1]), p)) if pairs else None
        probe.append((rare, pair if SIGNOFF_CELL is not SIGNOFF_HINT else None))
    return tuple(probe)


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
