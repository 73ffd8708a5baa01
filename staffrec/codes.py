"""Code tables: the coded values of indicators, loaded from codes/code-tables/*.csv."""

import csv
import types

import attrs

from .errors import CatalogueError
from .text import fold


@attrs.frozen
class Code:
    """One row of a code table; `kinds` is None when the row applies to every template kind."""

    code: str
    name: str
    parent: str = ""
    in_scope: bool = True
    kinds: frozenset | None = None
    extra: types.MappingProxyType = attrs.field(
        factory=lambda: types.MappingProxyType({}), eq=False, hash=False, repr=False
    )

    @property
    def label(self):
        """The `代码-名称` form the templates' cells hold."""
        return f"{self.code}-{self.name}"

    def applies_to(self, kind):
        """Tell whether the row may be chosen in templates of `kind`."""
        return self.kinds is None or kind in self.kinds


class CodeTable:
    """An ordered code table with lookups by code, name and `代码-名称`."""

    def __init__(self, name, title, rows, leaves_only=False):
        self.name = name
        self.title = title
        self.rows = tuple(rows)
        self.leaves_only = leaves_only
        self._by_code = {}
        self._by_name = {}
        self._by_label = {}
        for row in self.rows:
            if row.code in self._by_code:
                raise CatalogueError(f"table {name}: code {row.code!r} appears twice")
            self._by_code[row.code] = row
            self._by_label[row.label] = row
            # A name shared by two rows is no unambiguous key; keep it out of the name index.
            self._by_name[row.name] = None if row.name in self._by_name else row
        self._group_codes = frozenset(r.parent for r in self.rows if r.parent)
        missing = self._group_codes - set(self._by_code)
        if missing:
            raise CatalogueError(f"table {name}: parent codes {sorted(missing)} have no row")

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __contains__(self, code):
        return code in self._by_code

    def __repr__(self):
        return f"<CodeTable {self.name} ({len(self.rows)} rows)>"

    def get(self, code):
        """Return the row with this exact code, or None."""
        return self._by_code.get(code)

    def by_name(self, name):
        """Return the row with this exact name, or None (also when two rows share it)."""
        return self._by_name.get(name)

    def by_label(self, label):
        """Return the row whose `代码-名称` is exactly `label`, or None."""
        return self._by_label.get(label)

    def lookup(self, text):
        """Return the row that `text` names as label, code or name, after folding width and spaces."""
        text = fold(text)
        return self._by_label.get(text) or self._by_code.get(text) or self._by_name.get(text)

    def is_group(self, code):
        """Tell whether `code` is the parent of another row."""
        return code in self._group_codes

    def groups(self):
        """Return the group rows, in table order."""
        return tuple(r for r in self.rows if r.code in self._group_codes)

    def leaves(self):
        """Return the rows that are no other row's parent, in table order."""
        return tuple(r for r in self.rows if r.code not in self._group_codes)

    def is_selectable(self, code):
        """Tell whether a template may hold `code` (leaf-only tables reject group rows)."""
        return code in self._by_code and not (self.leaves_only and self.is_group(code))

    def choices(self, kind=None, in_scope_only=False):
        """Return the rows a template of `kind` offers, in table order."""
        return tuple(
            r
            for r in self.rows
            if self.is_selectable(r.code)
            and (kind is None or r.applies_to(kind))
            and (r.in_scope or not in_scope_only)
        )


_FLAG = {"Y": True, "N": False}


def _code_from_csv(row, table_name):
    """Build a Code from one CSV row, keeping unknown columns as `extra`."""
    row = {k: (v or "").strip() for k, v in row.items()}
    try:
        code, name = row.pop("code"), row.pop("name")
    except KeyError as exc:
        raise CatalogueError(f"table {table_name}: column {exc} missing") from exc
    parent = row.pop("parent", "")
    in_scope = _FLAG.get(row.pop("in_scope", "Y") or "Y")
    if in_scope is None:
        raise CatalogueError(f"table {table_name}: in_scope of {code} must be Y or N")
    kinds_text = row.pop("kinds", "all") or "all"
    kinds = None if kinds_text == "all" else frozenset(k.strip() for k in kinds_text.split(","))
    if not code or not name:
        raise CatalogueError(f"table {table_name}: a row lacks code or name")
    return Code(code, name, parent, in_scope, kinds, types.MappingProxyType(row))


def load_code_table(path, title="", leaves_only=False):
    """Read one code table CSV (UTF-8, header `code,name,...`)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = [_code_from_csv(r, path.stem) for r in csv.DictReader(handle)]
    return CodeTable(path.stem, title or path.stem, rows, leaves_only)
