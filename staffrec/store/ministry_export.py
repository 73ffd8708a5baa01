"""The region's export to the Ministry: reported files per kind, a manifest, one workbook per kind."""

import csv
import datetime
import io
import json
import zipfile

from openpyxl import Workbook
from sqlalchemy import select

from ..annotate import escape_formula
from ..distribute import zip_info
from ..errors import StaffrecError
from ..identity import SchoolId, TemplateFileName
from ..review import Action, State, Tier
from .audit import write_audit
from .schema import datasets, records, review_events, schools, users, versions

MANIFEST = "清单.csv"
# The tier whose approval is recorded for each column pair of the manifest.
APPROVERS = (("county", "旗县"), ("city", "盟市"), ("region", "自治区"))
MANIFEST_HEADER = ("学校标识码", "学校名称", "模板类别", "记录数", "SHA-256") + tuple(
    f"{label}{what}" for _, label in APPROVERS for what in ("审核人", "审核时间")
)


class ExportNotAllowed(StaffrecError, PermissionError):
    """Only the region reviewer exports to the Ministry."""


def _reported(conn):
    """Return the reported datasets with their current version, by kind then school."""
    query = (
        select(schools, versions.c.file_hash, versions.c.row_count, versions.c.id.label("version_id"))
        .join(datasets, datasets.c.school_id == schools.c.id)
        .join(versions, versions.c.id == datasets.c.current_version)
        .where(datasets.c.state == State.REPORTED.value)
        .order_by(schools.c.kind, schools.c.id)
    )
    return list(conn.execute(query))


def _approvals(conn, school_id, version_id):
    """Return {tier: (approver, when)} of the approvals of this version, the latest per tier."""
    query = (
        select(review_events.c.at, users.c.display_name, users.c.tier)
        .join(users, users.c.id == review_events.c.actor)
        .where(
            review_events.c.school_id == school_id,
            review_events.c.action == Action.APPROVE.value,
            review_events.c.id > select(review_events.c.id).where(review_events.c.version_id == version_id).scalar_subquery(),
        )
        .order_by(review_events.c.id)
    )
    return {row.tier: (row.display_name, row.at.isoformat(timespec="seconds")) for row in conn.execute(query)}


def _workbook(kind, persons):
    """Return one .xlsx holding every reported person of a kind, text escaped against formulas."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.template_name[:31])
    sheet.append(["学校标识码", "学校名称"] + [i.header for i in kind.indicators])
    for school_id, school_name, values in persons:
        sheet.append([school_id, escape_formula(school_name)] + [escape_formula(values.get(k, "")) for k in kind.keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ministry_export(store, user, address=None):
    """Return the ZIP of every 已上报教育部 dataset, as the region reviewer `user` (audited)."""
    if user.tier != Tier.REGION.value:
        raise ExportNotAllowed("只有自治区审核员可以导出上报教育部的数据。")
    out = io.BytesIO()
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    with store.engine.connect() as conn, zipfile.ZipFile(out, "w") as archive:
        rows = _reported(conn)
        by_kind = {}
        for row in rows:
            kind = store.catalogue.kind(row.kind)
            name = str(TemplateFileName.for_school(SchoolId.parse(row.id), row.name, kind))
            archive.writestr(zip_info(f"{kind.name}/{name}"), store.files.get(row.file_hash))
            approvals = _approvals(conn, row.id, row.version_id)
            writer.writerow(
                [row.id, escape_formula(row.name), kind.name, row.row_count, row.file_hash]
                + [escape_formula(part) for tier, _ in APPROVERS for part in approvals.get(tier, ("", ""))]
            )
            data = conn.execute(select(records.c.data).where(records.c.school_id == row.id).order_by(records.c.row_number))
            by_kind.setdefault(kind, []).extend((row.id, row.name, json.loads(d)) for (d,) in data)
        for kind, persons in by_kind.items():
            archive.writestr(zip_info(f"{kind.name}/{kind.name}_汇总.xlsx"), _workbook(kind, persons))
        archive.writestr(zip_info(MANIFEST), manifest.getvalue().encode("utf-8-sig"))
    with store.writer.begin() as conn:
        detail = dict(schools=len(rows), at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
        write_audit(conn, user.name, Action.EXPORT.value, None, detail, address)
    return out.getvalue()
