"""Review actions: approve, return or pass down one dataset, several at once, or a whole county's."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from staffrec.review import REASON_MAX, Action, State
from staffrec.store.queries import REVIEW_ACTIONS, county_in_territory, review_queue, visible_datasets

from .access import actor, get_dataset_or_404, get_store
from .datasets import review_actions_of

bp = Blueprint("review", __name__, url_prefix="/datasets")

NOT_VISIBLE = "不存在或不在您的管辖范围内。"
SHOWN_ID = 20  # characters of an unknown school id echoed back


class ReviewForm(FlaskForm):
    """One review action and its reason (required for returns and pass-downs)."""

    action = StringField("操作")
    reason = TextAreaField("原因或意见", validators=[Length(max=REASON_MAX, message=f"原因或意见不能超过 {REASON_MAX} 个字。")])

    def validate_action(self, _field):
        if self.chosen is None:
            raise ValidationError("请选择审核操作。")

    def validate_reason(self, field):
        action = self.chosen
        if action is not None and action.needs_reason and not (field.data or "").strip():
            raise ValidationError(f"“{action.label}”须填写原因，请在文本框中写明退回原因。")

    @property
    def chosen(self):
        """The Action chosen, or None."""
        return Action(self.action.data) if self.action.data in {a.value for a in REVIEW_ACTIONS} else None


def _flash_errors(form):
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


def result_line(school_id, name, action, result):
    """The Chinese result line of one school after a review action."""
    who = f"{name}（{school_id}）"
    if result.ok:
        return f"{who}：已{action.label}，现为“{State(result.state).label}”。"
    return f"{who}：未能{action.label}。{result.error}"


def review_schools(school_ids, action, reason):
    """Act on schools the user may see; the others are refused without telling whether they exist.

    Returns (ok, line) pairs in the order given.
    """
    store = get_store()
    with store.engine.connect() as conn:
        visible = visible_datasets(conn, actor(), school_ids)
    wanted = [s for s in school_ids if s in visible]
    results = {r.school_id: r for r in store.review(current_user.user, wanted, action, reason, address=request.remote_addr)}
    lines = []
    for school_id in school_ids:
        if school_id not in visible:
            lines.append((False, f"{school_id[:SHOWN_ID]}：{NOT_VISIBLE}"))
            continue
        result = results[school_id]
        lines.append((result.ok, result_line(school_id, visible[school_id].school_name, action, result)))
    return lines


def _results_page(title, lines):
    done = sum(ok for ok, _ in lines)
    summary = f"共 {len(lines)} 所学校：办理 {done} 所，未办理 {len(lines) - done} 所。"
    return render_template("datasets/results.html", title=title, lines=lines, summary=summary)


@bp.route("/<school_id>/act", methods=("POST",))
@login_required
def act(school_id):
    """Take one action on one school's dataset, then go back to its page."""
    row = get_dataset_or_404(school_id)
    form = ReviewForm()
    if not form.validate():
        _flash_errors(form)
    else:
        ((ok, line),) = review_schools([row.school_id], form.chosen, form.reason.data)
        flash(line, "message" if ok else "error")
    return redirect(url_for("datasets.detail", school_id=row.school_id))


@bp.route("/bulk", methods=("POST",))
@login_required
def bulk():
    """Take one action on the schools ticked in the queue; one result line per school."""
    form = ReviewForm()
    school_ids = list(dict.fromkeys(s.strip() for s in request.form.getlist("school_id") if s.strip()))
    if not school_ids:
        flash("请先勾选要办理的学校。", "error")
        return redirect(url_for("datasets.queue"))
    if not form.validate():
        _flash_errors(form)
        return redirect(url_for("datasets.queue"))
    return _results_page(f"批量{form.chosen.label}", review_schools(school_ids, form.chosen, form.reason.data))


@bp.route("/county/<county_code>/act", methods=("POST",))
@login_required
def county(county_code):
    """Take one action on every school of a county on which the user may take it now."""
    with get_store().engine.connect() as conn:
        county_name = county_in_territory(conn, actor(), county_code)
        if county_name is None:
            abort(404)
        queue = review_queue(conn, actor(), county=county_code)
    form = ReviewForm()
    if not form.validate():
        _flash_errors(form)
        return redirect(url_for("datasets.queue"))
    action = form.chosen
    school_ids = [r.school_id for r in queue if action in review_actions_of(r)]
    if not school_ids:
        flash(f"{county_name}现在没有可以“{action.label}”的学校。", "error")
        return redirect(url_for("datasets.queue"))
    return _results_page(f"{county_name}：全部{action.label}", review_schools(school_ids, action, form.reason.data))
