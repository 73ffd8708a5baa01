"""The collection store: database (SQLite or PostgreSQL), file store, users, ingest, duplicates."""

from sqlalchemy import select

from ..catalogue import catalogue as default_catalogue
from .db import create_schema, make_engine, writer
from .duplicates import list_duplicates
from .filestore import FileStore
from .ingestion import FileResult, ingest
from .registry_sync import registry_from_db, sync_registry
from .reviewing import ReviewResult, review
from .schema import datasets
from .users import User, UserError, add_user, get_user

__all__ = ["FileResult", "ReviewResult", "Store", "User", "UserError"]


class Store:
    """One deployment's database and file store, with the operations the CLI and portal call."""

    def __init__(self, url=None, files=None, catalogue=None):
        self.engine = make_engine(url)
        self.writer = writer(self.engine)
        self.files = FileStore(files)
        self.catalogue = catalogue or default_catalogue()

    def init(self, registry=None):
        """Create the schema (idempotent) and load or update the school registry."""
        create_schema(self.engine)
        if registry is None:
            return (0, 0)
        with self.writer.begin() as conn:
            return sync_registry(conn, registry)

    def registry(self):
        """Return the school registry the database holds."""
        with self.engine.connect() as conn:
            return registry_from_db(conn, self.catalogue.regions)

    def add_user(self, name, tier, territory, password=None, display_name=None):
        """Create a user (a tier and a territory) and return it."""
        with self.writer.begin() as conn:
            return add_user(conn, self.catalogue.regions, name, tier, territory, password, display_name)

    def user(self, name):
        """Return a user by name; UserError when there is none."""
        with self.engine.connect() as conn:
            return get_user(conn, name)

    def ingest(self, uploads, user, dry_run=False, today=None, progress=None, on_result=None):
        """Ingest (name, bytes) uploads as a user (User or name); one FileResult per file."""
        user = self.user(user) if isinstance(user, str) else user
        return ingest(self, uploads, user, dry_run=dry_run, today=today, progress=progress, on_result=on_result)

    def review(self, user, school_ids, action, reason=None, address=None):
        """Approve, return or pass down datasets as a user; one ReviewResult per school."""
        user = self.user(user) if isinstance(user, str) else user
        return review(self, user, school_ids, action, reason, address)

    def state_of(self, school_id):
        """Return the stored state id of a school's dataset, or None."""
        with self.engine.connect() as conn:
            return conn.execute(select(datasets.c.state).where(datasets.c.school_id == str(school_id))).scalar()

    def duplicates(self, user=None):
        """Return ID numbers held by two schools, limited to the user's territory when one is given."""
        user = self.user(user) if isinstance(user, str) else user
        with self.engine.connect() as conn:
            return list_duplicates(conn, user.actor if user else None)
