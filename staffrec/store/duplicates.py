"""Region-wide duplicates: one ID number in the current data of two schools."""

import functools

from sqlalchemy import and_, bindparam, select, true
from sqlalchemy.orm import aliased

from ..findings import WARNING, finding_type
from ..identity import HIGHER_ED_KIND
from ..review import DatasetView, State, Tier, can_see
from .queries import territory_filter
from .schema import records, schools

DUPLICATE_IN_REGION = finding_type(
    "region.duplicate_id",
    WARNING,
    "身份证件号 {value} 也出现在 {other_school}（{other_id}）的数据第 {other_row} 行。",
    "一人只能在一所学校采集，请两校核实此人实际所在学校，并从另一校的数据中删除。",
)


def _pairs(conn, where):
    """Return (id number, school, row, other school, other row) rows of shared ID numbers."""
    return list(conn.execute(_query(where)))


@functools.lru_cache(maxsize=1)
def _school_query():
    """The _pairs query of one school (bound `school_id`), built once: it runs for every stored file."""
    return _query(lambda mine: mine.c.school_id == bindparam("school_id"))


def _query(where):
    """Return the query of _pairs."""
    mine, other = aliased(records), aliased(records)
    theirs = aliased(schools)
    query = (
        select(
            mine.c.id_number, mine.c.school_id, mine.c.row_number, other.c.school_id.label("other_id"),
            other.c.row_number.label("other_row"), theirs.c.name.label("other_name"),
            theirs.c.county.label("other_county"), theirs.c.city.label("other_city"), theirs.c.kind.label("other_kind"),
        )
        .join(other, and_(other.c.id_number == mine.c.id_number, other.c.school_id != mine.c.school_id))
        .join(theirs, theirs.c.id == other.c.school_id)
        .where(mine.c.id_number != "", where(mine))
        .order_by(mine.c.id_number, mine.c.school_id, other.c.school_id)
    )
    return query


def _visible(actor, pair):
    """Tell whether the actor may be told the other school of a pair (no actor: a trusted caller).

    Counties and cities are told about another county's K-12 school (both must sort the person out);
    高校 data and anything outside the K-12 path stay hidden from those who cannot see them.
    """
    if actor is None:
        return True
    higher_ed = pair.other_kind == HIGHER_ED_KIND
    view = DatasetView(pair.other_id, State.NOT_UPLOADED, pair.other_county, pair.other_city, higher_ed)
    return can_see(actor, view) or (not higher_ed and Tier(actor.tier) in (Tier.COUNTY, Tier.CITY))


def duplicates_of(conn, school_id, actor=None):
    """Return a warning Finding for each of a school's ID numbers that another school also holds.

    A school outside the actor's territory is not named: its data does not exist for this actor.
    """
    findings = []
    for p in conn.execute(_school_query(), {"school_id": school_id}):
        if _visible(actor, p):
            other = dict(other_school=p.other_name, other_id=p.other_id, other_row=p.other_row)
        else:
            other = dict(other_school="管辖范围外的一所学校", other_id="不公开", other_row="?")
        findings.append(DUPLICATE_IN_REGION(row=p.row_number, column="身份证件号", value=p.id_number, **other))
    return findings


def list_duplicates(conn, actor=None):
    """Return every shared ID number with a side in the actor's territory (all of them without an actor).

    Pairs come in both directions, so "my side is in the territory" gives each county its view.
    """
    if actor is None:
        return _pairs(conn, lambda mine: true())
    local = territory_filter(select(schools.c.id), actor)
    return _pairs(conn, lambda mine: mine.c.school_id.in_(local))
