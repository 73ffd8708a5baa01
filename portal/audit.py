"""The audit log, read-only: every upload, state change and export with who, when, what and from where.

Only the region reviewer sees it; for every other role the pages do not exist (404). A county or city
does not see its own territory's entries either: the log is the region's security record and carries
every tier's account names and network addresses, while what a county or city needs to know about its
schools (who uploaded, approved or returned them, when and why) is on each school's dataset page.
"""

import datetime

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from staffrec.review import Action, Tier
from staffrec.store.audit import AuditFilter, audit_actors, audit_list, audit_page, audit_rows

from .access import get_store
from .reports import csv_download, today

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = 50
SCHOOL_MAX = 100  # characters of the school field used
FIELDS = ("actor", "action", "school", "since", "until")


def _region_only():
    """Answer 404 to everyone but the region reviewer."""
    if Tier(current_user.tier) is not Tier.REGION:
        abort(404)


def _day(name, errors):
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors.append(f"日期“{text[:20]}”无法识别，请按 YYYY-MM-DD 填写（如 2026-09-15）；该条件未使用。")
        return None


def _filters(actors):
    """Read the filters from the query string: values that name nothing are ignored, bad dates reported."""
    errors = []
    args = request.args
    actor = args.get("actor") if args.get("actor") in dict(actors) else None
    action = args.get("action") if args.get("action") in {a.value for a in Action} else None
    school = (args.get("school") or "").strip()[:SCHOOL_MAX] or None
    since, until = _day("since", errors), _day("until", errors)
    if since and until and since > until:
        errors.append("起始日期晚于截止日期，没有符合条件的记录。")
    chosen = AuditFilter(actor=actor, action=action, school=school, since=since, until=until)
    query = {k: v.isoformat() if isinstance(v, datetime.date) else v for k in FIELDS if (v := getattr(chosen, k))}
    return chosen, query, errors


@bp.route("/")
@login_required
def index():
    """The audit log, newest first, filtered by account, action, school and days, 50 entries a page."""
    _region_only()
    with get_store().engine.connect() as conn:
        actors = audit_actors(conn)
        chosen, query, errors = _filters(actors)
        page = audit_page(conn, chosen, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template(
        "audit/index.html", page=page, actors=actors, actions=list(Action), chosen=chosen, query=query, errors=errors,
    )


@bp.route("/audit.csv")
@login_required
def download():
    """Every entry the filters select (not only one page), as CSV."""
    _region_only()
    with get_store().engine.connect() as conn:
        chosen, _query, _errors = _filters(audit_actors(conn))
        entries = audit_list(conn, chosen)
    return csv_download(audit_rows(entries), f"操作日志_{today().isoformat()}.csv")
