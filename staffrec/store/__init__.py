"""The collection store: database (SQLite or PostgreSQL), file store, users, ingest, duplicates."""

from sqlalchemy import select

from ..catalogue import catalogue as default_catalogue
from .db import create_schema, make_engine, writer
from .duplicates import list_duplicates
from .completeness import completeness
from .filestore import FileStore
from .history import diff_stored_versions
from .ministry_export import ministry_export
from .ingestion import FileResult, ingest
from .registry_sync import registry_from_db, sync_registry
from .reviewing import ReviewResult, review
from .schema import datasets
from .statistics_cache import StatisticsCache
from .users import User, UserError, add_user, get_user

__all__ = ["FileResult", "ReviewResult", "Store", "User", "UserError"]


class Store:
    """One deployment's database and file store, with the operations the CLI and portal call."""

    def __init__(self, url=None, files=None, catalogue=None):
        self.engine = make_engine(url)
        self.writer = writer(self.engine)
        self.files = FileStore(files)
        self.catalogue = catalogue or default_catalogue()
        self._statistics = StatisticsCache()

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

    def _as_user(self, user):
        """Accept a User or a user name."""
        return self.user(user) if isinstance(user, str) else user

    def user(self, name):
        """Return a user by name; UserError when there is none."""
        with self.engine.connect() as conn:
            return get_user(conn, name)

    def ingest(self, uploads, user, dry_run=False, today=None, progress=None, on_result=None, address=None,
               worker=False):
        """Ingest (name, bytes) uploads as a user (User or name); one FileResult per file.

        `address`, the client's network address, is written into the audit entry of each stored file.
        `worker=True` checks large batches in a worker process (see staffrec.store.checking; the script
        that calls it then needs the `if __name__ == "__main__":` guard that process start-up needs).
        """
        user = self._as_user(user)
        return ingest(
            self, uploads, user, dry_run=dry_run, today=today, progress=progress, on_result=on_result, address=address,
            worker=worker,
        )

    def review(self, user, school_ids, action, reason=None, address=None):
        """Approve, return or pass down datasets as a user; one ReviewResult per school."""
        user = self._as_user(user)
        return review(self, user, school_ids, action, reason, address)

    def state_of(self, school_id):
        """Return the stored state id of a school's dataset, or None."""
        with self.engine.connect() as conn:
            return conn.execute(select(datasets.c.state).where(datasets.c.school_id == str(school_id))).scalar()

    def diff(self, school_id, old, new):
        """Return what changed between two stored versions of a school's data (VersionDiff)."""
        return diff_stored_versions(self, school_id, old, new)

    def completeness(self, user, by="county"):
        """Return, per county, city or kind (`by`) of the user's territory, how far its schools have come."""
        user = self._as_user(user)
        with self.engine.connect() as conn:
            return completeness(conn, user.actor, self.catalogue.regions, by=by)

    def statistics(self, user, today, area=None):
        """Return staff counts by kind, sex, ethnicity, education, title, 在编 and age over the territory.

        `area` (a county or city code) narrows it to one county or city of the territory.
        """
        user = self._as_user(user)
        with self.engine.connect() as conn:
            return self._statistics.statistics(conn, user.actor, today, area=area)

    def ministry_export(self, user, address=None):
        """Return the region's ZIP for the Ministry (reported files, manifest, a workbook per kind)."""
        user = self._as_user(user)
        return ministry_export(self, user, address)

    def duplicates(self, user=None):
        """Return ID numbers held by two schools, limited to the user's territory when one is given."""
        user = self._as_user(user) if user else None
        with self.engine.connect() as conn:
            return list_duplicates(conn, user.actor if user else None)
