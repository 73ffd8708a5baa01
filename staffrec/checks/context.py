"""What every rule sees: the file being checked, and each row with its values resolved."""

import datetime
import re

import attrs

from ..values import canonical_value, split_multicode

# A year-month typed as a number loses October's trailing zero (2008.10 is stored as 2008.1),
# and a number pasted as text keeps the loss; only ".1" is ambiguous (".2" cannot be ".20").
_ONE_DECIMAL = re.compile(r"\d{4}\.1")


def is_ambiguous_yearmonth(indicator, cell):
    """Tell whether a year-month cell reads `2008.1`: January, or October that lost its zero."""
    return indicator.type == "yearmonth" and cell is not None and _ONE_DECIMAL.fullmatch(cell.text) is not None


@attrs.define
class CheckContext:
    """The template under check, the catalogue, the registry (optional) and the collection date."""

    template: object
    catalogue: object
    registry: object = None
    today: datetime.date = attrs.field(factory=datetime.date.today)

    @property
    def kind(self):
        """The template kind read from the file."""
        return self.template.kind

    @property
    def file(self):
        """The file name findings carry."""
        return self.template.source

    @property
    def school(self):
        """The registry entry of the file's school, or None."""
        if self.registry is None or self.template.school_id is None:
            return None
        return self.registry.get(self.template.school_id)

    def at(self, view, key):
        """Return the place of one cell (file, row, column header, value as read) for a finding."""
        return dict(file=self.file, row=view.row, column=self.kind.indicator(key).header, value=view.text(key))

    @property
    def rules(self):
        """The rule constants of codes/rules.csv."""
        return self.catalogue.rules

    def column_order(self, header):
        """Return the sort position of a column header (unknown headers last)."""
        indicator = self.kind.by_header(header) if self.kind and header else None
        return indicator.order if indicator else 10_000


class Resolver:
    """Canonical text of (indicator, text) pairs, cached because values repeat across rows."""

    def __init__(self, catalogue):
        self.catalogue = catalogue
        self._cache = {}

    def __call__(self, indicator, text):
        key = (indicator.kind, indicator.key, text)
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = canonical_value(indicator, text, self.catalogue)
            return value


def code_of(label):
    """Return the code part of a `代码-名称` label."""
    return label.partition("-")[0]


class View:
    """What a row rule reads of one record: texts as read and canonical values (see RowView)."""

    record = None  # the record, or a stand-in answering `key in`, `[key]` and `cell(key)`
    canonical = None  # {key: canonical text or None}, or a stand-in with `get`
    row = None  # the Excel row number

    def text(self, key):
        """Return the value as read."""
        return self.record[key]

    def is_empty(self, key):
        """Tell whether the cell holds nothing."""
        return self.record[key] == ""

    def value(self, key):
        """Return the canonical text, or None when the value cannot be told (or the kind lacks it)."""
        return self.canonical.get(key)

    def code(self, key):
        """Return the code of a coded cell, '' when empty, None when unknown."""
        label = self.canonical.get(key)
        return label if not label else code_of(label)

    def codes(self, key):
        """Return the codes of a multi-code cell, or None when any part is unknown."""
        label = self.canonical.get(key)
        return None if label is None else [code_of(part) for part in split_multicode(label)]

    def date(self, key):
        """Return a date cell as datetime.date, or None."""
        text = self.canonical.get(key)
        return datetime.date.fromisoformat(text) if text else None

    def yearmonth(self, key):
        """Return a year-month cell as (year, month), or None."""
        text = self.canonical.get(key)
        return (int(text[:4]), int(text[5:7])) if text else None


class RowView(View):
    """One record with every value resolved to canonical text, or None where it cannot be told."""

    def __init__(self, record, kind, resolve):
        self.record = record
        self.kind = kind
        self.row = record.row
        self.canonical = {
            ind.key: resolve(ind, text) for ind, text in zip(kind.indicators, record.values)
        }
        if record.entries is not None:
            for ind, cell in zip(kind.indicators, record.cells):
                if is_ambiguous_yearmonth(ind, cell):
                    self.canonical[ind.key] = None
