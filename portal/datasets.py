"""Review: queues, the dataset page, and the actions the state machine allows."""

from flask import Blueprint, render_template
from flask_login import login_required

from staffrec.store.queries import datasets_for, review_queue

from .access import actor, get_store

bp = Blueprint("datasets", __name__, url_prefix="/datasets")


@bp.route("/")
@login_required
def index():
    """Every dataset in the user's territory."""
    with get_store().engine.connect() as conn:
        rows = datasets_for(conn, actor())
    return render_template("datasets/list.html", rows=rows, title="全部数据")


@bp.route("/queue")
@login_required
def queue():
    """The datasets waiting for this user."""
    with get_store().engine.connect() as conn:
        rows = review_queue(conn, actor())
    return render_template("datasets/list.html", rows=rows, title="待我审核")
