"""Whether the collection store holds only whole steps: every upload and review action all there, or not at all.

`check_consistency(engine, files)` reads the database and the file store and returns what is wrong,
one plain-Chinese line per problem (an empty list: consistent). It is what the fault tests and the load
test check after a kill, a full disk or a load, and what an operator can run on a store: it only reads.

What is checked:

- every version row has its file in the file store, of its size and (with `verify_files`) SHA-256;
- a school's version numbers are 1, 2, … n, and its current version is its latest;
- a school's records are exactly the rows of its current version (as many as the version says);
- every version has one upload event, and every review event one audit entry (same action, states
  and user, in the same order); an upload's audit entry names its version number and SHA-256;
- each event starts where the one before ended, and a school's state is where its last event left it;
- with `unnamed_files`: no file in the file store that no version names, no temp file. A process
  killed between writing a file and committing its row leaves such a file (harmless: nothing lists
  it, the same upload reuses it), so callers that expect kills pass unnamed_files=False.
"""

import collections
import hashlib
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from ..review import State
from .schema import audit_log, datasets, records, review_events, users, versions

_DIGEST = re.compile(r"[0-9a-f]{64}")
_HASH_CHUNK = 1 << 20


def stored_files(files):
    """Return (digests of the complete files, paths of everything else) under a FileStore's root."""
    digests, others = set(), []
    root = Path(files.root)
    if not root.exists():
        return digests, others
    for path in root.rglob("*"):
        if path.is_file():
            if _DIGEST.fullmatch(path.name) and path == files.path(path.name):
                digests.add(path.name)
            else:
                others.append(path)
    return digests, sorted(others)


def _file_problem(files, digest, size, verify):
    """Return what is wrong with a stored file (missing, another size, another SHA-256), or None."""
    path = files.path(digest)
    try:
        if path.stat().st_size != size:
            return f"大小为 {path.stat().st_size} 字节，版本记录为 {size} 字节"
        if verify:
            sha = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
                    sha.update(chunk)
            if sha.hexdigest() != digest:
                return "内容与其 SHA-256 不符"
    except FileNotFoundError:
        return f"不在文件库中（{path}）"
    return None


def _versions(conn, files, verify, problems):
    """Files, numbering and the current version; return {school: its versions, by number}."""
    by_school = collections.defaultdict(list)
    for row in conn.execute(select(versions).order_by(versions.c.school_id, versions.c.number)):
        by_school[row.school_id].append(row)
    checked = {}
    for school, rows in sorted(by_school.items()):
        numbers = [r.number for r in rows]
        if numbers != list(range(1, len(rows) + 1)):
            problems.append(f"学校 {school} 的版本号应为 1 至 {len(rows)}，实为 {numbers[:20]}")
        for row in rows:
            key = (row.file_hash, row.file_size)
            if key not in checked:
                checked[key] = _file_problem(files, row.file_hash, row.file_size, verify)
            if checked[key] is not None:
                problems.append(f"学校 {school} 第 {row.number} 版的文件 {row.file_hash[:12]} {checked[key]}")
    return by_school


def _datasets(conn, by_school, problems):
    """Current versions and records; return {school: its datasets row}."""
    states = {row.school_id: row for row in conn.execute(select(datasets))}
    held = collections.defaultdict(list)
    query = (select(records.c.school_id, records.c.version_id, func.count())
             .group_by(records.c.school_id, records.c.version_id).order_by(records.c.school_id, records.c.version_id))
    for school, version_id, count in conn.execute(query):
        held[school].append((version_id, count))
    for school, row in sorted(states.items()):
        mine = by_school.get(school, [])
        latest = mine[-1] if mine else None
        if row.current_version != (latest.id if latest else None):
            problems.append(f"学校 {school} 的当前版本为 id {row.current_version}，"
                            f"应为最新版本 id {latest.id if latest else None}")
        expected = [(latest.id, latest.row_count)] if latest is not None and latest.row_count else []
        if held.get(school, []) != expected:
            problems.append(f"学校 {school} 的记录（版本 id, 条数）为 {held.get(school, [])[:10]}，应为 {expected}")
    for school in sorted(set(held) - set(states)):
        problems.append(f"学校 {school} 不在数据集表中，却有记录 {held[school][:10]}")
    for school in sorted(set(by_school) - set(states)):
        problems.append(f"学校 {school} 不在数据集表中，却有 {len(by_school[school])} 个版本")
    return states


def _step(action, from_state, to_state, actor):
    return f"{action} {from_state}→{to_state}（{actor}）"


def _events(conn, by_school, states, problems):
    """Review events against versions, audit entries and states."""
    names = dict(conn.execute(select(users.c.id, users.c.name)).all())
    events = collections.defaultdict(list)
    for e in conn.execute(select(review_events).order_by(review_events.c.id)):
        events[e.school_id].append(e)
    audits = collections.defaultdict(list)
    for a in conn.execute(select(audit_log).where(audit_log.c.target.is_not(None)).order_by(audit_log.c.id)):
        audits[a.target].append(a)
    for school in sorted(set(events) | set(audits) | set(states) | set(by_school)):
        mine, logged = events.get(school, []), audits.get(school, [])
        uploads = collections.Counter(e.version_id for e in mine if e.action == "upload")
        for version in by_school.get(school, []):
            if uploads[version.id] != 1:
                problems.append(f"学校 {school} 第 {version.number} 版有 {uploads[version.id]} 个上传事件，应为 1 个")
        known = {v.id for v in by_school.get(school, [])}
        for version_id in sorted(set(uploads) - known, key=repr):
            problems.append(f"学校 {school} 的上传事件指向不属于该校的版本 id {version_id}")
        state = State.NOT_UPLOADED.value
        for e in mine:
            if e.from_state != state:
                problems.append(f"学校 {school} 的审核事件 {e.id}（{e.action}）从“{e.from_state}”开始，"
                                f"上一步止于“{state}”")
            state = e.to_state
        row = states.get(school)
        if row is not None and row.state != state:
            problems.append(f"学校 {school} 的状态为“{row.state}”，最后一个审核事件止于“{state}”")
        _audits(school, mine, logged, names, {v.id: v for v in by_school.get(school, [])}, problems)


def _audits(school, mine, logged, names, by_id, problems):
    """One audit entry per review event, in the same order; an upload's entry names its version and file."""
    for index, (e, a) in enumerate(zip(mine, logged), start=1):
        detail = json.loads(a.detail or "{}")
        step = _step(e.action, e.from_state, e.to_state, names.get(e.actor))
        entry = _step(a.action, detail.get("from_state"), detail.get("to_state"), a.actor)
        if step != entry:
            problems.append(f"学校 {school} 的第 {index} 个审核事件为 {step}，对应的审计记录为 {entry}")
        version = by_id.get(e.version_id) if e.action == "upload" else None
        if version is not None and (detail.get("version"), detail.get("sha256")) != (version.number, version.file_hash):
            problems.append(f"学校 {school} 第 {version.number} 版的审计记录写的是第 {detail.get('version')} 版、"
                            f"文件 {str(detail.get('sha256'))[:12]}，实为文件 {version.file_hash[:12]}")
    if len(mine) != len(logged):
        problems.append(f"学校 {school} 有 {len(mine)} 个审核事件，却有 {len(logged)} 条审计记录")


def _unnamed(files, by_school, problems):
    named = {v.file_hash for rows in by_school.values() for v in rows}
    digests, others = stored_files(files)
    problems.extend(f"文件库中的文件 {d} 没有任何版本引用" for d in sorted(digests - named))
    problems.extend(f"文件库中有临时文件或其他文件：{path}" for path in others)


def check_consistency(engine, files, unnamed_files=True, verify_files=True):
    """Return the problems of the store on `engine` with the FileStore `files`, in Chinese; [] when consistent.

    unnamed_files: also report files no version names and temp files (see the module's note on kills).
    verify_files: hash every stored file (else only its presence and size are checked).
    Read in one transaction (PostgreSQL: REPEATABLE READ), so a store in use is seen at one moment.
    """
    problems = []
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn:
        by_school = _versions(conn, files, verify_files, problems)
        states = _datasets(conn, by_school, problems)
        _events(conn, by_school, states, problems)
    if unnamed_files:
        _unnamed(files, by_school, problems)
    return problems
