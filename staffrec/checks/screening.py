"""Clearing a column's distinct texts in bulk: those certainly canonical and without any cell finding.

A plain text (a text cell whose text needed no cleaning) that is the canonical form of its column
and breaks no cell rule gives no finding and is its own canonical value. `screen` returns the texts
it cannot clear that way; only those go through the cell rules themselves. Clearing is always on
the safe side: a text it cannot judge is simply not cleared.
"""

import datetime
import functools
import weakref

from ..cells import Cell, CellKind
from ..values import canonical_value
from . import cell_rules

# Dates and year-months written canonically in these years are tabulated once per process.
_YEARS = range(1900, 2100)
_CLEAN_LABELS = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=1)
def iso_dates():
    """Return every real date of _YEARS as `YYYY-MM-DD`."""
    first, last = datetime.date(_YEARS[0], 1, 1), datetime.date(_YEARS[-1], 12, 31)
    return frozenset((first + datetime.timedelta(days=n)).isoformat() for n in range((last - first).days + 1))


@functools.lru_cache(maxsize=1)
def iso_yearmonths():
    """Return every month of _YEARS as `YYYY-MM`."""
    return frozenset(f"{y:04d}-{m:02d}" for y in _YEARS for m in range(1, 13))


def clean_labels(context, ind):
    """Return the `代码-名称` labels a coded column takes as they are: canonical and without finding.

    Worked out by the cell rules themselves on each label of the table, for this catalogue, kind
    and column (nothing else of a file changes the answer for a code), and kept for the process.
    """
    per_catalogue = _CLEAN_LABELS.setdefault(context.catalogue, {})
    key = (context.kind.name, ind.key)
    if key not in per_catalogue:
        clean = set()
        for row in context.catalogue.table(ind.table):
            label = row.label
            canonical = canonical_value(ind, label, context.catalogue)
            cell = Cell(label, CellKind.TEXT, label)
            if canonical == label and not any(cell_rules.cell_findings(context, ind, label, cell, canonical, None)):
                clean.add(label)
        per_catalogue[key] = frozenset(clean)
    return per_catalogue[key]


def screen(context, ind, column):
    """Return the distinct texts of `column` (plain texts of one column) not certainly canonical and clean."""
    if ind.key in context.template.missing_keys:
        return set(column)  # the rules skip the column; the canonical values still come from them
    if ind.is_coded:
        clean = clean_labels(context, ind)
        return set() if clean.issuperset(column) else set(column) - clean  # "" is never a label
    if ind.type in ("date", "yearmonth"):
        canonical = iso_dates() if ind.type == "date" else iso_yearmonths()
        today = context.today.isoformat()[: 10 if ind.type == "date" else 7]
        if canonical.issuperset(column) and (not column or max(column) <= today):
            return set()  # canonical texts compare as their dates do
        distinct = set(column)
        late = {t for t in distinct if t > today} if max(distinct) > today else set()
        return (distinct - canonical) | late
    # Free text: canonical is the cleaned text, which a plain text is already.
    odd = {""} if "" in column else set()  # an empty cell may be required
    if ind.key == "id_number" or not column:
        return odd  # id_rules owns the identity number's cell
    if ind.max_len and max(map(len, column)) > ind.max_len:
        odd |= {t for t in column if len(t) > ind.max_len}
    if ind.key == "name" and " " in "|".join(column):
        odd |= {t for t in column if " " in t}
    return odd
