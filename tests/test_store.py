"""The collection store on SQLite, and on PostgreSQL when STAFFREC_TEST_DATABASE_URL names one."""

import io
import json
import os
import zipfile
from pathlib import Path

import attrs
import pytest
from sqlalchemy import select, text, update

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.registry import Registry
from staffrec.store import Store, UserError
from staffrec.store.db import drop_schema
from staffrec.store.filestore import file_hash
from staffrec.store.schema import audit_log, datasets, records, review_events, versions

ZIPS = Path(__file__).parent / "fixtures" / "zip"
SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("STAFFREC_TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, registry):
    url = f"sqlite:///{tmp_path}/store.db" if request.param == "sqlite" else os.environ["STAFFREC_TEST_DATABASE_URL"]
    store = Store(url, tmp_path / "files")
    drop_schema(store.engine)
    store.init(registry)
    store.add_user("新城区", "county", "150102")
    store.add_user("昆都仑区", "county", "150203")
    store.add_user("信息中心", "info_centre", "150000")
    yield store
    drop_schema(store.engine)
    store.engine.dispose()


def upload_of(school, count=3, seed=0, **changes):
    """Return (file name, bytes) of a valid filled template, optionally with changed records."""
    people = demo_records(school, count, seed=seed)
    for person in people:
        person.update(changes)
    template = new_template(school, people, signoff=SIGNOFF)
    return template.file_name(), template.to_bytes()


def zip_of(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def test_init_is_idempotent_and_opens_a_dataset_per_school(store, registry):
    assert store.init(registry) == (0, 0)
    assert store.state_of("2115000001") == "not_uploaded"
    assert len(store.registry()) == len(registry)


def test_users_need_a_territory_of_their_tier(store):
    with pytest.raises(UserError, match="旗县"):
        store.add_user("x", "county", "150100")
    with pytest.raises(UserError, match="已存在"):
        store.add_user("新城区", "county", "150102")
    with pytest.raises(UserError, match="层级"):
        store.add_user("y", "mayor", "150102")
    with pytest.raises(UserError, match="没有名为"):
        store.user("nobody")


def test_an_accepted_file_becomes_the_current_version(store, registry):
    name, data = upload_of(registry.get("2115000001"), count=4)
    (result,) = store.ingest([(name, data)], "新城区")
    assert (result.accepted, result.version, result.school_id) == (True, 1, "2115000001")
    assert store.state_of("2115000001") == "at_county"
    assert store.files.get(file_hash(data)) == data
    with store.engine.connect() as conn:
        version = conn.execute(select(versions)).one()
        assert (version.original_name, version.row_count, version.file_hash) == (name, 4, file_hash(data))
        rows = conn.execute(select(records).order_by(records.c.row_number)).all()
        assert [r.row_number for r in rows] == [4, 5, 6, 7]
        assert json.loads(rows[0].data)["name"] == rows[0].name
        event = conn.execute(select(review_events)).one()
        assert (event.action, event.from_state, event.to_state) == ("upload", "not_uploaded", "at_county")
        audit = conn.execute(select(audit_log)).one()
        assert (audit.actor, audit.action, audit.target) == ("新城区", "upload", "2115000001")


def test_a_reupload_replaces_the_data_and_keeps_the_old_version(store, registry):
    school = registry.get("2115000001")
    store.ingest([upload_of(school, count=4)], "新城区")
    (second,) = store.ingest([upload_of(school, count=2, seed=9)], "新城区")
    assert second.version == 2
    with store.engine.connect() as conn:
        assert [v.number for v in conn.execute(select(versions).order_by(versions.c.number))] == [1, 2]
        current = conn.execute(
            select(datasets.c.current_version).where(datasets.c.school_id == "2115000001")
        ).scalar()
        assert {r.version_id for r in conn.execute(select(records))} == {current}
        assert conn.execute(select(records)).all().__len__() == 2


def test_a_school_renamed_in_the_registry_is_checked_by_its_new_name_at_the_next_upload(store, registry, monkeypatch):
    school = registry.get("2115000001")
    built = []
    monkeypatch.setattr(store, "registry", lambda: built.append(1) or Store.registry(store))
    assert [r.accepted for r in store.ingest([upload_of(school)], "新城区")] == [True]
    assert [r.accepted for r in store.ingest([upload_of(school, seed=1)], "新城区")] == [True]
    assert len(built) == 1  # unchanged schools: the registry read once is used again
    renamed = attrs.evolve(school, name="呼和浩特市新城区第二实验学校")
    assert store.init(Registry([renamed if s.id == school.id else s for s in registry], registry.regions)) == (0, 1)
    (result,) = store.ingest([upload_of(school, seed=2)], "新城区")
    assert len(built) == 2 and not result.accepted
    assert "identity.name_vs_registry" in {f.code for f in result.report.findings}
    assert [r.accepted for r in store.ingest([upload_of(renamed, seed=3)], "新城区")] == [True]


def test_a_file_with_errors_is_rejected_and_the_others_still_accepted(store, registry):
    good = upload_of(registry.get("2115000001"))
    bad = upload_of(registry.get("2115000001"), sex="男性")
    results = store.ingest([bad, good], "新城区")
    assert [r.accepted for r in results] == [False, True]
    assert any("男性" in m for m in results[0].messages)
    assert results[1].version == 1


def test_outside_the_territory_or_after_approval_the_upload_is_refused(store, registry):
    (outside,) = store.ingest([upload_of(registry.get("3615000004"))], "新城区")
    assert not outside.accepted and "管辖范围" in outside.messages[0]
    store.ingest([upload_of(registry.get("2115000001"))], "新城区")
    with store.engine.begin() as conn:
        conn.execute(update(datasets).where(datasets.c.school_id == "2115000001").values(state="at_city"))
    (locked,) = store.ingest([upload_of(registry.get("2115000001"), seed=2)], "新城区")
    assert not locked.accepted and locked.messages
    with store.engine.connect() as conn:
        assert conn.execute(select(versions)).all().__len__() == 1


def test_dry_run_checks_without_storing(store, registry):
    (result,) = store.ingest([upload_of(registry.get("2115000001"))], "新城区", dry_run=True)
    assert result.accepted and result.version is None
    assert store.state_of("2115000001") == "not_uploaded"


def test_zip_with_gbk_names_from_chinese_windows(store):
    results = store.ingest([("新城区.zip", (ZIPS / "gbk_names_infozip.zip").read_bytes())], "新城区")
    by_school = {r.school_id: r for r in results}
    assert by_school["2115000001"].accepted and by_school["2115000001"].name.startswith("新城区/2115000001_")
    assert not by_school["3415000002"].accepted  # 土默特左旗 is another county
    assert all(r.container == "新城区.zip" for r in results)


def test_unsafe_members_are_rejected_with_a_reason_and_do_not_block_others(store, registry):
    name, data = upload_of(registry.get("2115000001"))
    nested = zip_of([("inner.xls", data)])
    archive = zip_of([(name, data), ("../../etc/passwd.xls", data), ("嵌套.zip", nested)])
    results = store.ingest([("批量.zip", archive)], "新城区")
    assert sorted((r.accepted, r.name) for r in results)[-1] == (True, name)
    rejected = [r for r in results if not r.accepted]
    assert len(rejected) == 2 and all(r.messages for r in rejected)


def test_a_high_ratio_bomb_is_refused(store):
    archive = zip_of([("炸弹.xls", b"\0" * (60 * 1024 * 1024))])
    (result,) = store.ingest([("炸弹.zip", archive)], "新城区")
    assert not result.accepted and result.messages


def test_mixed_kinds_in_one_zip_are_refused(store):
    results = store.ingest([("混合.zip", (ZIPS / "mixed_kinds_gbk.zip").read_bytes())], "新城区")
    assert len(results) == 2 and not any(r.accepted for r in results)
    assert all("混有不同类别" in r.messages[0] for r in results)


def test_region_wide_duplicates_are_found_at_ingest_and_listed_for_both_counties(store, registry):
    first = registry.get("2115000001")
    people = demo_records(first, 2)
    store.ingest([upload_of(first)], "新城区")
    shared_id = people[0]["id_number"]
    other = registry.get("3115000003")  # 昆都仑区
    copied = demo_records(other, 2, seed=5)
    copied[0].update({k: people[0][k] for k in ("id_number", "birth_date", "sex")})
    template = new_template(other, copied, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], "昆都仑区")
    assert result.accepted
    assert [(f.code, f.value, f.row) for f in result.duplicates] == [("region.duplicate_id", shared_id, 4)]
    assert "新城区第一小学" in result.duplicates[0].message
    assert {p.school_id for p in store.duplicates("新城区")} == {"2115000001"}
    assert {p.school_id for p in store.duplicates("昆都仑区")} == {"3115000003"}
    assert store.duplicates("信息中心") == []  # 高校 only: these K-12 schools are outside its view
    assert len(store.duplicates()) == 2  # one shared number, seen from each school


def test_the_audit_log_is_append_only(store, registry):
    store.ingest([upload_of(registry.get("2115000001"))], "新城区")
    with pytest.raises(Exception, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(Exception, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))


def test_a_storage_failure_rejects_that_file_only(store, registry, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import staffrec.store.ingestion as ingestion

    real = ingestion._store_version
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ingestion, "_store_version", failing_once)
    first, second = upload_of(registry.get("2115000001")), upload_of(registry.get("2115000001"), seed=3)
    results = store.ingest([first, second], "新城区")
    assert [r.accepted for r in results] == [False, True]
    assert "系统保存此文件时出错" in results[0].messages[0]
    assert results[1].version == 1


def test_stored_files_are_readable_by_the_owner_only(store, registry):
    name, data = upload_of(registry.get("2115000001"))
    store.ingest([(name, data)], "新城区")
    path = store.files.path(file_hash(data))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    with pytest.raises(ValueError):
        store.files.path("../../etc/passwd")


def test_a_duplicate_in_a_school_the_uploader_cannot_see_is_not_named(store, registry):
    he = demo_records(registry.get("4115010126"), 2)
    template = new_template(registry.get("4115010126"), he, signoff=SIGNOFF)
    store.ingest([(template.file_name(), template.to_bytes())], "信息中心")
    k12 = demo_records(registry.get("2115000001"), 2, seed=8)
    k12[0].update({k: he[0][k] for k in ("id_number", "birth_date", "sex")})
    template = new_template(registry.get("2115000001"), k12, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], "新城区")
    (warning,) = result.duplicates
    assert "管辖范围外的一所学校" in warning.message and "内蒙古大学" not in warning.message
