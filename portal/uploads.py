"""Uploading one file or a ZIP batch: check only, or check and submit, with progress and per-file results."""

from flask import (
    Blueprint, abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField, ValidationError

from staffrec.annotate import annotated_name
from staffrec.review import Tier

from .access import get_store
from .downloads import attachment
from .jobs import DONE, JobLimitError, annotated_download, make_registry, registry_of, start_upload

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

EXTENSIONS = ("xls", "xlsx", "zip")
CHECK, SUBMIT = "check", "submit"
MODES = ((CHECK, "仅检查（不提交，不改变任何数据）"), (SUBMIT, "检查并提交（通过检查的文件成为该校的新版本）"))
# Only these tiers upload data (domain.md §1).
UPLOADING_TIERS = (Tier.COUNTY, Tier.INFO_CENTRE)
NOT_UPLOADING = "上传由旗县教育局办理（高校由自治区教育网络信息中心办理），您所在层级无需上传文件。"
# Findings listed per file on the page; the annotated workbook holds them all.
SHOWN_FINDINGS = 50
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOB_GONE = (
    "此上传任务已不存在：任务已过期，或服务器在处理时重新启动过。已提交的文件请在“全部数据”中核对版本，"
    "未提交的文件请重新上传。"
)


@bp.record_once
def _create_registry(state):
    state.app.extensions["staffrec_jobs"] = make_registry(state.app.config)


class UploadForm(FlaskForm):
    """One workbook or one ZIP, and what to do with it."""

    file = FileField(
        "文件",
        validators=[
            FileRequired("请选择要上传的文件（.xls、.xlsx 或 .zip）。"),
            FileAllowed(EXTENSIONS, "只能上传 .xls、.xlsx 文件或装有这些文件的 .zip 压缩包。"),
        ],
    )
    # Two radio buttons drawn by the template: RadioField's tuple choices are deprecated in WTForms 3.3
    # and its replacement does not exist before it.
    mode = StringField("处理方式", default=CHECK)

    def validate_mode(self, field):
        """Refuse an unknown mode in Chinese (WTForms' own message is English)."""
        if field.data not in (CHECK, SUBMIT):
            raise ValidationError("请选择处理方式。")


def _may_upload():
    return Tier(current_user.tier) in UPLOADING_TIERS


def _job_or_404(job_id):
    """Return the job if the signed-in user started it; anyone else gets 404."""
    job = registry_of(current_app).get(job_id, current_user.user.id)
    if job is None:
        # Jobs live in memory: after a restart the job page says so, and never that anything was saved.
        abort(make_response(render_template("error.html", title="上传任务已不存在", message=JOB_GONE), 404))
    return job


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new():
    """The upload form; a valid POST starts a job and goes to its page."""
    if not _may_upload():
        # The store would refuse every file of this tier anyway; say so before anything is sent.
        status = 403 if request.method == "POST" else 200
        return render_template("error.html", title="上传", message=NOT_UPLOADING), status
    form = UploadForm()
    if form.validate_on_submit():
        try:
            job = start_upload(
                current_app._get_current_object(), current_user.user, form.file.data, form.mode.data != SUBMIT,
                address=request.remote_addr,
            )
        except JobLimitError as exc:
            flash(f"您已有 {exc.args[0]} 个上传正在处理，请等其完成后再上传。", "error")
        else:
            return redirect(url_for("uploads.show", job_id=job.id))
    status = 400 if form.is_submitted() else 200
    return render_template("uploads/new.html", form=form, modes=MODES), status


@bp.route("/<job_id>")
@login_required
def show(job_id):
    """Progress while the job runs, then one result line per file."""
    view = _job_or_404(job_id).view()
    schools, names = {}, {}
    if view.state == DONE:
        registry = get_store().registry()
        schools = {r.school_id: registry.get(r.school_id) for r in view.results if r.school_id}
        names = {number: annotated_name(view.results[number - 1].name) for number in view.annotated}
    return render_template(
        "uploads/job.html", job=view, schools=schools, annotated_names=names, shown=SHOWN_FINDINGS
    )


@bp.route("/<job_id>/status")
@login_required
def status(job_id):
    """The job's progress as JSON, polled by the job page."""
    response = jsonify(_job_or_404(job_id).view().status())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<job_id>/<int:number>/annotated")
@login_required
def annotated(job_id, number):
    """The annotated workbook (`…_校验结果.xlsx`) of one file the job read."""
    found = annotated_download(_job_or_404(job_id), number, get_store().catalogue)
    if found is None:
        abort(404)
    name, data = found
    return attachment(data, name, XLSX_MIMETYPE)
