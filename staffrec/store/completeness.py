"""Completeness: for each county or city of a territory, how far its schools have come."""

import attrs

from ..review import State
from .queries import datasets_for

WAITING = (State.AT_COUNTY, State.AT_CITY, State.AT_REGION)
RETURNED = (State.RETURNED_TO_SCHOOL, State.RETURNED_TO_COUNTY, State.RETURNED_TO_CITY, State.RETURNED_TO_INFO_CENTRE)


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
    """Return one CompletenessRow per county (or city) of the actor's territory, in code order."""
    groups = {}
    for row in datasets_for(conn, actor):
        code = row.county if by == "county" else row.city
        groups.setdefault(code, []).append(row)
    result = []
    for code in sorted(groups):
        rows = groups[code]
        states = [State(r.state) for r in rows]
        result.append(
            CompletenessRow(
                code=code,
                name=regions.get(code).name,
                total=len(rows),
                missing=tuple(r for r, state in zip(rows, states) if state is State.NOT_UPLOADED),
                waiting={state: states.count(state) for state in WAITING},
                returned=sum(states.count(state) for state in RETURNED),
                reported=states.count(State.REPORTED),
            )
        )
    return result


def completeness_rows(rows):
    """Return a header and one row per county (or city) for a CSV download."""
    header = ("代码", "名称", "学校数", "未上传", "待县审核", "待市审核", "待区审核", "退回", "已上报教育部")
    table = [header]
    for r in rows:
        table.append((r.code, r.name, r.total, len(r.missing), *(r.waiting[s] for s in WAITING), r.returned, r.reported))
    return table
