"""After the load, with the server stopped: the store read directly and held against what clients were told.

The store itself is checked by the library (staffrec.store.consistency: every version's file hashed, no
file without a row, numbering, records, events, audit entries and states); this module adds what only
the load knows: the store holds exactly what the clients were told was stored or done.
"""

import collections
import json

from sqlalchemy import func, select

from staffrec.store.consistency import check_consistency
from staffrec.store.db import make_engine
from staffrec.store.filestore import FileStore
from staffrec.store.schema import audit_log, datasets, records, review_events, users, versions

REVIEW_ACTIONS = ("approve", "return", "pass_down")
SHOWN = 30  # problems listed in full


def _engine(database):
    return make_engine(f"sqlite:///{database}")


def baseline(database):
    """The highest ids before the load: what came after is the load's."""
    engine = _engine(database)
    with engine.connect() as conn:
        marks = {t.name: conn.execute(select(func.max(t.c.id))).scalar() or 0
                 for t in (versions, audit_log, review_events)}
    engine.dispose()
    return marks


def _counter_diff(name, told, stored, problems):
    """Note every key the clients were told of that the store holds a different number of times."""
    for key in sorted(set(told) | set(stored), key=repr):
        if told[key] != stored[key]:
            problems.append(f"{name} {key}: clients saw {told[key]}, the store holds {stored[key]}")


def _uploads(conn, base, accepted, audits, problems):
    """Every accepted upload is one stored version with its blob and its audit entry, and nothing else is."""
    query = (select(versions.c.id, versions.c.school_id, versions.c.number, versions.c.file_hash, versions.c.row_count,
                    users.c.name)
             .join(users, users.c.id == versions.c.uploaded_by).where(versions.c.id > base["versions"]))
    stored = {(row.school_id, row.number): row for row in conn.execute(query)}
    told = collections.Counter((a["school_id"], a["version"]) for a in accepted)
    for key, count in told.items():
        if count > 1:
            problems.append(f"version {key[1]} of {key[0]} was reported to {count} uploads")
    for a in accepted:
        row = stored.get((a["school_id"], a["version"]))
        if row is None:
            problems.append(f"accepted upload not stored: {a['name']} as version {a['version']}")
            continue
        # Its file on disk with this SHA-256 is the store check's (every version's file is hashed there).
        if (row.file_hash, row.row_count, row.name) != (a["sha256"], a["rows"], a["actor"]):
            problems.append(f"version {a['version']} of {a['school_id']}: stored hash/rows/uploader "
                            f"{row.file_hash[:12]}/{row.row_count}/{row.name}, "
                            f"sent {a['sha256'][:12]}/{a['rows']}/{a['actor']}")
    for key in sorted(set(stored) - set(told)):
        problems.append(f"version {key[1]} of {key[0]} stored, but no client saw it accepted")
    entries = collections.Counter()
    for entry in audits:
        if entry.action == "upload":
            detail = json.loads(entry.detail or "{}")
            entries[(entry.actor, entry.target, detail.get("version"), detail.get("sha256"))] += 1
    _counter_diff("upload audit entry", collections.Counter(
        (a["actor"], a["school_id"], a["version"], a["sha256"]) for a in accepted), entries, problems)
    return {"versions stored during the load": len(stored), "uploads accepted (clients)": len(accepted),
            "upload audit entries": sum(entries.values())}


def _whole_store(engine, files, problems):
    """The library's store check over every school (staffrec.store.consistency), and what it covered."""
    problems.extend(check_consistency(engine, files))
    with engine.connect() as conn:
        return {
            "schools with versions": conn.execute(select(func.count(func.distinct(versions.c.school_id)))).scalar(),
            "versions in the store": conn.execute(select(func.count()).select_from(versions)).scalar(),
            "blobs verified": conn.execute(select(func.count(func.distinct(versions.c.file_hash)))).scalar(),
            "records in the store": conn.execute(select(func.count()).select_from(records)).scalar(),
            "schools whose state was checked": conn.execute(select(func.count()).select_from(datasets)).scalar(),
        }


def _reviews(conn, base, reviews, audits, problems):
    """Every review action that answered success has its audit entry and review event, and no other was taken."""
    told = collections.Counter((r["actor"], r["school_id"], r["action"], r["to_state"]) for r in reviews)
    logged = collections.Counter()
    for entry in audits:
        if entry.action in REVIEW_ACTIONS:
            logged[(entry.actor, entry.target, entry.action, json.loads(entry.detail or "{}").get("to_state"))] += 1
    _counter_diff("review audit entry", told, logged, problems)
    query = (select(users.c.name, review_events.c.school_id, review_events.c.action, review_events.c.to_state)
             .join(users, users.c.id == review_events.c.actor)
             .where(review_events.c.id > base["review_events"], review_events.c.action.in_(REVIEW_ACTIONS)))
    events = collections.Counter(tuple(row) for row in conn.execute(query))
    _counter_diff("review event", told, events, problems)
    return {"review actions taken (clients)": len(reviews), "review audit entries": sum(logged.values()),
            "review events": sum(events.values())}


def check(database, files_root, base, accepted, reviews, anomalies=()):
    """Check the store after the load; return {"ok", "problems", "figures"}."""
    problems = list(anomalies)
    engine = _engine(database)
    with engine.connect() as conn:
        query = select(audit_log).where(audit_log.c.id > base["audit_log"]).order_by(audit_log.c.id)
        audits = conn.execute(query).all()
        figures = _uploads(conn, base, accepted, audits, problems)
        figures |= _reviews(conn, base, reviews, audits, problems)
        figures["audit entries during the load"] = len(audits)
    figures |= _whole_store(engine, FileStore(files_root), problems)
    engine.dispose()
    return {"ok": not problems, "problems": problems[:SHOWN], "problem_count": len(problems), "figures": figures}
