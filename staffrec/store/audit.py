"""The append-only audit log: every upload, state change and export, with who, when and from where."""

import datetime
import json

import attrs
from sqlalchemy import func, insert, select

from ..review import Action, State, Tier
from .schema import audit_log, schools, users

# Dates asked for are days in China (UTC+8); the log stores UTC.
CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")
# Detail keys shown by name, in this order; other keys follow as stored.
DETAIL_LABELS = {
    "file": "文件",
    "version": "版本",
    "rows": "记录数",
    "replaces": "替换原有数据",
    "reason": "原因",
    "schools": "学校数",
    "sha256": "SHA-256",
}
# Detail keys not shown: the state change is shown as one arrow, the export time is the entry's own time.
DETAIL_HIDDEN = ("from_state", "to_state", "at")
CSV_HEADER = ("时间（北京时间）", "账号", "姓名", "层级", "操作", "学校标识码", "学校名称", "详情", "地址")


_ADD_ENTRY = insert(audit_log)  # built once: every upload and review action writes an entry


def write_audit(conn, actor, action, target=None, detail=None, address=None):
    """Append one audit entry in the caller's transaction."""
    conn.execute(
        _ADD_ENTRY,
        dict(
            at=datetime.datetime.now(datetime.timezone.utc),
            actor=actor,
            action=action,
            target=target,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail is not None else None,
            address=address,
        ),
    )


def audit_entries(conn, target=None):
    """Return audit entries, oldest first, optionally of one target."""
    query = select(audit_log).order_by(audit_log.c.id)
    if target is not None:
        query = query.where(audit_log.c.target == target)
    return list(conn.execute(query))


def _label(enum, value):
    try:
        return enum(value).label
    except ValueError:
        return value or ""


@attrs.frozen
class AuditEntry:
    """One audit entry as a reader sees it: the actor's name and tier, the school's name, the detail parsed."""

    id: int
    at: datetime.datetime
    actor: str
    actor_name: str | None
    actor_tier: str | None
    action: str
    target: str | None
    school_name: str | None
    detail: dict
    address: str | None

    @property
    def action_label(self):
        """The action in Chinese (上传, 审核通过, 退回, 转退至旗县, 导出上报教育部), or as stored."""
        return _label(Action, self.action)

    @property
    def tier_label(self):
        return _label(Tier, self.actor_tier) if self.actor_tier else ""

    @property
    def at_china(self):
        """The time in China (the database may give UTC back without a time zone)."""
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=datetime.timezone.utc)
        return at.astimezone(CHINA)

    def detail_parts(self):
        """Return the detail as (label, text) pairs in Chinese: the state change first, then the rest."""
        parts = []
        detail = self.detail
        if "from_state" in detail or "to_state" in detail:
            change = f"{_label(State, detail.get('from_state'))} → {_label(State, detail.get('to_state'))}"
            parts.append(("状态", change))
        for key, label in DETAIL_LABELS.items():
            if key not in detail or detail[key] is None:
                continue
            value = detail[key]
            if key == "version":
                value = f"第 {value} 版"
            elif key == "replaces":
                value = "是" if value else "否"
            parts.append((label, str(value)))
        known = set(DETAIL_LABELS) | set(DETAIL_HIDDEN)
        parts += [(key, _text(value)) for key, value in sorted(detail.items()) if key not in known]
        return parts

    @property
    def detail_text(self):
        """The detail as one line of text."""
        return "；".join(f"{label}：{text}" for label, text in self.detail_parts())


def _text(value):
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@attrs.frozen
class AuditFilter:
    """What to look for: an account, an action, a school (its id, or part of its name), a range of days.

    Days are China days (UTC+8), both ends included; empty fields do not filter.
    """

    actor: str | None = None
    action: str | None = None
    school: str | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None

    def where(self, query):
        """Narrow a query over audit_log (joined as `_entries` builds it) to what this filter asks for."""
        if self.actor:
            query = query.where(audit_log.c.actor == self.actor)
        if self.action:
            query = query.where(audit_log.c.action == self.action)
        if self.school:
            school = self.school.strip()
            if school.isdigit():
                query = query.where(audit_log.c.target == school)
            else:
                named = select(schools.c.id).where(schools.c.name.contains(school, autoescape=True))
                query = query.where(audit_log.c.target.in_(named))
        if self.since:
            query = query.where(audit_log.c.at >= _start_of(self.since))
        if self.until:
            query = query.where(audit_log.c.at < _start_of(self.until + datetime.timedelta(days=1)))
        return query


def _start_of(day):
    """The first instant of a China day, in UTC (SQLite keeps the UTC wall time, PostgreSQL the instant)."""
    return datetime.datetime.combine(day, datetime.time(), CHINA).astimezone(datetime.timezone.utc)


def _entries(filters):
    query = (
        select(
            audit_log.c.id, audit_log.c.at, audit_log.c.actor, users.c.display_name, users.c.tier,
            audit_log.c.action, audit_log.c.target, schools.c.name, audit_log.c.detail, audit_log.c.address,
        )
        .outerjoin(users, users.c.name == audit_log.c.actor)
        .outerjoin(schools, schools.c.id == audit_log.c.target)
        .order_by(audit_log.c.id.desc())
    )
    return (filters or AuditFilter()).where(query)


def _entry(row):
    detail = json.loads(row.detail) if row.detail else {}
    return AuditEntry(
        row.id, row.at, row.actor, row.display_name, row.tier, row.action, row.target, row.name,
        detail if isinstance(detail, dict) else {"detail": detail}, row.address,
    )


@attrs.frozen
class AuditPage:
    """One page of audit entries, newest first, and where it is in the whole."""

    entries: tuple
    total: int
    page: int
    pages: int


def audit_page(conn, filters=None, page=1, per_page=50):
    """Return one AuditPage of the entries `filters` asks for; a page past the end gives the last one."""
    counted = (filters or AuditFilter()).where(select(func.count()).select_from(audit_log))
    total = conn.execute(counted).scalar() or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(int(page), 1), pages)
    query = _entries(filters).offset((page - 1) * per_page).limit(per_page)
    return AuditPage(tuple(_entry(row) for row in conn.execute(query)), total, page, pages)


def audit_list(conn, filters=None):
    """Return every entry `filters` asks for, newest first, as AuditEntry values."""
    return [_entry(row) for row in conn.execute(_entries(filters))]


def audit_actors(conn):
    """Return (account, display name) of everyone who has an entry, by account."""
    query = (
        select(audit_log.c.actor, func.max(users.c.display_name))
        .outerjoin(users, users.c.name == audit_log.c.actor)
        .group_by(audit_log.c.actor)
        .order_by(audit_log.c.actor)
    )
    return [(actor, name or actor) for actor, name in conn.execute(query)]


def audit_rows(entries):
    """Return a header and one row per entry for a CSV download."""
    table = [CSV_HEADER]
    for e in entries:
        table.append(
            (
                e.at_china.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.actor_name or "", e.tier_label,
                e.action_label, e.target or "", e.school_name or "", e.detail_text, e.address or "",
            )
        )
    return table
