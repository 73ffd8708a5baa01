"""Read-only queries the portal shows: datasets in a territory, review queues, one dataset's history."""

import json

import attrs
from sqlalchemy import func, select

from ..identity import HIGHER_ED_KIND
from ..review import RULES, Action, DatasetView, State, Tier, allowed_actions, can_see
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
    state: State = attrs.field(converter=State)
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


def datasets_for(conn, actor, state=None, county=None, kind=None, school_ids=None, states=None):
    """Return the datasets the actor may see, optionally of one state (or `states`), county or kind, or of some schools."""
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
    if states is not None:
        query = query.where(datasets.c.state.in_([State(s).value for s in states]))
    if county:
        query = query.where(schools.c.county == county)
    if kind:
        query = query.where(schools.c.kind == kind)
    if school_ids is not None:
        query = query.where(schools.c.id.in_([str(s) for s in school_ids]))
    found = [DatasetRow(*row) for row in conn.execute(query)]
    return [d for d in found if can_see(actor, d.view)]


RETURNED_STATES = (State.RETURNED_TO_SCHOOL, State.RETURNED_TO_COUNTY, State.RETURNED_TO_CITY, State.RETURNED_TO_INFO_CENTRE)


def is_my_turn(actor, dataset):
    """Tell whether the actor is to approve, return or pass down the dataset, or to upload it again after a return."""
    actions = allowed_actions(actor, dataset.view)
    if any(a in REVIEW_ACTIONS for a in actions):
        return True
    return dataset.state in RETURNED_STATES and Action.UPLOAD in actions


def turn_states(tier):
    """Return the states in which a dataset can be the turn of an actor of this tier (from the review rules)."""
    return frozenset(
        state for _path, rule_tier, state, action in RULES
        if rule_tier is Tier(tier) and (action in REVIEW_ACTIONS or (state in RETURNED_STATES and action is Action.UPLOAD))
    )


def review_queue(conn, actor, county=None, kind=None, state=None):
    """Return the datasets on which it is the actor's turn: to review them, or to upload them again."""
    # The database leaves out the states that are never this tier's turn (a region's list is thousands long).
    found = datasets_for(conn, actor, state=state, county=county, kind=kind, states=turn_states(actor.tier))
    return [d for d in found if is_my_turn(actor, d)]


def dataset_row(conn, actor, school_id):
    """Return one dataset the actor may see, or None (the portal answers 404)."""
    rows = datasets_for(conn, actor, school_ids=[school_id])
    return rows[0] if rows else None


def visible_datasets(conn, actor, school_ids):
    """Return {school id: DatasetRow} of those schools the actor may see; the others are simply absent."""
    return {d.school_id: d for d in datasets_for(conn, actor, school_ids=school_ids)}


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


def records_page(conn, school_id, page=1, per_page=100):
    """Return (total, rows) of the current records on one page; rows are (row number, values dict)."""
    where = records.c.school_id == str(school_id)
    total = conn.execute(select(func.count()).select_from(records).where(where)).scalar() or 0
    query = (
        select(records.c.row_number, records.c.data)
        .where(where)
        .order_by(records.c.row_number)
        .offset(max(page - 1, 0) * per_page)
        .limit(per_page)
    )
    return total, [(row.row_number, json.loads(row.data)) for row in conn.execute(query)]


def school_facts(conn, school_id):
    """Return a school's registry entry with its county's and city's names, or None."""
    county, city = regions.alias("county_region"), regions.alias("city_region")
    query = (
        select(schools, county.c.name.label("county_name"), city.c.name.label("city_name"))
        .join(county, county.c.code == schools.c.county)
        .join(city, city.c.code == schools.c.city)
        .where(schools.c.id == str(school_id))
    )
    return conn.execute(query).first()


def current_version(conn, school_id):
    """Return the row of the school's current version (file hash, name, counts), or None."""
    query = select(versions).join(datasets, datasets.c.current_version == versions.c.id).where(
        datasets.c.school_id == str(school_id)
    )
    return conn.execute(query).first()


@attrs.frozen
class ReturnNote:
    """One return on the way down: who returned (name, tier), why, and when."""

    actor_name: str
    tier: Tier = attrs.field(converter=Tier)
    action: Action = attrs.field(converter=Action)
    reason: str | None
    at: object


def return_notes(conn, school_ids):
    """Return {school id: [ReturnNote]} of the returns since each school's latest upload, oldest first."""
    school_ids = [str(s) for s in school_ids]
    notes = {}
    if not school_ids:
        return notes
    query = (
        select(review_events, users.c.display_name.label("actor_name"), users.c.tier.label("actor_tier"))
        .join(users, users.c.id == review_events.c.actor)
        .where(review_events.c.school_id.in_(school_ids))
        .where(review_events.c.action.in_((Action.UPLOAD.value, Action.RETURN.value, Action.PASS_DOWN.value)))
        .order_by(review_events.c.id)
    )
    for event in conn.execute(query):
        if event.action == Action.UPLOAD.value:
            notes.pop(event.school_id, None)
        else:
            note = ReturnNote(event.actor_name, event.actor_tier, event.action, event.reason, event.at)
            notes.setdefault(event.school_id, []).append(note)
    return notes


def counties_of(conn, actor):
    """Return (code, name) of the counties in the actor's territory (none for the info centre or a school)."""
    tier = Tier(actor.tier)
    query = select(regions.c.code, regions.c.name).where(regions.c.level == "county").order_by(regions.c.code)
    if tier is Tier.COUNTY:
        query = query.where(regions.c.code == actor.territory)
    elif tier is Tier.CITY:
        query = query.where(regions.c.parent == actor.territory)
    elif tier is Tier.REGION:
        query = query.where(regions.c.code.startswith(actor.territory[:2]))
    else:
        return []
    return [(row.code, row.name) for row in conn.execute(query)]


def county_in_territory(conn, actor, county_code):
    """Return the name of a county inside the actor's territory, or None (the portal answers 404)."""
    return dict(counties_of(conn, actor)).get(str(county_code))
