"""The 校验 report of each stored version, kept in the database as JSON when the version is stored."""

import json

import attrs
from sqlalchemy import insert, select

from ..checks.report import Report
from ..findings import Finding
from .schema import version_reports

__all__ = ["keep_report", "kept_report"]

_FINDING_FIELDS = tuple(a.name for a in attrs.fields(Finding))
_KEEP = insert(version_reports)  # built once: run for every stored file


def _to_json(report):
    """The report as JSON text: its facts, counts and the kept findings as arrays of Finding fields."""
    return json.dumps(
        {
            "file": report.file, "kind": report.kind, "school_id": report.school_id, "rows": report.rows,
            "counts": report.counts, "truncated": report.truncated,
            "fields": _FINDING_FIELDS, "findings": [attrs.astuple(f) for f in report.findings],
        },
        ensure_ascii=False,
    )


def _from_json(text):
    """The Report a `_to_json` text holds."""
    data = json.loads(text)
    fields = data.pop("fields")
    findings = tuple(Finding(**dict(zip(fields, values))) for values in data.pop("findings"))
    return Report(findings=findings, **data)


def keep_report(conn, version_id, report, checked_on):
    """Store the report a version was accepted with (inside the transaction that stores the version)."""
    conn.execute(_KEEP, dict(version_id=version_id, checked_on=checked_on, report=_to_json(report)))


def kept_report(conn, version_id):
    """Return (date checked, Report) of a version, or None for versions stored before reports were kept."""
    row = conn.execute(
        select(version_reports.c.checked_on, version_reports.c.report).where(version_reports.c.version_id == version_id)
    ).first()
    return None if row is None else (row.checked_on, _from_json(row.report))
