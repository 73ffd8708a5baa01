"""Migration from existing HR systems: an export and a mapping file become the school's own template.

    from staffrec.migration import migrate
    result = migrate("导出.csv", "映射.toml", "3115020001", registry=registry, out="out/")
"""

from .aliases import AliasBook, builtin_aliases, load_aliases
from .issues import Issue, MigrationError
from .mapping import ColumnRule, Mapping, load_mapping, parse_mapping
from .migrate import migrate
from .result import MigrationResult, Problem
from .source import Export, read_export
from .suggest import Suggestion, suggest_mapping

__all__ = [
    "AliasBook",
    "ColumnRule",
    "Export",
    "Issue",
    "Mapping",
    "MigrationError",
    "MigrationResult",
    "Problem",
    "Suggestion",
    "builtin_aliases",
    "load_aliases",
    "load_mapping",
    "migrate",
    "parse_mapping",
    "read_export",
    "suggest_mapping",
]
