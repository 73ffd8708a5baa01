"""The start page: the user's territory at a glance."""

from collections import Counter

from flask import Blueprint, render_template
from flask_login import login_required

from staffrec.review import State
from staffrec.store.queries import datasets_for, review_queue

from .access import actor, get_store

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    """Counts of the user's datasets by state, and how many wait for the user."""
    with get_store().engine.connect() as conn:
        rows = datasets_for(conn, actor())
        waiting = review_queue(conn, actor())
    counts = Counter(r.state for r in rows)
    return render_template(
        "home.html", counts=[(s, counts.get(s, 0)) for s in State], total=len(rows), waiting=len(waiting)
    )
