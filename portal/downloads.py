"""Downloads: the territory's templates as one ZIP, one school's template, stored files of versions."""

import io
import unicodedata
import zipfile
from pathlib import PureWindowsPath
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from staffrec.distribute import zip_info
from staffrec.review import Tier
from staffrec.store.queries import datasets_for, version_history
from staffrec.template import new_template

from .access import actor, get_dataset_or_404, get_store

bp = Blueprint("downloads", __name__, url_prefix="/downloads")

MIMETYPES = {
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}
ZIP_SUFFIX = "教职工信息采集模板.zip"
HIGHER_ED = "高校"


def _disposition(name):
    """Content-Disposition naming the file: an ASCII fallback and the RFC 5987 UTF-8 name."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c for c in fallback if c.isprintable() and c not in '"\\') or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _mimetype(name):
    return MIMETYPES.get(PureWindowsPath(name).suffix.lower(), "application/octet-stream")


def attachment(body, name, mimetype=None):
    """A download of `body` (bytes or an iterable of bytes) named `name`; staff data is never cached."""
    response = Response(body, mimetype=mimetype or _mimetype(name))
    response.headers["Content-Disposition"] = _disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class _Chunks(io.RawIOBase):
    """A write-only, unseekable sink that hands out what was written since the last call."""

    def __init__(self):
        super().__init__()
        self._parts = []

    def writable(self):
        return True

    def write(self, data):
        self._parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_stream(members):
    """Yield a ZIP of (name, bytes) pairs piece by piece, as `distribute` packs them (UTF-8 names, fixed date)."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zip_info(name), data)
            yield sink.take()
    yield sink.take()


def territory_schools():
    """Return the registry's schools in the user's territory (those it sees datasets of), in list order."""
    store = get_store()
    with store.engine.connect() as conn:
        rows = datasets_for(conn, actor())
    registry = store.registry()
    pairs = [(row, registry.get(row.school_id)) for row in rows]
    return [(row, school) for row, school in pairs if school is not None]


def archive_name(user, schools):
    """Name the territory's ZIP after its code and name: `<code>_<name>_[高校]教职工信息采集模板.zip`."""
    tier = Tier(user.tier)
    if tier is Tier.SCHOOL:
        school = schools[0][1] if schools else None
        return f"{user.territory}_{school.name if school else ''}_{ZIP_SUFFIX}"
    region = get_store().catalogue.regions.get(user.territory)
    prefix = f"{user.territory}_{region.name if region else ''}_"
    return prefix + (HIGHER_ED if tier is Tier.INFO_CENTRE else "") + ZIP_SUFFIX


def _templates(schools):
    """Yield (file name, .xls bytes) of each school's empty template, generated when asked for."""
    for _row, school in schools:
        template = new_template(school)
        yield template.file_name("xls"), template.to_bytes("xls")


@bp.route("/templates")
@login_required
def templates():
    """What the territory's template ZIP holds, with the link that downloads it."""
    schools = territory_schools()
    members = [(row, school.file_name(".xls")) for row, school in schools]
    return render_template(
        "downloads/templates.html", members=members, archive=archive_name(current_user, schools)
    )


@bp.route("/templates.zip")
@login_required
def templates_zip():
    """The templates of every school in the user's territory as one ZIP, generated while it is sent."""
    schools = territory_schools()
    if not schools:
        abort(404)
    return attachment(zip_stream(_templates(schools)), archive_name(current_user, schools), MIMETYPES[".zip"])


@bp.route("/templates/<school_id>")
@login_required
def school_template(school_id):
    """One school's empty template (.xls)."""
    get_dataset_or_404(school_id)
    school = get_store().registry().get(school_id)
    if school is None:
        abort(404)
    template = new_template(school)
    return attachment(template.to_bytes("xls"), template.file_name("xls"))


@bp.route("/<school_id>/versions/<int:number>")
@login_required
def version_file(school_id, number):
    """The file of one stored version, byte for byte, under its original name."""
    get_dataset_or_404(school_id)
    with get_store().engine.connect() as conn:
        version = next((v for v in version_history(conn, school_id) if v.number == number), None)
    if version is None:
        abort(404)
    # A stored file that is missing is a fault of the system (500, logged), not a missing page.
    data = get_store().files.get(version.file_hash)
    return attachment(data, PureWindowsPath(version.original_name).name)
