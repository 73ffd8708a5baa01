"""Version diff: which persons a re-upload added, removed or changed, keyed by ID number."""

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from staffrec.store.history import VersionNotFound
from staffrec.store.queries import version_history

from .access import get_dataset_or_404, get_store

bp = Blueprint("history", __name__, url_prefix="/datasets")

# Shown for each person added or removed, besides the ID number (when the kind has them).
PERSON_KEYS = ("name", "sex", "birth_date", "staff_category")


def compared_numbers(numbers, current, old, new):
    """The two version numbers to compare: by default the one before `new`, and the current version.

    `numbers` are the school's version numbers, `current` the current one's (None before any upload);
    `old` and `new` are what the query string asked for (None when absent). Either result may be None
    when there is nothing to compare with.
    """
    if new is None:
        new = current if current is not None else max(numbers, default=None)
    if old is None and new is not None:
        old = max((n for n in numbers if n < new), default=None)
    return old, new


@bp.route("/<school_id>/diff")
@login_required
def diff(school_id):
    """Persons added, removed and changed between two versions (`?old=N&new=M`; previous vs current)."""
    row = get_dataset_or_404(school_id)
    store = get_store()
    with store.engine.connect() as conn:
        versions = version_history(conn, row.school_id)
    numbers = [v.number for v in versions]
    asked = request.args.get("old", type=int), request.args.get("new", type=int)
    if any(n is not None and n not in numbers for n in asked):
        abort(404)
    old, new = compared_numbers(numbers, row.version, *asked)
    result = None
    if old is not None and new is not None:
        try:
            result = store.diff(row.school_id, old, new)
        except VersionNotFound:
            abort(404)
    kind = store.catalogue.kind(row.kind)
    by_number = {v.number: v for v in versions}
    return render_template(
        "history/diff.html", row=row, versions=versions, old=by_number.get(old), new=by_number.get(new),
        diff=result, person_columns=[kind.indicator(k) for k in PERSON_KEYS if kind.indicator(k)],
    )
