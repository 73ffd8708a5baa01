"""Ingest: each uploaded file (or ZIP member) checked, then stored whole in one transaction, or rejected."""

import concurrent.futures
import datetime
import functools
import json
import logging
import operator
import weakref
from json.encoder import encode_basestring
from pathlib import PurePosixPath

import attrs
from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from ..review import Action, ReviewError, apply
from ..sniff import sniff
from ..text import fold
from ..zipbatch import kind_of_name, read_zip
from .checking import check, checked, registry_blob, worker_wanted
from .duplicates import duplicates_of
from .failures import unavailable
from .filestore import file_hash
from .kept_reports import keep_report
from .registry_sync import schools_revision
from .reviewing import dataset_view, record_transition
from .schema import records, versions

ZIP_FORMATS = ("zip",)
# Column sizes of versions.original_name and versions.template_version.
NAME_MAX, VERSION_MAX = 255, 20
log = logging.getLogger(__name__)


@attrs.frozen
class FileResult:
    """The outcome of one uploaded file: accepted as a new version, or rejected with reasons."""

    name: str
    accepted: bool
    school_id: str | None = None
    reasons: tuple = ()
    report: object = None
    version: int | None = None
    duplicates: tuple = ()
    container: str | None = None

    @property
    def messages(self):
        """Every reason and every error finding, in Chinese, for a result line."""
        errors = tuple(f.message for f in self.report.findings if f.is_error) if self.report else ()
        return self.reasons + errors


def _rejected(name, message, container=None, report=None, school_id=None):
    return FileResult(name, False, school_id, (message,), report, container=container)


def expand(name, data, limits=None):
    """Split an upload into (name, bytes) files; a ZIP's unusable members come back as rejections."""
    if sniff(data).format not in ZIP_FORMATS and not name.lower().endswith(".zip"):
        return [(name, data)], []
    batch = read_zip(data, limits) if limits else read_zip(data)
    if batch.failure is not None:
        return [], [_rejected(name, batch.failure.message)]
    rejected = [_rejected(r.name, r.message, container=name) for r in batch.rejections]
    members = list(batch.members)
    kinds = {k.name for k in (kind_of_name(PurePosixPath(m.name).name) for m in members) if k is not None}
    if len(kinds) > 1:
        message = f"压缩包中混有不同类别的模板（{'、'.join(sorted(kinds))}），请按同一类模板分别打包上传。"
        return [], rejected + [_rejected(m.name, message, container=name) for m in members]
    return [(m.name, m.data) for m in members], rejected


@functools.lru_cache(maxsize=8)
def _json_of(keys):
    """Return a function giving json.dumps(record.as_dict(), ensure_ascii=False), built for these keys."""
    # The same text json.dumps writes (its ", " and ": " separators, its string encoder), put
    # together from the encoded values: about four times faster for a row of texts.
    heads = ["{" + encode_basestring(keys[0]) + ": "] + [", " + encode_basestring(k) + ": " for k in keys[1:]]

    def to_json(record):
        if record.keys == keys:
            try:
                return "".join(map(operator.add, heads, map(encode_basestring, record.values))) + "}"
            except TypeError:  # a value that is no text: json.dumps knows what to write
                pass
        return json.dumps(record.as_dict(), ensure_ascii=False)

    return to_json


@functools.lru_cache(maxsize=1)
def _statements():
    """The statements run for every stored file, built once (school id and values are bound per file)."""
    school = bindparam("school_id")
    return (
        select(func.max(versions.c.number)).where(versions.c.school_id == school),
        insert(versions),
        delete(records).where(records.c.school_id == school),
    )


_WRITER = []  # one thread writing files into the file store while the database is written


def _write_file(files, data):
    """Start storing the file's bytes; return a future of files.put(data)."""
    if not _WRITER:
        _WRITER.append(concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="staffrec-files"))
    return _WRITER[0].submit(files.put, data)


def _store_version(conn, files, user, school_id, name, data, template, report, transition, address=None,
                   written=None, checked_on=None):
    """Write the version, its records, the new state, the review event and the audit entry.

    The file goes into the file store at once. When it was not there before, its digest is appended
    to `written` (before the write starts), so that the caller can take it out again should the
    transaction fail, here or later (at COMMIT).
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    digest = file_hash(data)
    # Only a transaction holding this school's lock writes these bytes (they name the school), so
    # whether the file was there before cannot change until this transaction ends.
    if written is not None and digest not in files:
        written.append(digest)
    # The file store's fsyncs run beside the statements; the file is on disk before this returns.
    writing = _write_file(files, data)
    try:
        number = _store_rows(conn, user, school_id, name, data, digest, template, report, transition, address, now,
                             checked_on or datetime.date.today())
    except BaseException:
        concurrent.futures.wait([writing])  # the caller may remove the file: let its write end first
        raise
    writing.result()  # raises the OSError files.put raised, if it did
    return number


def _store_rows(conn, user, school_id, name, data, digest, template, report, transition, address, now, checked_on):
    """The database part of _store_version."""
    latest, add_version, replace = _statements()
    number = (conn.execute(latest, {"school_id": school_id}).scalar() or 0) + 1
    version_id = conn.execute(
        add_version,
        dict(
            school_id=school_id,
            number=number,
            file_hash=digest,
            file_size=len(data),
            original_name=name[-NAME_MAX:],
            template_version=(template.version or "")[:VERSION_MAX],
            row_count=report.rows,
            warning_count=report.counts["warning"],
            uploaded_by=user.id,
            uploaded_at=now,
        ),
    ).inserted_primary_key[0]
    # The new file replaces the school's data as a whole; earlier versions stay in `versions`.
    conn.execute(replace, {"school_id": school_id})
    keys = template.kind.keys if template.records else ()
    to_json = _json_of(keys) if template.records else None
    # r["id_number"] and r["name"] for the kind's own records (the others look them up as before).
    id_at = keys.index("id_number") if "id_number" in keys else None
    name_at = keys.index("name") if "name" in keys else None
    rows = [
        dict(
            version_id=version_id,
            row_number=r.row,
            school_id=school_id,
            id_number=fold(r.values[id_at] if r.keys is keys and id_at is not None else r["id_number"]).upper(),
            name=r.values[name_at] if r.keys is keys and name_at is not None else r["name"],
            data=to_json(r),
        )
        for r in template.records
    ]
    if rows:
        conn.execute(insert(records), rows)
    detail = dict(file=name, sha256=digest, version=number, rows=report.rows, replaces=transition.replaces)
    record_transition(conn, user, transition, version_id=version_id, address=address, detail=detail)
    keep_report(conn, version_id, report, checked_on)
    return number


def ingest_file(store, user, name, data, registry, container=None, dry_run=False, today=None, address=None,
                checked=None):
    """Check one file and, when it may be accepted, store it as the school's new version.

    `checked`: the (Template, Report) of checking.check() when the file was checked already.
    """
    template, report = checked or check(name, data, store.catalogue, registry, today)
    school_id = report.school_id
    if not report.valid:
        return FileResult(name, False, school_id, (), report, container=container)
    written = []  # the digest of the file this transaction added to the file store, if it added one
    try:
        with store.writer.begin() as conn:
            view = dataset_view(conn, school_id, lock=True)
            if view is None:
                return _rejected(name, f"学校 {school_id} 不在系统的学校名单中。", container, report, school_id)
            try:
                transition = apply(user.actor, view, Action.UPLOAD)
            except ReviewError as exc:
                message = "该校不在您的管辖范围内。" if exc.reason == "not_found" else str(exc)
                return _rejected(name, message, container, report, school_id)
            if dry_run:
                return FileResult(name, True, school_id, (), report, container=container)
            number = _store_version(conn, store.files, user, school_id, name, data, template, report, transition,
                                    address, written, checked_on=today)
            found = duplicates_of(conn, school_id, user.actor)
        # Leaving the block committed (with WAL, SQLite writes the database at COMMIT: a full disk
        # fails there most likely); any failure up to and including the COMMIT comes to the except.
    except BaseException as exc:
        for digest in written:
            _discard_unnamed(store, school_id, digest, exc)
        raise
    return FileResult(name, True, school_id, (), report, number, tuple(found), container)


def _discard_unnamed(store, school_id, digest, failure):
    """Take a file a failed transaction added out of the file store again, unless a version row names it.

    The failed transaction has ended, and with it its hold on the school's lock: another upload of the
    same bytes may have committed since, naming the file (it found the file there, so it will not
    remove it itself). The check therefore runs in a transaction of its own that takes the school's
    lock again (SQLite: the database's write lock) and removes the file only while no row names it.
    Identical bytes name one school, so that school's lock is the one that matters.

    When the connection was lost (PostgreSQL: the server or the network gone during the COMMIT) the
    outcome is unknown: the COMMIT may have gone through, and then a row names the file. The file is
    kept without asking: a kept file no row names is harmless (nothing lists it, the same upload
    reuses it), a removed file a row names is lost data. Anything failing here keeps the file too.
    """
    if getattr(failure, "connection_invalidated", False):
        log.warning("storing file %s: the database connection was lost, outcome unknown; the file is kept",
                    digest[:12])
        return
    try:
        with store.writer.begin() as conn:
            dataset_view(conn, school_id, lock=True)
            named = conn.execute(select(versions.c.id).where(versions.c.file_hash == digest).limit(1)).first()
            if named is None:
                store.files.discard(digest)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("storing file %s failed; could not check whether it is unused, so it is kept: %s",
                    digest[:12], getattr(exc, "orig", exc))


def _safely(store, user, member, payload, registry, container, dry_run, today, address=None, checked=None):
    """Ingest one file; a database or disk failure rejects this file only and is logged."""
    try:
        return ingest_file(store, user, member, payload, registry, container, dry_run, today, address, checked)
    except (SQLAlchemyError, OSError) as exc:
        failure = unavailable(exc, "文件未保存")
        if failure is not None:
            log.warning("storing %s failed: %s", member, getattr(exc, "orig", exc))
            return _rejected(member, str(failure), container)
        log.exception("storing %s failed", member)
        return _rejected(member, "系统保存此文件时出错，未入库，请稍后重新上传；如仍出错请联系管理员。", container)


_REGISTRIES = weakref.WeakKeyDictionary()  # store -> [schools revision, Registry, blob for the worker]


def _registry(store, for_worker=False):
    """Return (store.registry(), its blob for the checking worker or None), rebuilt only when the schools changed."""
    # Building the Registry parses every school (tens of ms for a region), and even reading a region's
    # schools takes as long as checking a file: one row tells whether sync_registry changed them.
    with store.engine.connect() as conn:
        revision = schools_revision(conn)
    cached = _REGISTRIES.get(store)
    if cached is None or cached[0] != revision:
        cached = _REGISTRIES[store] = [revision, store.registry(), None]
    if for_worker and cached[2] is None:
        cached[2] = registry_blob(cached[1])
    return cached[1], cached[2] if for_worker else None


def ingest(store, uploads, user, dry_run=False, today=None, progress=None, on_result=None, address=None,
           worker=False):
    """Ingest (name, bytes) uploads as `user`; return one FileResult per file.

    Rejected archive members come first, then the files in archive order. `progress(done, total)`
    is called after each file, once the total is known; `on_result(result)` as each result is ready.
    `address` (the client's network address) goes into the audit entry of every stored file.
    """
    results, work = [], []
    for name, data in uploads:
        files, rejected = expand(name, data)
        results.extend(rejected)
        work += [(member, payload, name if member != name else None) for member, payload in files]
    registry, blob = _registry(store, for_worker=worker_wanted(len(work), worker))
    for result in results:
        if on_result is not None:
            on_result(result)
    files = [(member, payload) for member, payload, _ in work]
    checks = checked(files, store.catalogue, registry, today, blob)
    for done, ((member, payload, container), done_check) in enumerate(zip(work, checks), start=1):
        result = _safely(store, user, member, payload, registry, container, dry_run, today, address, done_check)
        results.append(result)
        if on_result is not None:
            on_result(result)
        if progress is not None:
            progress(done, len(work))
    return results
