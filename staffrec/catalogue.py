"""The catalogue: template kinds with their ordered indicators, code tables and regions."""

import csv
import functools

import attrs

from .codes import load_code_table
from .errors import CatalogueError
from .paths import codes_dir
from .regions import load_regions
from .text import header_key

KIND_NAMES = ("中小学", "中职", "特教", "高校")
VALUE_TYPES = ("text", "code", "multicode", "date", "yearmonth")
REQUIRED_RULES = {"Y": "required", "N": "optional", "C": "conditional"}
REGION_FILE = "regions_150000.csv"


@attrs.frozen
class Indicator:
    """One column of a template kind."""

    kind: str
    order: int
    key: str
    header: str
    type: str
    table: str | None
    required: str
    max_len: int | None
    rule: str = attrs.field(default="", eq=False)
    note: str = attrs.field(default="", eq=False)

    @property
    def is_required(self):
        """Tell whether the item must always be filled (`*` in the header)."""
        return self.required == "required"

    @property
    def is_coded(self):
        """Tell whether the cell holds codes of a table."""
        return self.type in ("code", "multicode")

    @property
    def header_label(self):
        """The header cell text: required items carry a leading `*`."""
        return f"*{self.header}" if self.is_required else self.header


@attrs.frozen
class TemplateKind:
    """A template kind (中小学, 中职, 特教, 高校) and its ordered columns."""

    name: str
    template_name: str
    indicators: tuple
    categories: tuple = ()

    @functools.cached_property
    def _by_key(self):
        return {i.key: i for i in self.indicators}

    @functools.cached_property
    def _by_header(self):
        return {header_key(i.header): i for i in self.indicators}

    @functools.cached_property
    def keys(self):
        """The indicator keys in column order."""
        return tuple(i.key for i in self.indicators)

    def indicator(self, key):
        """Return the indicator with this key, or None."""
        return self._by_key.get(key)

    def by_header(self, text):
        """Return the indicator a header cell names (ignoring `*`, spaces and width), or None."""
        return self._by_header.get(header_key(text))


class Rules:
    """The rule constants of codes/rules.csv: codes and ages the checks use, read as data."""

    def __init__(self, values):
        self._values = dict(values)

    def code(self, key):
        """Return one code (text)."""
        try:
            return self._values[key]
        except KeyError:
            raise KeyError(f"codes/rules.csv has no {key!r}") from None

    def codes(self, key):
        """Return a `;`-separated list of codes as a frozenset."""
        return frozenset(self.code(key).split(";"))

    def number(self, key):
        """Return a whole number."""
        return int(self.code(key))


class Catalogue:
    """Every table and template kind the library knows, as loaded from one codes/ directory."""

    def __init__(self, kinds, tables, regions, rules=None):
        self.kinds = dict(kinds)
        self.tables = dict(tables)
        self.regions = regions
        self.rules = rules or Rules({})
        self._by_template_name = {k.template_name: k for k in self.kinds.values()}
        self._check()

    def _check(self):
        for kind in self.kinds.values():
            for ind in kind.indicators:
                if ind.is_coded and ind.table not in self.tables:
                    raise CatalogueError(f"{kind.name}/{ind.key}: unknown code table {ind.table!r}")
        for category in self.table("school_category"):
            target = category.extra.get("template_kind", "")
            if target and target not in self.kinds:
                raise CatalogueError(f"school category {category.code}: unknown kind {target!r}")

    def table(self, name):
        """Return a code table by file stem; KeyError names it when missing."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no code table {name!r}") from None

    def kind(self, name):
        """Return a template kind by its short name (中小学, 中职, 特教, 高校)."""
        try:
            return self.kinds[name]
        except KeyError:
            raise KeyError(f"no template kind {name!r}") from None

    def kind_by_template_name(self, template_name):
        """Return the kind whose 模板名称 this is, or None."""
        return self._by_template_name.get(template_name)

    def kind_of_category(self, category):
        """Return the kind a 学校类别 code is collected with, or None when it is not collected."""
        row = self.table("school_category").get(category)
        target = row.extra.get("template_kind", "") if row is not None else ""
        return self.kinds.get(target) if target else None


def _indicator_from_csv(row):
    """Build an Indicator from one row of indicators.csv."""
    try:
        vtype, required = row["type"], REQUIRED_RULES[row["required"]]
        max_len = int(row["max_len"]) if row["max_len"] else None
        order = int(row["order"])
    except (KeyError, ValueError) as exc:
        raise CatalogueError(f"indicators.csv: bad row {row.get('key')!r}: {exc}") from exc
    if vtype not in VALUE_TYPES:
        raise CatalogueError(f"indicators.csv: {row['key']}: unknown type {vtype!r}")
    return Indicator(
        kind=row["kind"],
        order=order,
        key=row["key"],
        header=row["header"],
        type=vtype,
        table=row["table"] or None,
        required=required,
        max_len=max_len,
        rule=row.get("rule") or "",
        note=row.get("note") or "",
    )


def _load_kinds(path, categories):
    """Read indicators.csv into TemplateKind values, checking order and uniqueness."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kinds = {}
    for name in KIND_NAMES:
        mine = [r for r in rows if r["kind"] == name]
        if not mine:
            raise CatalogueError(f"indicators.csv: no columns for kind {name}")
        names = {r["template_name"] for r in mine}
        if len(names) != 1:
            raise CatalogueError(f"indicators.csv: kind {name} has template names {sorted(names)}")
        indicators = tuple(sorted((_indicator_from_csv(r) for r in mine), key=lambda i: i.order))
        if [i.order for i in indicators] != list(range(1, len(indicators) + 1)):
            raise CatalogueError(f"indicators.csv: kind {name}: orders must run 1..n")
        for attr in ("key", "header"):
            values = [getattr(i, attr) for i in indicators]
            if len(set(values)) != len(values):
                raise CatalogueError(f"indicators.csv: kind {name}: duplicate {attr}")
        cats = tuple(c.code for c in categories if c.extra.get("template_kind") == name)
        kinds[name] = TemplateKind(name, names.pop(), indicators, cats)
    unknown = {r["kind"] for r in rows} - set(KIND_NAMES)
    if unknown:
        raise CatalogueError(f"indicators.csv: unknown kinds {sorted(unknown)}")
    return kinds


def load_catalogue(directory=None):
    """Load a catalogue from a codes/ directory (the shipped one by default)."""
    directory = codes_dir() if directory is None else directory
    tables_dir = directory / "code-tables"
    with open(directory / "tables.csv", encoding="utf-8-sig", newline="") as handle:
        meta = list(csv.DictReader(handle))
    tables = {}
    for row in meta:
        path = tables_dir / f"{row['table']}.csv"
        if not path.is_file():
            raise CatalogueError(f"tables.csv names {row['table']}, but {path} is missing")
        tables[row["table"]] = load_code_table(path, row["title"], row["selectable"] == "leaves")
    kinds = _load_kinds(directory / "indicators.csv", tables["school_category"])
    with open(directory / "rules.csv", encoding="utf-8-sig", newline="") as handle:
        rules = Rules((row["key"], row["value"].strip()) for row in csv.DictReader(handle))
    return Catalogue(kinds, tables, load_regions(tables_dir / REGION_FILE), rules)


@functools.lru_cache(maxsize=None)
def catalogue():
    """Return the shipped catalogue, loaded once per process."""
    return load_catalogue()
