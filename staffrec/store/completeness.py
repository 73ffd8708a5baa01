"""Completeness: for each county, city or template kind of a territory, how far its schools have come."""

import attrs

from ..catalogue import KIND_NAMES
from ..review import State
from .queries import datasets_for

WAITING = (State.AT_COUNTY, State.AT_CITY, State.AT_REGION)
RETURNED = (State.RETURNED_TO_SCHOOL, State.RETURNED_TO_COUNTY, State.RETURNED_TO_CITY, State.RETURNED_TO_INFO_CENTRE)
# What the rows may be grouped by: the school's county, its city, or its template kind (高校 for the info centre).
GROUPINGS = ("county", "city", "kind")


@attrs.frozen
class CompletenessRow:
    """One county's (or city's) schools by stage, and the schools that have sent nothing yet."""

    code: str
    name: str
    total: int
    missing: tuple
    waiting: dict
    returned: int
    reported: int

    @property
    def share_reported(self):
        """The share of schools already reported to the Ministry (0..1)."""
        return self.reported / self.total if self.total else 0.0


def completeness(conn, actor, regions, by="county"):
    """Return one CompletenessRow per county, city or kind (`by`) of the actor's territory, in code order.

    Grouped by kind, `code` and `name` are both the kind's name (中小学, 中职, 特教, 高校).
    """
    if by not in GROUPINGS:
        raise ValueError(f"completeness by {by!r}: expected one of {GROUPINGS}")
    groups = {}
    for row in datasets_for(conn, actor):
        groups.setdefault(getattr(row, by), []).append(row)
    result = []
    for code in sorted(groups, key=_group_order(by)):
        rows = groups[code]
        states = [State(r.state) for r in rows]
        result.append(
            CompletenessRow(
                code=code,
                name=code if by == "kind" else regions.get(code).name,
                total=len(rows),
                missing=tuple(r for r, state in zip(rows, states) if state is State.NOT_UPLOADED),
                waiting={state: states.count(state) for state in WAITING},
                returned=sum(states.count(state) for state in RETURNED),
                reported=states.count(State.REPORTED),
            )
        )
    return result


def _group_order(by):
    """Sort key of group codes: region codes in code order, kinds in the catalogue's order."""
    if by != "kind":
        return str
    return lambda name: (KIND_NAMES.index(name) if name in KIND_NAMES else len(KIND_NAMES), name)


def completeness_total(rows):
    """Return one CompletenessRow adding up `rows` (code empty, name 合计)."""
    return CompletenessRow(
        code="",
        name="合计",
        total=sum(r.total for r in rows),
        missing=tuple(m for r in rows for m in r.missing),
        waiting={state: sum(r.waiting[state] for r in rows) for state in WAITING},
        returned=sum(r.returned for r in rows),
        reported=sum(r.reported for r in rows),
    )


def completeness_rows(rows):
    """Return a header and one row per county (or city) for a CSV download."""
    header = ("代码", "名称", "学校数", "未上传", "待县审核", "待市审核", "待区审核", "退回", "已上报教育部")
    table = [header]
    for r in rows:
        table.append((r.code, r.name, r.total, len(r.missing), *(r.waiting[s] for s in WAITING), r.returned, r.reported))
    return table


def missing_rows(rows):
    """Return a header and one row per school that has sent nothing yet, group by group, for a CSV download."""
    table = [("分组代码", "分组名称", "学校标识码", "学校名称", "所在旗县", "模板类别")]
    for r in rows:
        table.extend((r.code, r.name, m.school_id, m.school_name, m.county_name, m.kind) for m in r.missing)
    return table
