"""Region-wide duplicates: one ID number in the current data of two schools."""

from sqlalchemy import and_, select, true
from sqlalchemy.orm import aliased

from ..findings import WARNING, finding_type
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
    mine, other = aliased(records), aliased(records)
    theirs = aliased(schools)
    query = (
        select(
            mine.c.id_number, mine.c.school_id, mine.c.row_number, other.c.school_id.label("other_id"),
            other.c.row_number.label("other_row"), theirs.c.name.label("other_name"),
        )
        .join(other, and_(other.c.id_number == mine.c.id_number, other.c.school_id != mine.c.school_id))
        .join(theirs, theirs.c.id == other.c.school_id)
        .where(mine.c.id_number != "", where(mine))
        .order_by(mine.c.id_number, mine.c.school_id, other.c.school_id)
    )
    return list(conn.execute(query))


def duplicates_of(conn, school_id):
    """Return a warning Finding for each of a school's ID numbers that another school also holds."""
    return [
        DUPLICATE_IN_REGION(
            row=p.row_number, column="身份证件号", value=p.id_number,
            other_school=p.other_name, other_id=p.other_id, other_row=p.other_row,
        )
        for p in _pairs(conn, lambda mine: mine.c.school_id == school_id)
    ]


def list_duplicates(conn, actor=None):
    """Return every shared ID number with a side in the actor's territory (all of them without an actor).

    Pairs come in both directions, so "my side is in the territory" gives each county its view.
    """
    if actor is None:
        return _pairs(conn, lambda mine: true())
    local = territory_filter(select(schools.c.id), actor)
    return _pairs(conn, lambda mine: mine.c.school_id.in_(local))
