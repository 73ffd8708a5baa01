"""The export to the Ministry (region reviewer only): what it holds, and the ZIP itself."""

import datetime

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from staffrec.review import State, Tier
from staffrec.store.ministry_export import ExportNotAllowed
from staffrec.store.queries import datasets_for

from .access import actor, get_store
from .datasets import BEIJING
from .downloads import MIMETYPES, attachment

bp = Blueprint("export", __name__, url_prefix="/export")


def _region_only():
    """Only the region reviewer exports; for anyone else the page does not exist."""
    if Tier(current_user.tier) is not Tier.REGION:
        abort(404)


def export_name(today):
    """The ZIP's name: 教育部上报_YYYYMMDD.zip."""
    return f"教育部上报_{today:%Y%m%d}.zip"


@bp.route("/")
@login_required
def index():
    """Per template kind, how many 已上报教育部 schools and persons the export would hold."""
    _region_only()
    store = get_store()
    with store.engine.connect() as conn:
        rows = datasets_for(conn, actor(), state=State.REPORTED)
    kinds = [
        dict(name=name, schools=len(mine), persons=sum(r.rows or 0 for r in mine))
        for name in store.catalogue.kinds
        for mine in [[r for r in rows if r.kind == name]]
    ]
    return render_template(
        "export/index.html", kinds=kinds, schools=len(rows), persons=sum(k["persons"] for k in kinds),
        name=export_name(datetime.datetime.now(BEIJING).date()),
    )


@bp.route("/", methods=("POST",))
@login_required
def download():
    """The ZIP of every 已上报教育部 file, its manifest and one workbook per kind (the export is audited)."""
    _region_only()
    try:
        data = get_store().ministry_export(current_user.user, address=request.remote_addr)
    except ExportNotAllowed:
        abort(404)
    return attachment(data, export_name(datetime.datetime.now(BEIJING).date()), MIMETYPES[".zip"])
