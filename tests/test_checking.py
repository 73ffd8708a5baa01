"""Checking before storing: the worker process is used for large batches and gives what checking here gives."""

import concurrent.futures
import datetime
import json
import os
import signal
import threading

import pytest
from sqlalchemy import select

from staffrec import new_template
from staffrec.demo import demo_registry
from staffrec.demo_staff import demo_records
from staffrec.distribute import zip_bytes
from staffrec.records import Record
from staffrec.store import Store, checking
from staffrec.store.schema import records

DAY = datetime.date(2026, 9, 15)


@pytest.mark.parametrize(("setting", "files", "default", "wanted"), [
    (None, 1, True, False), (None, 7, True, False), (None, 8, True, True), (None, 300, True, True),
    (None, 300, False, False), ("1", 1, False, False), ("1", 2, False, True), ("yes", 2, True, True),
    ("0", 300, True, False), ("false", 300, True, False),
])
def test_which_batches_go_to_the_worker(monkeypatch, setting, files, default, wanted):
    if setting is None:
        monkeypatch.delenv(checking.ENV, raising=False)
    else:
        monkeypatch.setenv(checking.ENV, setting)
    assert checking.worker_wanted(files, default) is wanted


def _county_zip(registry):
    """A ZIP of nine 新城区 schools, the third with an error and the fifth with warnings."""
    schools = [s for s in registry if s.county == "150102" and s.kind().name == "中小学"][:9]
    members, taken = [], set()
    for i, school in enumerate(schools):
        people = demo_records(school, 4, seed=i, taken_ids=taken)
        if i == 2:
            people[0]["id_number"] = people[0]["id_number"][:-1] + ("0" if people[0]["id_number"][-1] != "0" else "1")
        template = new_template(school, people, signoff={"entered_by": "甲", "checked_by": "乙"})
        if i == 4:
            values = template.records[1].as_dict()
            values["sex"] = values["sex"].split("-", 1)[0]  # a bare code (1 for 1-男): a warning
            template.records[1] = Record(template.kind.keys, tuple(values[k] for k in template.kind.keys))
        members.append((f"新城区/{template.file_name()}", template.to_bytes()))
    return zip_bytes(members)


def _ingest(tmp_path, registry, data, setting, monkeypatch):
    monkeypatch.setenv(checking.ENV, setting)
    store = Store(f"sqlite:///{tmp_path}/{setting}.db", tmp_path / f"files-{setting}")
    store.init(registry)
    store.add_user("新城区", "county", "150102")
    results = store.ingest([("新城区.zip", data)], "新城区", today=DAY)
    with store.engine.connect() as conn:
        stored = [(r.school_id, r.row_number, json.loads(r.data)) for r in conn.execute(
            select(records).order_by(records.c.school_id, records.c.row_number))]
    store.engine.dispose()
    return [(r.name, r.accepted, r.school_id, r.version, r.report.to_dict()) for r in results], stored


def test_the_worker_gives_the_results_checking_here_gives(tmp_path, monkeypatch):
    registry = demo_registry(per_county=10)
    data = _county_zip(registry)
    here = _ingest(tmp_path, registry, data, "0", monkeypatch)
    checking._reset(checking._POOL)
    in_worker = _ingest(tmp_path, registry, data, "1", monkeypatch)
    assert checking._POOL is not None  # the worker did the checking
    assert in_worker == here
    accepted = [accepted for _name, accepted, *_ in here[0]]
    assert accepted.count(False) == 1 and len(accepted) == 9
    assert any(report["counts"]["warning"] for *_, report in here[0])


def _school_files(registry, count):
    """(name, bytes) of `count` valid 新城区 school templates."""
    schools = [s for s in registry if s.county == "150102" and s.kind().name == "中小学"][:count]
    files = []
    for i, school in enumerate(schools):
        people = demo_records(school, 3, seed=i)
        template = new_template(school, people, signoff={"entered_by": "甲", "checked_by": "乙"})
        files.append((template.file_name(), template.to_bytes()))
    return files


def test_while_the_worker_is_busy_the_caller_checks_files_from_the_end_of_the_batch(monkeypatch):
    registry = demo_registry(per_county=10)
    files = _school_files(registry, checking.WORKER_QUEUE + 3)
    caller = threading.get_ident()
    released, in_worker, here = threading.Event(), [], []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)  # stands in for the worker process
    real_worker, real_check = checking._check_in_worker, checking.check

    def slow_worker(name, *args):
        in_worker.append(name)
        released.wait(timeout=5)  # the first file keeps the worker busy until the caller has taken the rest
        return real_worker(name, *args)

    def check_here(name, *args):
        if threading.get_ident() == caller:  # not the stand-in worker's own check
            here.append(name)
            if len(here) == len(files) - checking.WORKER_QUEUE:
                released.set()
        return real_check(name, *args)

    monkeypatch.setattr(checking, "_pool", lambda: pool)
    monkeypatch.setattr(checking, "_check_in_worker", slow_worker)
    monkeypatch.setattr(checking, "check", check_here)
    catalogue = checking.default_catalogue()
    try:
        results = list(checking.checked(files, catalogue, registry, DAY, checking.registry_blob(registry)))
    finally:
        pool.shutdown()
    names = [name for name, _ in files]
    queued = checking.WORKER_QUEUE
    # Only the first files went to the worker; the rest were checked here, the last file first.
    assert in_worker == names[:queued] and here == names[:queued - 1:-1]
    monkeypatch.setattr(checking, "check", real_check)
    alone = [real_check(name, data, catalogue, registry, DAY)[1] for name, data in files]
    assert [report.to_dict() for _, report in results] == [report.to_dict() for report in alone]


def test_a_worker_killed_mid_batch_leaves_no_file_unchecked_and_nothing_hanging():
    registry = demo_registry(per_county=10)
    files = _school_files(registry, 10)
    catalogue = checking.default_catalogue()
    results, failures, killed = [], [], []

    def run():
        try:
            batch = checking.checked(files, catalogue, registry, DAY, checking.registry_blob(registry))
            results.append(next(batch))
            killed.append(checking._POOL)
            for process in list(killed[0]._processes.values()):
                os.kill(process.pid, signal.SIGKILL)
            results.extend(batch)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive() and not failures
    alone = [checking.check(name, data, catalogue, registry, DAY)[1] for name, data in files]
    assert [report.to_dict() for _, report in results] == [report.to_dict() for report in alone]
    assert checking._POOL is not killed[0]  # the broken worker is forgotten; the next batch starts a new one
