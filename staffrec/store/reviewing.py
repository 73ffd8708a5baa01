"""Review actions through the store: each transition stored with its review event and audit entry."""

import datetime
import logging

import attrs
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..identity import HIGHER_ED_KIND
from ..review import Action, DatasetView, ReviewError, apply
from .audit import write_audit
from .failures import unavailable
from .schema import datasets, review_events, schools

log = logging.getLogger(__name__)


@attrs.frozen
class ReviewResult:
    """The outcome of one action on one school's dataset: the new state, or why it was refused."""

    school_id: str
    state: str | None = None
    error: str | None = None

    @property
    def ok(self):
        """Tell whether the action was taken."""
        return self.error is None


# Built once (values are bound per call): building a statement costs more than running it on SQLite,
# and a region's ingest runs these for each of thousands of files.
_SCHOOL = bindparam("b_school_id")
_VIEW = (
    select(datasets.c.state, schools.c.county, schools.c.city, schools.c.kind)
    .join(schools, schools.c.id == datasets.c.school_id)
    .where(datasets.c.school_id == _SCHOOL)
)
_VIEW_LOCKED = _VIEW.with_for_update(of=datasets)
# The SET clause comes from the parameters given (state, updated_at and maybe current_version).
_SET_STATE = update(datasets).where(datasets.c.school_id == _SCHOOL)
_ADD_EVENT = insert(review_events)


def dataset_view(conn, school_id, lock=False):
    """Return a school's DatasetView, or None when there is no such school."""
    row = conn.execute(_VIEW_LOCKED if lock else _VIEW, {"b_school_id": str(school_id)}).first()
    if row is None:
        return None
    return DatasetView(str(school_id), row.state, row.county, row.city, row.kind == HIGHER_ED_KIND)


def record_transition(conn, user, transition, version_id=None, address=None, detail=None):
    """Store a transition's new state, its review event and an audit entry, in the caller's transaction."""
    now = datetime.datetime.now(datetime.timezone.utc)
    event = transition.event
    values = dict(b_school_id=event.school_id, state=transition.state.value, updated_at=now)
    if version_id is not None:
        values["current_version"] = version_id
    conn.execute(_SET_STATE, values)
    conn.execute(
        _ADD_EVENT,
        dict(
            school_id=event.school_id, version_id=version_id, actor=user.id, action=event.action.value,
            from_state=event.from_state.value, to_state=event.to_state.value, reason=event.reason, at=now,
        ),
    )
    audit = dict(detail or {}, from_state=event.from_state.value, to_state=event.to_state.value)
    if event.reason:
        audit["reason"] = event.reason
    write_audit(conn, user.name, event.action.value, event.school_id, audit, address)


def review(store, user, school_ids, action, reason=None, address=None):
    """Apply one action to several datasets, each in its own transaction; one refusal stops no other.

    A busy database or a full disk stops the batch: that school and the ones after it are left
    untouched, each with the reason (a request must not wait a lock timeout per school).
    """
    action, school_ids = Action(action), list(school_ids)
    results = []
    for index, school_id in enumerate(school_ids):
        try:
            results.append(_review_one(store, user, school_id, action, reason, address))
        except (SQLAlchemyError, OSError) as exc:
            failure = unavailable(exc, "未办理")
            if failure is None:
                raise
            log.warning("review %s of %s stopped: %s", action.value, school_id, getattr(exc, "orig", exc))
            results += [ReviewResult(str(s), error=str(failure)) for s in school_ids[index:]]
            break
    return results


def _review_one(store, user, school_id, action, reason, address):
    """Take the action on one school's dataset in its own transaction; return its ReviewResult."""
    with store.writer.begin() as conn:
        view = dataset_view(conn, school_id, lock=True)
        try:
            if view is None:
                raise ReviewError("not_found", f"没有学校标识码为 {school_id} 的学校。")
            transition = apply(user.actor, view, action, reason)
        except ReviewError as exc:
            return ReviewResult(str(school_id), error=str(exc))
        record_transition(conn, user, transition, address=address)
        return ReviewResult(str(school_id), state=transition.state.value)
