"""Printable 采集表: one person's, a whole school's in one document, or a blank form of a kind (A4)."""

from flask import Blueprint, abort, render_template
from flask_login import login_required

from staffrec.store.queries import current_records, school_facts
from staffrec.values import code_row, split_multicode

from .access import get_dataset_or_404, get_store

bp = Blueprint("printing", __name__)

MULTI_JOIN = "、"
# An item this long gets a whole line of the form; the others share a line two by two.
WIDE_ITEM = 100
# A coded item of a blank form with at most this many choices, of at most this many characters in all,
# shows them as boxes to tick (they fit the cell); the others are written in by name.
TICK_CHOICES, TICK_CHARS = 4, 16


def shown_value(indicator, text, catalogue):
    """The text the paper form shows: names for codes (`1-男` → `男`, several joined with 、), else the text.

    A part that names no code (a value the 校验 warned about) is shown as stored.
    """
    text = text or ""
    if not indicator.is_coded or not text.strip():
        return text
    table = catalogue.table(indicator.table)
    parts = split_multicode(text) if indicator.type == "multicode" else [text]
    names = []
    for part in parts:
        row = code_row(table, part)
        names.append(row.name if row is not None else part)
    return MULTI_JOIN.join(names)


def form_lines(kind):
    """The kind's indicators in the kind's order, grouped into the form's lines (two items, or one wide)."""
    lines, pending = [], []
    for indicator in kind.indicators:
        if (indicator.max_len or 0) >= WIDE_ITEM:
            if pending:
                lines.append(pending)
                pending = []
            lines.append([indicator])
            continue
        pending.append(indicator)
        if len(pending) == 2:
            lines.append(pending)
            pending = []
    if pending:
        lines.append(pending)
    return lines


def filled(kind, values, catalogue):
    """{indicator key: text shown} of one person."""
    return {i.key: shown_value(i, values.get(i.key, ""), catalogue) for i in kind.indicators}


def tick_choices(kind, catalogue):
    """{indicator key: [names]} of the blank form's coded items with few choices (ticked by hand)."""
    found = {}
    for indicator in kind.indicators:
        if indicator.type != "code":
            continue
        choices = catalogue.table(indicator.table).choices(kind.name, in_scope_only=True)
        if 0 < len(choices) <= TICK_CHOICES and sum(len(c.name) for c in choices) <= TICK_CHARS:
            found[indicator.key] = [c.name for c in choices]
    return found


def _school_forms(school_id, row_number=None):
    """The forms of a school's current records (or of the one on Excel row `row_number`); 404 outside."""
    row = get_dataset_or_404(school_id)
    store = get_store()
    with store.engine.connect() as conn:
        facts = school_facts(conn, row.school_id)
        records = current_records(conn, row.school_id)
    if row_number is not None:
        records = [(number, values) for number, values in records if number == row_number]
        if not records:
            abort(404)
    kind = store.catalogue.kind(row.kind)
    forms = [dict(row=number, values=filled(kind, values, store.catalogue)) for number, values in records]
    return dict(row=row, facts=facts, kind=kind, lines=form_lines(kind), forms=forms, kinds=list(store.catalogue.kinds))


@bp.route("/datasets/<school_id>/print")
@login_required
def school(school_id):
    """Every person of the school's current version, one A4 form each, in one document."""
    return render_template("printing/forms.html", whole_school=True, **_school_forms(school_id))


@bp.route("/datasets/<school_id>/print/<int:row>")
@login_required
def person(school_id, row):
    """The form of the person on Excel row `row` of the school's current version."""
    return render_template("printing/forms.html", whole_school=False, **_school_forms(school_id, row))


@bp.route("/print/blank/<kind>")
@login_required
def blank(kind):
    """An empty form of a template kind (中小学, 中职, 特教, 高校), to fill in by hand."""
    catalogue = get_store().catalogue
    if kind not in catalogue.kinds:
        abort(404)
    found = catalogue.kind(kind)
    return render_template(
        "printing/blank.html", kind=found, lines=form_lines(found), ticks=tick_choices(found, catalogue),
        kinds=list(catalogue.kinds),
    )
