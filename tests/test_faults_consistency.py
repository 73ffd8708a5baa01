"""The store check the fault tests and the load test rely on (staffrec.store.consistency) is not vacuous:
a store of whole steps has no problem, and each kind of half-stored or damaged step is reported."""

import pytest
from fault_support import COUNTY_USER, SCHOOLS, backend, make_store, upload_of  # noqa: F401 - backend: fixture
from sqlalchemy import delete, insert, select, update

from staffrec.store.audit import write_audit
from staffrec.store.consistency import check_consistency
from staffrec.store.schema import datasets, records, review_events, versions


@pytest.fixture
def store(backend, tmp_path):  # noqa: F811
    """Three schools: the first at version 2 and approved, the second at version 1, the third untouched."""
    store = make_store(backend, tmp_path)
    store.add_user("呼和浩特市", "city", "150100", password="x")
    assert all(r.accepted for r in store.ingest([upload_of(SCHOOLS[0]), upload_of(SCHOOLS[1])], COUNTY_USER))
    assert store.ingest([upload_of(SCHOOLS[0], count=4, seed=1)], COUNTY_USER)[0].version == 2
    assert store.review(COUNTY_USER, [SCHOOLS[0]], "approve")[0].ok
    yield store
    store.engine.dispose()


def _version(store, school, number):
    with store.engine.connect() as conn:
        return conn.execute(select(versions).where(versions.c.school_id == school, versions.c.number == number)).one()


def _write(store, statement):
    with store.writer.begin() as conn:
        conn.execute(statement)


def lose_file(store):
    store.files.path(_version(store, SCHOOLS[1], 1).file_hash).unlink()


def damage_file(store):
    path = store.files.path(_version(store, SCHOOLS[1], 1).file_hash)
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))


def cut_file(store):
    path = store.files.path(_version(store, SCHOOLS[1], 1).file_hash)
    path.write_bytes(path.read_bytes()[:-1])


def lose_records(store):
    _write(store, delete(records).where(records.c.school_id == SCHOOLS[1], records.c.row_number > 5))


def keep_old_records(store):
    old = _version(store, SCHOOLS[0], 1)
    _write(store, insert(records).values(version_id=old.id, row_number=99, school_id=SCHOOLS[0], id_number="X",
                                         name="旧", data="{}"))


def move_state(store):
    _write(store, update(datasets).where(datasets.c.school_id == SCHOOLS[1]).values(state="at_city"))


def older_current(store):
    old = _version(store, SCHOOLS[0], 1)
    _write(store, update(datasets).where(datasets.c.school_id == SCHOOLS[0]).values(current_version=old.id))


def renumber(store):
    version = _version(store, SCHOOLS[1], 1)
    _write(store, update(versions).where(versions.c.id == version.id).values(number=3))


def lose_event(store):
    with store.writer.begin() as conn:
        last = conn.execute(select(review_events.c.id).where(review_events.c.school_id == SCHOOLS[0])
                            .order_by(review_events.c.id.desc())).first()
        conn.execute(delete(review_events).where(review_events.c.id == last.id))


def extra_audit(store):
    with store.writer.begin() as conn:
        write_audit(conn, COUNTY_USER, "approve", SCHOOLS[2], {"from_state": "at_county", "to_state": "at_city"})


def unnamed_file(store):
    store.files.put(b"a file no row names")


def temp_file(store):
    folder = store.files.path(_version(store, SCHOOLS[1], 1).file_hash).parent
    (folder / ".left-by-a-kill.tmp").write_bytes(b"half")


BREAKS = {
    lose_file: "不在文件库中",
    damage_file: "内容与其 SHA-256 不符",
    cut_file: "大小为",
    lose_records: f"学校 {SCHOOLS[1]} 的记录",
    keep_old_records: f"学校 {SCHOOLS[0]} 的记录",
    move_state: f"学校 {SCHOOLS[1]} 的状态为“at_city”",
    older_current: f"学校 {SCHOOLS[0]} 的当前版本",
    renumber: f"学校 {SCHOOLS[1]} 的版本号应为 1 至 1",
    lose_event: f"学校 {SCHOOLS[0]} 有 2 个审核事件，却有 3 条审计记录",
    extra_audit: f"学校 {SCHOOLS[2]} 有 0 个审核事件，却有 1 条审计记录",
    unnamed_file: "没有任何版本引用",
    temp_file: "临时文件",
}


def test_a_store_of_whole_steps_has_no_problem(store):
    assert check_consistency(store.engine, store.files) == []


@pytest.mark.parametrize("damage", list(BREAKS), ids=lambda f: f.__name__)
def test_each_damage_is_reported(store, damage):
    damage(store)
    problems = check_consistency(store.engine, store.files)
    assert any(BREAKS[damage] in p for p in problems), problems


def test_what_a_kill_may_leave_can_be_allowed_and_hashing_skipped(store):
    unnamed_file(store)
    temp_file(store)
    assert check_consistency(store.engine, store.files, unnamed_files=False) == []
    damage_file(store)
    assert check_consistency(store.engine, store.files, unnamed_files=False, verify_files=False) == []
    assert check_consistency(store.engine, store.files, unnamed_files=False) != []
