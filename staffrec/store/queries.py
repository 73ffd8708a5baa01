"""Read-only queries the portal shows: datasets in a territory, review queues, one dataset's history."""

import json

import attrs
from sqlalchemy import select

from ..identity import HIGHER_ED_KIND
from ..review import Action, DatasetView, State, Tier, allowed_actions, can_see
from .schema import datasets, records, regions, review_events, schools, users, versions

HIGHER_ED = HIGHER_ED_KIND
REVIEW_ACTIONS = (Action.APPROVE, Action.RETURN, Action.PASS_DOWN)


@attrs.frozen
class DatasetRow:
    """One school's dataset as a list shows it."""

    school_id: str
    school_name: str
    county: str
    county_name: str
    city: str
    kind: str
    ownership: str
    state: State
    rows: int | None
    version: int | None
    updated_at: object

    @property
    def view(self):
        """The review machine's view of this dataset."""
        return DatasetView(self.school_id, self.state, self.county, self.city, self.kind == HIGHER_ED)


def territory_filter(query, actor):
    """Narrow a schools query to what the actor may see (the review machine decides in the end)."""
    tier = Tier(actor.tier)
    if tier is Tier.COUNTY:
        return query.where(schools.c.county == actor.territory, schools.c.kind != HIGHER_ED)
    if tier is Tier.CITY:
        return query.where(schools.c.city == actor.territory, schools.c.kind != HIGHER_ED)
    if tier is Tier.INFO_CENTRE:
        return query.where(schools.c.kind == HIGHER_ED)
    if tier is Tier.SCHOOL:
        return query.where(schools.c.id == actor.territory)
    return query


def datasets_for(conn, actor, state=None, county=None, kind=None):
    """Return the datasets the actor may see, optionally of one state, county or kind."""
    county_region = regions.alias("county_region")
    query = (
        select(
            schools.c.id, schools.c.name, schools.c.county, county_region.c.name.label("county_name"),
            schools.c.city, schools.c.kind, schools.c.ownership, datasets.c.state, versions.c.row_count,
            versions.c.number, datasets.c.updated_at,
        )
        .join(datasets, datasets.c.school_id == schools.c.id)
        .join(county_region, county_region.c.code == schools.c.county)
        .outerjoin(versions, versions.c.id == datasets.c.current_version)
        .order_by(schools.c.county, schools.c.id)
    )
    query = territory_filter(query, actor)
    if state:
        query = query.where(datasets.c.state == State(state).value)
    if county:
        query = query.where(schools.c.county == county)
    if kind:
        query = query.where(schools.c.kind == kind)
    found = [DatasetRow(*row) for row in conn.execute(query)]
    return [d for d in found if can_see(actor, d.view)]


def review_queue(conn, actor, county=None, kind=None):
    """Return the datasets on which it is the actor's turn to approve, return or pass down."""
    return [
        d for d in datasets_for(conn, actor, county=county, kind=kind)
        if any(a in REVIEW_ACTIONS for a in allowed_actions(actor, d.view))
    ]


def dataset_row(conn, actor, school_id):
    """Return one dataset the actor may see, or None (the portal answers 404)."""
    query = territory_filter(select(schools.c.id).where(schools.c.id == str(school_id)), actor)
    if conn.execute(query).first() is None:
        return None
    rows = [d for d in datasets_for(conn, actor) if d.school_id == str(school_id)]
    return rows[0] if rows else None


def version_history(conn, school_id):
    """Return a school's versions, newest first, with the uploader's name."""
    query = (
        select(versions, users.c.display_name.label("uploader"))
        .join(users, users.c.id == versions.c.uploaded_by)
        .where(versions.c.school_id == str(school_id))
        .order_by(versions.c.number.desc())
    )
    return list(conn.execute(query))


def review_history(conn, school_id):
    """Return a school's review events, oldest first, with the actor's name and tier."""
    query = (
        select(review_events, users.c.display_name.label("actor_name"), users.c.tier.label("actor_tier"))
        .join(users, users.c.id == review_events.c.actor)
        .where(review_events.c.school_id == str(school_id))
        .order_by(review_events.c.id)
    )
    return list(conn.execute(query))


def current_records(conn, school_id):
    """Return the current version's records as (row number, values dict), in row order."""
    query = select(records.c.row_number, records.c.data).where(records.c.school_id == str(school_id)).order_by(records.c.row_number)
    return [(row.row_number, json.loads(row.data)) for row in conn.execute(query)]
