"""The record rules over a whole file at once: each distinct value a rule reads is checked only once.

The rules stay the small per-row functions of cell_rules, id_rules, row_rules and scope_rules;
this module only decides how often they run. Their findings carry the row only as a place, never
in the message, so a result can be reused for every row with the same inputs:

- a cell's findings depend on its column and its value as read, so they are worked out once per
  distinct value of each column;
- a row rule listed in INPUTS reads only those columns, so it runs once per distinct combination
  of their texts and canonical values, on a view that holds nothing else (a rule reading another
  column there raises `Undeclared` and is run row by row instead);
- the rules reading a value that is different on nearly every row (identity number, birth date,
  work dates) first pass each row through a test that can only say "certainly nothing to report";
  the rows it cannot clear get the rule itself.

Findings come out in exactly the order the row-by-row loop gives (validate.check_by_row).
"""

import itertools
import operator

from ..cells import Cell, CellKind, cell_of_entry
from ..findings import FindingType
from ..values import canonical_value
from . import cell_rules, id_rules, row_rules, scope_rules, unique_rules
from .context import View, is_ambiguous_yearmonth
from .row_screens import SCREENED, unique_ids
from .screening import screen
from .stages import Placed, Reused

# The columns each row rule reads, besides the constants of the file (kind, school, rules, today).
INPUTS = {
    row_rules.check_nationality: ("nationality", "ethnicity", "political_status"),
    row_rules.check_political: ("political_status",),
    row_rules.check_employment_form: ("established_post", "employment_form"),
    row_rules.check_grassroots: ("grassroots", "grassroots_start", "grassroots_end"),
    row_rules.check_degree: ("degree_level", "degree", "degree_institution"),
    row_rules.check_post_grade: ("post_category", "post_grade"),
    row_rules.check_academic_origin: ("academic_origin", "degree_level"),
    scope_rules.check_staff_category: ("staff_category",),
    scope_rules.check_ownership_scope: ("established_post", "post_category", "staff_category"),
}
_ROW, _VALUES, _ENTRIES, _KEYS = map(operator.attrgetter, ("row", "values", "entries", "keys"))
# Free-text inputs a rule reads only through is_empty() (and as the value a finding shows): the
# rule runs once per combination with such a column's emptiness in place of its text, and rows
# whose combination gives findings get the rule itself.
PRESENCE_ONLY = {row_rules.check_degree: ("degree_institution",)}


def _rowless(*modules):
    """Tell whether no finding type of these modules puts the row number into its message."""
    types = [v for m in modules for v in vars(m).values() if isinstance(v, FindingType)]
    return not any("{row" in t.template or "{row" in t.hint for t in types)


# Reusing a finding for another row is only right while messages do not name the row.
REUSABLE = _rowless(cell_rules, id_rules, row_rules, scope_rules)


class Undeclared(Exception):
    """A rule run on the inputs INPUTS declares read another column."""


# Rules that read an undeclared column and were run row by row instead (tests keep this empty).
UNDECLARED = set()


class _Memo(dict):
    """A dict that computes a missing value once with `compute(key)`."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


class _Inputs:
    """Stand-in record of a memoized rule: only the declared columns' texts."""

    def __init__(self, keys, texts):
        self.keys, self.texts = keys, texts

    def __contains__(self, key):
        return key in self.keys

    def __getitem__(self, key):
        if key in self.texts:
            return self.texts[key]
        if key in self.keys:
            raise Undeclared(key)
        raise KeyError(key)

    def cell(self, key):
        raise Undeclared(key)


class _InputValues(dict):
    """Canonical values of the declared columns; any other column of the kind is Undeclared."""

    def __init__(self, keys, values):
        super().__init__(values)
        self.keys = keys

    def get(self, key, default=None):
        if key in self:
            return self[key]
        if key in self.keys:
            raise Undeclared(key)
        return default


class _InputView(View):
    """The view a memoized rule runs on: its declared inputs, no row."""

    def __init__(self, keys, texts, values):
        self.record = _Inputs(keys, texts)
        self.canonical = _InputValues(keys, values)


class _RowValues:
    """Canonical values of one row, taken from the file's columns."""

    def __init__(self, columns, index):
        self.columns, self.index = columns, index

    def get(self, key, default=None):
        if key not in self.columns.position:
            return default
        return self.columns.canonical(key)[self.index]


class _RowView(View):
    """The view of one real row, for rules run row by row."""

    def __init__(self, columns, index):
        self.record = columns.records[index]
        self.row = self.record.row
        self.canonical = _RowValues(columns, index)


class Columns:
    """The records of one file as columns: texts, memo keys, canonical values and cell findings."""

    def __init__(self, context, records):
        self.context, self.kind, self.records = context, context.kind, records
        self.rows = list(map(_ROW, records))
        self.size = len(records)
        self.position = {key: i for i, key in enumerate(self.kind.keys)}
        values = list(map(_VALUES, records))
        self.texts = list(zip(*values))
        # The reader gives a row of clean texts as one tuple for values and entries; then each key
        # is the text itself and most values can be cleared without running the cell rules.
        self.plain = all(map(operator.is_, map(_ENTRIES, records), values))
        self.keys = self.texts if self.plain else [self._keys(i) for i in range(len(self.kind.keys))]
        self._exact = [_Memo(self._exact_of(ind)) for ind in self.kind.indicators]
        self._odd = [None] * len(self.kind.keys)
        self._canonical = {}

    def _keys(self, index):
        """Return the memo keys of one column: the entry for texts as read, else what the value depends on."""
        column = [None if r.entries is None else r.entries[index] for r in self.records]
        try:
            "".join(column)
            return column
        except TypeError:
            pass
        keys = []
        for value, entry in zip(self.texts[index], column):
            if entry is None:
                keys.append(("v", value))
            elif entry.__class__ is str:
                keys.append(entry)
            else:
                keys.append(("c", value, entry.kind, entry.text, entry.raw if entry.kind is CellKind.TEXT else None))
        return keys

    @staticmethod
    def decode(key):
        """Return (text as read, Cell or None) a memo key stands for."""
        if key.__class__ is str:
            cell = cell_of_entry(key)
            return cell.text, cell
        if key[0] == "v":
            return key[1], None
        _, value, kind, text, raw = key
        return value, Cell(text, kind, raw)

    def _exact_of(self, ind):
        """Return the function giving (canonical value as RowView has it, cell findings) of a memo key."""
        # Not `self`: the memos belong to self, and a cycle would keep every record of the file
        # alive until the garbage collector's next full pass.
        context, decode = self.context, self.decode

        def compute(key):
            text, cell = decode(key)
            canonical = None if is_ambiguous_yearmonth(ind, cell) else canonical_value(ind, text, context.catalogue)
            return canonical, tuple(cell_rules.cell_findings(context, ind, text, cell, canonical, None))

        return compute

    def odd(self, index):
        """Return {key: (canonical, findings)} of a plain column's texts that screening could not clear."""
        if self._odd[index] is None:
            memo = self._exact[index]
            self._odd[index] = {k: memo[k] for k in screen(self.context, self.kind.indicators[index], self.keys[index])}
        return self._odd[index]

    def canonical_of(self, index, key):
        """Return the canonical value of one memo key of a column."""
        if self.plain:
            found = self.odd(index).get(key)
            return key if found is None else found[0]
        return self._exact[index][key][0]

    def canonical(self, key):
        """Return the canonical values of a column (all None when the kind lacks it)."""
        found = self._canonical.get(key)
        if found is None:
            index = self.position.get(key)
            if index is None:
                found = [None] * self.size
            elif self.plain:
                values = {k: canonical for k, (canonical, _) in self.odd(index).items() if canonical != k}
                column = self.keys[index]
                # A cleared text (or one whose canonical value is itself) is its own canonical value.
                found = list(map(values.get, column, column)) if values else column
            else:
                found = [pair[0] for pair in map(self._exact[index].__getitem__, self.keys[index])]
            self._canonical[key] = found
        return found

    def cell_findings(self, index):
        """Return the stage of the cell rules' findings in one column."""
        column = self.keys[index]
        if not self.plain:
            return self.placed([pair[1] for pair in map(self._exact[index].__getitem__, column)])
        bad = {k: findings for k, (_, findings) in self.odd(index).items() if findings}
        flagged = itertools.compress(range(self.size), map(bad.__contains__, column)) if bad else ()
        return Reused(self.rows, lambda i: bad.get(column[i], ()), flagged)

    def text(self, key):
        """Return the texts of a column as read."""
        return self.texts[self.position[key]]

    def view(self, index):
        """Return the view of one row."""
        return _RowView(self, index)

    def placed(self, results):
        """Return the stage of per-row tuples of reusable findings (placed on their row when read)."""
        return Reused(self.rows, results.__getitem__, itertools.compress(range(self.size), results))

    def by_row(self, rule, indexes=None):
        """Run a record rule row by row (all rows, or `indexes`); return the stage of its findings."""
        found = {}
        for i in range(self.size) if indexes is None else indexes:
            findings = list(rule(self.context, self.view(i)))
            if findings:
                found[i] = findings
        return Placed(found)


def memo_stage(columns, rule, inputs):
    """Return the stage of a row rule run once per distinct combination of its inputs."""
    kind_keys = frozenset(columns.kind.keys)
    present = [key for key in inputs if key in kind_keys]
    indexes = [columns.position[key] for key in present]
    presence = [key in PRESENCE_ONLY.get(rule, ()) for key in present]
    context = columns.context

    def compute(combo):
        combo = combo if len(indexes) != 1 else (combo,)
        texts, values = {}, {}
        for key, index, memo_key, only in zip(present, indexes, combo, presence):
            if only:  # stands for any non-empty text; the rule may not read its value
                texts[key] = "…" if memo_key else ""
                continue
            texts[key] = Columns.decode(memo_key)[0]
            values[key] = columns.canonical_of(index, memo_key)
        findings = tuple(rule(context, _InputView(kind_keys, texts, values)))
        return bool(findings) if any(presence) else findings

    # A column's memo key determines both its text and its canonical value.
    streams = [list(map(bool, columns.text(key))) if only else columns.keys[index] for key, index, only in zip(present, indexes, presence)]

    def combos():
        if len(streams) == 1:
            return streams[0]
        return zip(*streams) if streams else itertools.repeat((), columns.size)

    memo = _Memo(compute)
    if any(presence):
        results = list(map(memo.__getitem__, combos()))
        return columns.by_row(rule, itertools.compress(range(columns.size), results))
    # Most rules find nothing in most files: the distinct combinations tell, in one pass over the
    # rows; only a rule with findings goes over them again to place its findings.
    bad = {combo: found for combo in set(combos()) if (found := memo[combo])}
    if not bad:
        return Placed({})
    keys = list(combos())
    flagged = itertools.compress(range(columns.size), map(bad.__contains__, keys))
    return Reused(columns.rows, lambda i: bad.get(keys[i], ()), flagged)


def applies(context, records):
    """Tell whether the column engine can check these records (they all have the kind's columns)."""
    keys = context.kind.keys
    return REUSABLE and "id_number" in keys and all(map(keys.__eq__, map(_KEYS, records)))


def check_records(context, records, record_rules, table_rules):
    """Yield the findings of the record and table rules, in the order the row-by-row loop gives."""
    if not records:
        for rule in table_rules:
            yield from rule(context, [])
        return
    columns = Columns(context, records)
    stages = []
    for rule in record_rules:
        if rule is cell_rules.check_cells:
            stages += [columns.cell_findings(i) for i in range(len(context.kind.keys))]
        elif rule in SCREENED:
            stages.append(columns.by_row(rule, SCREENED[rule](columns)))
        elif rule in INPUTS:
            try:
                stages.append(memo_stage(columns, rule, INPUTS[rule]))
            except Undeclared:
                UNDECLARED.add(rule.__name__)
                stages.append(columns.by_row(rule))
        else:
            stages.append(columns.by_row(rule))
    flagged = set()
    for stage in stages:
        flagged.update(stage.flagged)
    for i in sorted(flagged):
        for stage in stages:
            yield from stage.at(i)
    for rule in table_rules:
        if rule is unique_rules.check_unique_ids:
            yield from unique_ids(columns, rule)
        else:
            yield from rule(context, [columns.view(i) for i in range(columns.size)])
