"""`migrate --suggest`: a first mapping proposed from an export's headers and values, for the user to check."""

import collections
import re

import attrs

from ..catalogue import catalogue as default_catalogue
from ..text import header_key
from ..values import canonical_date, canonical_yearmonth
from .aliases import builtin_aliases
from .convert import Converter
from .dates import parse_form
from .issues import ERROR, MigrationError
from .mapping import ColumnRule, Mapping
from .source import Export, read_export
from .table import HEADER_SCAN_ROWS, locate_table
from .toml_text import render

VALUES_PER_COLUMN = 20
_QUALIFIER = re.compile(r"[(（][^)）]*[)）]$")
_CANDIDATE_FORMS = tuple(
    form for sep in "/.-" for form in (f"D{sep}M{sep}YYYY", f"M{sep}D{sep}YYYY", f"M{sep}YYYY")
) + ("YYYY M D", "YYYY M")


@attrs.frozen
class ColumnGuess:
    """One export column (the `occurrence`-th with its header) and the indicator it seems to be, or None."""

    source: str
    occurrence: int
    key: str | None
    note: str = ""

    @property
    def column(self):
        """The column as a mapping file names it."""
        return ColumnRule(self.source, self.occurrence, self.key).spelled


@attrs.frozen
class ValueNote:
    """A value of a mapped column that cannot be converted as it stands."""

    key: str
    value: str
    count: int
    why: str


@attrs.frozen
class Suggestion:
    """A proposed mapping: recognised columns, values needing aliases, date forms to declare."""

    export: object
    table: object
    kind: object
    columns: tuple
    values: tuple
    dates: tuple
    missing: tuple
    narrowed: bool = False

    def to_toml(self):
        """Return the proposal as a commented TOML mapping file."""
        return render(self)


class _Recogniser:
    """Tells which indicator a header names: a template header, a key, or a built-in header spelling."""

    def __init__(self, kinds, book):
        self.kinds, self.book = kinds, book
        self.keys = {ind.key for kind in kinds for ind in kind.indicators}

    def __call__(self, text):
        for candidate in dict.fromkeys((text, _QUALIFIER.sub("", text).strip())):
            for kind in self.kinds:
                indicator = kind.by_header(candidate)
                if indicator is not None:
                    return indicator.key
            if candidate in self.keys:
                return candidate
            keys = [key for key in self.book.indicators(candidate) if key in self.keys]
            if len(keys) == 1:
                return keys[0]
        return None


def _guesses(table, recognise):
    """Return a ColumnGuess per non-empty header cell; a second column for one indicator stays unmapped."""
    guesses, taken, seen = [], {}, collections.Counter()
    for position, text in enumerate(table.header):
        if not text:
            continue
        seen[header_key(text)] += 1
        guess = ColumnGuess(text, seen[header_key(text)], recognise(text))
        if guess.key in taken:
            note = f"与“{taken[guess.key]}”列都像是“{guess.key}”，请选定一列"
            guesses.append(attrs.evolve(guess, key=None, note=note))
            continue
        if guess.key:
            taken[guess.key] = guess.column
        guesses.append(guess)
    return tuple(guesses)


def _best_kind(kinds, keys):
    """Return the kind covering the most recognised keys (the first on a tie)."""
    return max(kinds, key=lambda kind: sum(1 for key in keys if kind.indicator(key)))


def _propose_form(values, want_day):
    """Return a declared form reading every value, '' when two orders fit, None when none does."""
    fitting = []
    for pattern in _CANDIDATE_FORMS:
        form = parse_form(pattern)
        if (not want_day or form.has_day) and all(form.read(v, want_day) for v in values):
            fitting.append(pattern)
    if not fitting:
        return None
    return fitting[0] if len(fitting) == 1 else ""


def _columns_of(table, guesses):
    """Map each recognised key to its column's values (non-empty), in row order."""
    mapping = Mapping(columns=tuple(ColumnRule(g.source, g.occurrence, g.key) for g in guesses))
    values = {}
    for rule in mapping.columns:
        if rule.target is None:
            continue
        positions = table.positions(rule.source)
        position = positions[rule.occurrence - 1]
        values[rule.target] = [cells[position] for _, cells in table.rows if position < len(cells) and cells[position].text]
    return mapping, values


def _notes(kind, mapping, values, catalogue, book):
    """Return (value notes, date notes) for the recognised columns of `kind`."""
    converter = Converter(kind, mapping, catalogue, book)
    notes, dates = [], []
    for key, cells in values.items():
        indicator = kind.indicator(key)
        if indicator is None:
            continue
        counts = collections.Counter(cell.text for cell in cells)
        failing = []
        for cell in {cell.text: cell for cell in cells}.values():
            _, problems = converter.convert(indicator, cell)
            errors = [(p, params) for p, params in problems if p.level == ERROR]
            if errors:
                failing.append(cell.text)
                problem, params = errors[0]
                why = problem.template.format(row=None, column=None, value=cell.text, target=indicator.header, **params)
                notes.append(ValueNote(key, cell.text, counts[cell.text], why))
        if indicator.type in ("date", "yearmonth") and failing:
            want_day = indicator.type == "date"
            plain = [v for v in failing if not (canonical_date(v) if want_day else canonical_yearmonth(v))]
            dates.append((key, tuple(plain[:3]), _propose_form(plain, want_day) if plain else None))
    coded = [n for n in notes if kind.indicator(n.key).is_coded]
    by_key = collections.defaultdict(list)
    for note in coded:
        by_key[note.key].append(note)
    kept = tuple(n for key in by_key for n in sorted(by_key[key], key=lambda n: -n.count)[:VALUES_PER_COLUMN])
    return kept, tuple(dates)


def suggest_mapping(source, kind=None, encoding=None, catalogue=None, aliases=None):
    """Propose a mapping for an export (path, bytes or Export); `kind` narrows it to one template kind."""
    catalogue = catalogue or default_catalogue()
    book = aliases or builtin_aliases()
    kinds = [kind] if kind is not None else list(catalogue.kinds.values())
    export = source if isinstance(source, Export) else read_export(source, encoding=encoding)
    recognise = _Recogniser(kinds, book)
    table = locate_table(export, lambda texts: sum(1 for t in texts if t and recognise(t)))
    if table is None:
        raise MigrationError(f"在导出文件的前 {HEADER_SCAN_ROWS} 行中找不到表头：没有一行含可识别的列名（如“姓名”“性别”）。")
    guesses = _guesses(table, recognise)
    keys = [g.key for g in guesses if g.key]
    chosen = kind or _best_kind(kinds, keys)
    mapping, values = _columns_of(table, guesses)
    notes, dates = _notes(chosen, mapping, values, catalogue, book)
    missing = tuple(ind for ind in chosen.indicators if ind.is_required and ind.key not in keys)
    return Suggestion(export, table, chosen, guesses, notes, dates, missing, narrowed=kind is not None)
