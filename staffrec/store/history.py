"""A school's stored versions read back, and what changed between two of them."""

from sqlalchemy import select

from ..errors import StaffrecError
from ..reader import open_template
from ..versiondiff import diff_versions
from .schema import versions


class VersionNotFound(StaffrecError, LookupError):
    """No such version of that school's data."""


def version_values(store, school_id, number):
    """Return the records of one stored version as value dicts, read from its original file."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(versions).where(versions.c.school_id == str(school_id), versions.c.number == int(number))
        ).first()
    if row is None:
        raise VersionNotFound(f"学校 {school_id} 没有第 {number} 版数据。")
    template = open_template(store.files.get(row.file_hash), name=row.original_name, catalogue=store.catalogue)
    return template.kind, [record.as_dict() for record in template.records]


def diff_stored_versions(store, school_id, old, new):
    """Return the VersionDiff between two stored versions of a school's data."""
    kind, before = version_values(store, school_id, old)
    _, after = version_values(store, school_id, new)
    return diff_versions(before, after, kind)
