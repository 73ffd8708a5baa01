"""The collection store's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL)."""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

regions = Table(
    "regions",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("level", String(10), nullable=False),
    Column("parent", String(6), nullable=True),
)

schools = Table(
    "schools",
    metadata,
    Column("id", String(10), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("category", String(2), nullable=False),
    Column("county", String(6), ForeignKey("regions.code"), nullable=False),
    Column("city", String(6), ForeignKey("regions.code"), nullable=False),
    Column("ownership", String(1), nullable=False),
    Column("kind", String(10), nullable=False),
    Index("ix_schools_county", "county"),
    Index("ix_schools_city", "city"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("display_name", String(60), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("territory", String(10), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

datasets = Table(
    "datasets",
    metadata,
    Column("school_id", String(10), ForeignKey("schools.id"), primary_key=True),
    Column("state", String(30), nullable=False),
    Column("current_version", Integer, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_datasets_state", "state"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("school_id", String(10), ForeignKey("schools.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("file_hash", String(64), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("original_name", String(255), nullable=False),
    Column("template_version", String(20), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("warning_count", Integer, nullable=False),
    Column("uploaded_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("school_id", "number", name="uq_versions_school_number"),
)

records = Table(
    "records",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("school_id", String(10), ForeignKey("schools.id"), nullable=False),
    Column("id_number", String(40), nullable=False),
    Column("name", String(60), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_records_id_number", "id_number"),
    Index("ix_records_school", "school_id"),
)

# The 校验 report of each stored version as the uploader saw it (the dataset page shows it without re-checking).
version_reports = Table(
    "version_reports",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("checked_on", Date, nullable=False),
    Column("report", Text, nullable=False),
)

review_events = Table(
    "review_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("school_id", String(10), ForeignKey("schools.id"), nullable=False),
    Column("version_id", Integer, ForeignKey("versions.id"), nullable=True),
    Column("actor", Integer, ForeignKey("users.id"), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(30), nullable=False),
    Column("to_state", String(30), nullable=False),
    Column("reason", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_review_events_school", "school_id"),
)

# Numbers that go up with every change of something cached by processes: `schools` with each change
# sync_registry makes to the schools table, so that a cached registry is checked by one row read.
revisions = Table(
    "revisions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("number", Integer, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(60), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(100), nullable=True),
    Column("detail", Text, nullable=True),
    Column("address", String(64), nullable=True),
)
