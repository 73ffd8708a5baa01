"""What changed between two versions of a school's data: persons added, removed, and fields changed."""

import attrs

from .text import fold


@attrs.frozen
class FieldChange:
    """One item of one person that differs between the versions."""

    key: str
    header: str
    old: str
    new: str


@attrs.frozen
class PersonChange:
    """A person present in both versions whose items differ."""

    id_number: str
    name: str
    changes: tuple


@attrs.frozen
class VersionDiff:
    """Persons added, removed and changed, keyed by identity number."""

    added: tuple
    removed: tuple
    changed: tuple
    unchanged: int

    @property
    def is_empty(self):
        """Tell whether the versions hold the same persons with the same items."""
        return not (self.added or self.removed or self.changed)


def person_key(values):
    """Key a person by identity number (width-folded, upper-case), else by name and birth date."""
    number = fold(values.get("id_number", "")).upper()
    return number or f"{values.get('name', '')}/{values.get('birth_date', '')}"


def diff_versions(old, new, kind):
    """Compare two versions given as lists of value dicts (indicator key -> text) of one kind."""
    before = {person_key(v): v for v in old}
    after = {person_key(v): v for v in new}
    changed, unchanged = [], 0
    for key in after.keys() & before.keys():
        items = tuple(
            FieldChange(i.key, i.header, before[key].get(i.key, ""), after[key].get(i.key, ""))
            for i in kind.indicators
            if before[key].get(i.key, "") != after[key].get(i.key, "")
        )
        if items:
            changed.append(PersonChange(key, after[key].get("name", ""), items))
        else:
            unchanged += 1
    return VersionDiff(
        added=tuple(after[k] for k in sorted(after.keys() - before.keys())),
        removed=tuple(before[k] for k in sorted(before.keys() - after.keys())),
        changed=tuple(sorted(changed, key=lambda c: c.id_number)),
        unchanged=unchanged,
    )
