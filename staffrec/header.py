"""Finding a template's header row and comparing it with the columns of its kind."""

import bisect
import functools

from . import read_findings as found
from .text import header_key

# A header row names at least this share of its kind's columns (and at least MIN_MATCHES).
MIN_SHARE, MIN_MATCHES = 3, 3


def header_score(row, kind):
    """Count the cells of a row that name a column of `kind`."""
    return sum(1 for cell in row if cell.text and kind.by_header(cell.text) is not None)


def header_distance(row, kind):
    """Count the columns of `kind` the row lacks plus the row's cells that are no column of it."""
    named = {kind.by_header(c.text).key for c in row if c.text and kind.by_header(c.text) is not None}
    extra = sum(1 for c in row if c.text and kind.by_header(c.text) is None)
    return len(kind.indicators) - len(named) + extra


def looks_like_header(row, kind):
    """Tell whether a row names enough columns of `kind` to be its header."""
    return header_score(row, kind) >= max(MIN_MATCHES, len(kind.indicators) // MIN_SHARE)


def repeats_header(row, kind):
    """Tell whether a data row is the header again (its first cell names the first column)."""
    first = next((c for c in row if not c.is_empty), None)
    return first is not None and kind.by_header(first.text) is kind.indicators[0] and looks_like_header(row, kind)


@functools.lru_cache(maxsize=16)
def _headers(kind):
    """Return {folded header: indicator} of a kind, as its by_header looks columns up."""
    return {header_key(i.header): i for i in kind.indicators}


def find_header(head, kinds, preferred=None):
    """Return (row index, kind) of the header row that fits a kind best, or None.

    Among rows that look like a header, the one with the fewest missing and extra columns wins;
    on a tie the `preferred` kind (named by the stamp or file name) does. (looks_like_header and
    header_distance, with each cell folded once rather than once per kind.)
    """
    best, folds = None, {}
    lookups = [(kind, _headers(kind)) for kind in kinds]
    for index, row in enumerate(head):
        folded = []
        for cell in row:
            if cell.text:
                key = folds.get(cell.text)
                if key is None:
                    key = folds[cell.text] = header_key(cell.text)
                folded.append(key)
        for kind, by_key in lookups:
            found = list(filter(None, map(by_key.get, folded)))
            if len(found) < max(MIN_MATCHES, len(kind.indicators) // MIN_SHARE):
                continue
            distance = len(kind.indicators) - len({i.key for i in found}) + len(folded) - len(found)
            rank = (distance, kind is not preferred, index)
            if best is None or rank < best[0]:
                best = (rank, index, kind)
        if best is not None and best[0][:2] == (0, False):
            break  # the preferred kind's exact header: no later row can rank before it
    return None if best is None else best[1:]


def _longest_increasing(orders):
    """Return the positions of one longest increasing subsequence of `orders`."""
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


def compare_header(cells, kind, row_number, name):
    """Map columns to indicator keys; report missing, extra and moved columns."""
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
    # Columns outside one longest in-order run are the moved ones; a deletion moves nothing.
    placed = sorted(columns.items(), key=lambda item: item[1])
    in_order = _longest_increasing([kind.indicator(key).order for key, _ in placed])
    for index, (key, position) in enumerate(placed):
        if index not in in_order:
            indicator = kind.indicator(key)
            findings.append(
                found.HEADER_MOVED(
                    file=name, row=row_number, column=indicator.header, expected=indicator.order, actual=position + 1
                )
            )
    return columns, findings
