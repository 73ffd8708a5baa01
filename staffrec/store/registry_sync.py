"""Putting the region table and the school registry into the database, and reading them back."""

import datetime

from sqlalchemy import insert, select, update

from ..identity import SchoolId
from ..registry import Registry, School
from ..review import State
from .schema import datasets, regions as regions_table, revisions, schools

SCHOOLS_REVISION = "schools"


def sync_registry(conn, registry):
    """Insert new regions and schools, update changed ones, open a dataset for each new school.

    Schools are never deleted here: one that left the registry keeps its history.
    """
    known_regions = {r.code for r in conn.execute(select(regions_table.c.code))}
    for region in registry.regions.regions:
        values = dict(name=region.name, level=region.level, parent=region.parent or None)
        if region.code in known_regions:
            conn.execute(update(regions_table).where(regions_table.c.code == region.code).values(**values))
        else:
            conn.execute(insert(regions_table).values(code=region.code, **values))
    known = {row.id: row for row in conn.execute(select(schools))}
    now = datetime.datetime.now(datetime.timezone.utc)
    added = changed = 0
    for school in registry:
        values = dict(
            name=school.name,
            category=school.category,
            county=school.county,
            city=registry.regions.city_of(school.county).code,
            ownership=school.ownership,
            kind=school.kind().name,
        )
        row = known.get(str(school.id))
        if row is None:
            conn.execute(insert(schools).values(id=str(school.id), **values))
            conn.execute(insert(datasets).values(school_id=str(school.id), state=State.NOT_UPLOADED.value, updated_at=now))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            conn.execute(update(schools).where(schools.c.id == str(school.id)).values(**values))
            changed += 1
    if added or changed:
        _next_revision(conn)
    return added, changed


def _next_revision(conn):
    """Count one more change of the schools table, in the transaction that makes it."""
    bumped = conn.execute(
        update(revisions).where(revisions.c.name == SCHOOLS_REVISION).values(number=revisions.c.number + 1)
    )
    if bumped.rowcount == 0:
        conn.execute(insert(revisions).values(name=SCHOOLS_REVISION, number=1))


def schools_revision(conn):
    """Return the number of changes sync_registry has made to the schools table (None before the first)."""
    return conn.execute(select(revisions.c.number).where(revisions.c.name == SCHOOLS_REVISION)).scalar()


def registry_of(rows, region_table):
    """Return a Registry of `schools` table rows (all of them, or one school's for checking its file)."""
    return Registry(
        (School(SchoolId.parse(r.id), r.name, r.category, r.county, r.ownership) for r in rows), region_table
    )


def registry_from_db(conn, region_table):
    """Rebuild the Registry the database holds (for the checks that need it)."""
    return registry_of(conn.execute(select(schools).order_by(schools.c.id)), region_table)
