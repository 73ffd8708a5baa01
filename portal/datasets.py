"""Review pages: the queue, the territory's list, and one school's dataset with what the user may do now."""

import datetime
import functools
from collections import Counter
from itertools import groupby
from pathlib import PurePosixPath

from flask import Blueprint, render_template, request
from flask_login import login_required

from staffrec import validate
from staffrec.review import Action, State, Tier, allowed_actions
from staffrec.store.duplicates import duplicates_of
from staffrec.store.kept_reports import kept_report
from staffrec.store.registry_sync import registry_of
from staffrec.store.queries import (
    RETURNED_STATES,
    REVIEW_ACTIONS,
    counties_of,
    current_version,
    datasets_for,
    records_page,
    return_notes,
    review_history,
    review_queue,
    school_facts,
    version_history,
)

from .access import actor, get_dataset_or_404, get_store

bp = Blueprint("datasets", __name__, url_prefix="/datasets")

PER_PAGE = 100
PER_LIST_PAGE = 200
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@bp.app_template_filter("when")
def when(value):
    """Show a stored time (UTC; SQLite gives it back naive) as Beijing time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


@bp.app_template_filter("state_label")
def state_label(value):
    return State(value).label


@bp.app_template_filter("tier_label")
def tier_label(value):
    return Tier(value).label


@bp.app_template_filter("action_label")
def action_label(value):
    return Action(value).label


def review_actions_of(row):
    """The approve / return / pass-down actions the signed-in user may take on a dataset now."""
    return [a for a in allowed_actions(actor(), row.view) if a in REVIEW_ACTIONS]


def needs_upload(row):
    """Tell whether the user is to upload a returned school's corrected file."""
    return row.state in RETURNED_STATES and Action.UPLOAD in allowed_actions(actor(), row.view)


def _filters(counties):
    """Read county / kind / state from the query string; values that name nothing are ignored."""
    args = request.args
    kinds = list(get_store().catalogue.kinds)
    county = args.get("county") if args.get("county") in dict(counties) else None
    kind = args.get("kind") if args.get("kind") in kinds else None
    state = args.get("state") if args.get("state") in {s.value for s in State} else None
    choices = dict(counties=counties, kinds=kinds, states=list(State))
    return dict(county=county, kind=kind, state=state), choices


def _page_of(count, per_page):
    """The page asked for, clamped to 1..pages, and the number of pages (at least 1)."""
    pages = max(1, (count + per_page - 1) // per_page)
    return min(max(request.args.get("page", 1, type=int), 1), pages), pages


def _listing(title, queue):
    """Render one page of the queue or the territory's list, filtered, with the notes of returned items."""
    with get_store().engine.connect() as conn:
        counties = counties_of(conn, actor())
        chosen, choices = _filters(counties)
        find = review_queue if queue else datasets_for
        rows = find(conn, actor(), **chosen)
        # A region's list holds thousands of schools: show a page of them, the filters narrow the rest.
        page, pages = _page_of(len(rows), PER_LIST_PAGE)
        shown = rows[(page - 1) * PER_LIST_PAGE:page * PER_LIST_PAGE]
        notes = return_notes(conn, [r.school_id for r in shown if r.state in RETURNED_STATES])
    items = [
        dict(row=r, actions=review_actions_of(r), notes=notes.get(r.school_id, []), reupload=needs_upload(r))
        for r in shown
    ]
    bulk_actions = [a for a in REVIEW_ACTIONS if any(a in i["actions"] for i in items)]
    groups = None
    if queue and Tier(actor().tier) is Tier.CITY:
        per_county = Counter(r.county for r in rows)
        groups = []
        for code, group in groupby(items, key=lambda i: i["row"].county):
            group = list(group)
            actions = [a for a in REVIEW_ACTIONS if any(a in i["actions"] for i in group)]
            groups.append(dict(code=code, name=group[0]["row"].county_name, items=group, actions=actions,
                               total=per_county[code]))
    query = {k: v for k, v in chosen.items() if v}
    return render_template(
        "datasets/list.html", title=title, queue=queue, items=items, groups=groups, total=len(rows),
        page=page, pages=pages, per_page=PER_LIST_PAGE, query=query, chosen=chosen, choices=choices, bulk_actions=bulk_actions,
    )


@bp.route("/")
@login_required
def index():
    """Every dataset in the user's territory."""
    return _listing("全部数据", queue=False)


@bp.route("/queue")
@login_required
def queue():
    """The datasets on which it is this user's turn (approve, return or pass down)."""
    return _listing("待我审核", queue=True)


def current_report(store, version, facts, conn):
    """(date checked, 校验 report) of a version: the one kept at upload, else the stored file checked today.

    None when there is no version, or no kept report and the file is missing.
    """
    if version is None:
        return None
    kept = kept_report(conn, version.id)
    if kept is not None:
        return kept
    if version.file_hash not in store.files:
        return None
    today = datetime.date.today()
    return today, _report(store, version.file_hash, PurePosixPath(version.original_name).name, today, facts)


@functools.lru_cache(maxsize=64)
def _report(store, digest, name, today, school):
    """Validate a stored file; kept while the file, the day and the school's registry entry stay the same.

    A large university file takes seconds to check, and reviewers page through its records.
    """
    data = store.files.get(digest)
    # The checks only look up the file's own school: its entry alone is the registry (not all 5,000 schools).
    registry = registry_of([school], store.catalogue.regions)
    return validate(data, name=name, registry=registry, today=today, catalogue=store.catalogue)


@bp.route("/<school_id>")
@login_required
def detail(school_id):
    """One school's dataset: facts, records, findings, versions, review history and the actions allowed now."""
    row = get_dataset_or_404(school_id)
    store = get_store()
    with store.engine.connect() as conn:
        facts = school_facts(conn, row.school_id)
        version = current_version(conn, row.school_id)
        pages = max((row.rows or 0) + PER_PAGE - 1, PER_PAGE) // PER_PAGE
        # Clamp before querying: a huge page number would overflow the database's integers.
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        total, records = records_page(conn, row.school_id, page, PER_PAGE)
        versions = version_history(conn, row.school_id)
        events = review_history(conn, row.school_id)
        duplicates = duplicates_of(conn, row.school_id, actor())
        notes = return_notes(conn, [row.school_id]).get(row.school_id, []) if row.state in RETURNED_STATES else []
        checked_on, report = current_report(store, version, facts, conn) or (None, None)
    ownership = store.catalogue.table("school_ownership").get(facts.ownership)
    category = store.catalogue.table("school_category").get(facts.category)
    return render_template(
        "datasets/detail.html", row=row, facts=facts, version=version,
        ownership=ownership.name if ownership else facts.ownership,
        category=category.name if category else facts.category,
        indicators=store.catalogue.kind(row.kind).indicators, records=records, total=total, page=page, pages=pages,
        report=report, checked_on=checked_on, file_missing=version is not None and version.file_hash not in store.files,
        duplicates=duplicates, versions=versions, events=events,
        notes=notes, actions=review_actions_of(row), reupload=needs_upload(row),
    )
