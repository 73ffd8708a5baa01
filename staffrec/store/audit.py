"""The append-only audit log: every upload, state change and export, with who, when and from where."""

import datetime
import json

from sqlalchemy import insert, select

from .schema import audit_log


def write_audit(conn, actor, action, target=None, detail=None, address=None):
    """Append one audit entry in the caller's transaction."""
    conn.execute(
        insert(audit_log).values(
            at=datetime.datetime.now(datetime.timezone.utc),
            actor=actor,
            action=action,
            target=target,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail is not None else None,
            address=address,
        )
    )


def audit_entries(conn, target=None):
    """Return audit entries, oldest first, optionally of one target."""
    query = select(audit_log).order_by(audit_log.c.id)
    if target is not None:
        query = query.where(audit_log.c.target == target)
    return list(conn.execute(query))
