"""Downloads: the territory's templates as one ZIP, stored files, annotated workbooks."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("downloads", __name__, url_prefix="/downloads")


@bp.route("/templates")
@login_required
def templates():
    """The templates of every school in the user's territory."""
    return render_template("error.html", title="下载模板", message="模板下载页面建设中。")
