"""Built-in spellings of codes and of column headers, from codes/aliases.csv; several codes per spelling means ambiguous."""

import csv
import functools

import attrs

from ..catalogue import catalogue as default_catalogue
from ..errors import CatalogueError
from ..paths import codes_dir
from ..text import header_key

ALIAS_FILE = "aliases.csv"
HEADER_TABLE = "header"
# Code-table columns that are other spellings of the code (nationality: CN, CHN).
SPELLING_COLUMNS = ("alpha2", "alpha3")


def alias_key(text):
    """Fold a spelling for lookup: width, spaces and letter case do not matter."""
    return header_key(text).casefold()


@attrs.frozen
class AliasBook:
    """Spellings by (table, folded spelling) → codes in file order; `header` maps header spellings to indicator keys."""

    entries: dict = attrs.field(repr=False)

    def codes(self, table, text):
        """Return every code `text` spells in `table` (empty when none, several when ambiguous)."""
        return self.entries.get((table, alias_key(text)), ())

    def indicators(self, text):
        """Return the indicator keys a column header spelling names."""
        return self.entries.get((HEADER_TABLE, alias_key(text)), ())


def _indicator_keys(catalogue):
    return {ind.key for kind in catalogue.kinds.values() for ind in kind.indicators}


def _add(entries, key, code):
    """Add `code` to the codes of `key`; tell whether it was new."""
    found = entries.get(key, ())
    entries[key] = found if code in found else found + (code,)
    return code not in found


def parse_aliases(rows, catalogue, source=ALIAS_FILE):
    """Build an AliasBook from CSV rows (table, alias, code); CatalogueError names a faulty line."""
    keys = _indicator_keys(catalogue)
    entries = {}
    # Names and labels with any width of brackets and spaces: 馆员(图书) is 馆员（图书）.
    for name, table in catalogue.tables.items():
        for row in table:
            for spelling in (row.name, row.label, *(row.extra.get(c, "") for c in SPELLING_COLUMNS)):
                if spelling:
                    _add(entries, (name, alias_key(spelling)), row.code)
    for line, row in enumerate(rows, start=2):
        table, alias, code = (row.get(f, "").strip() for f in ("table", "alias", "code"))
        if not (table and alias and code):
            raise CatalogueError(f"{source} line {line}: table, alias and code are all required")
        if table == HEADER_TABLE:
            if code not in keys:
                raise CatalogueError(f"{source} line {line}: no indicator {code!r}")
        elif table not in catalogue.tables or code not in catalogue.table(table):
            raise CatalogueError(f"{source} line {line}: no code {code!r} in table {table!r}")
        if not _add(entries, (table, alias_key(alias)), code):
            raise CatalogueError(f"{source} line {line}: {table}/{alias} → {code} is listed twice or is its own name")
    return AliasBook(entries)


def load_aliases(directory=None, catalogue=None):
    """Load codes/aliases.csv of a codes directory (the shipped one by default)."""
    directory = codes_dir() if directory is None else directory
    with open(directory / ALIAS_FILE, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return parse_aliases(rows, catalogue or default_catalogue())


@functools.lru_cache(maxsize=None)
def builtin_aliases():
    """Return the shipped alias book, loaded once per process."""
    return load_aliases()
