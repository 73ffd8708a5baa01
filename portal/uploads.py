"""Uploading one file or a ZIP batch: check only, or check and submit."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("uploads", __name__, url_prefix="/uploads")


@bp.route("/new")
@login_required
def new():
    """The upload form."""
    return render_template("error.html", title="上传", message="上传页面建设中。")
