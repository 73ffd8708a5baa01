"""The garbage collector's pause around reading and checking one file."""

import gc
import threading

import pytest

from staffrec import new_template, open_template
from staffrec.checks import validate
from staffrec.collector import collector_paused
from staffrec.demo_staff import demo_records
from staffrec.records import Record


@pytest.fixture
def collector_on():
    """Start each test with the collector running, as a program does, and leave it as found."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.fixture
def collections():
    """Note the collector's passes this test's thread starts (threads other tests left are not counted)."""
    started, me = [], threading.get_ident()

    def note(phase, info):
        if phase == "start" and threading.get_ident() == me:  # the generation and the youngest one's size
            started.append((info["generation"], len(gc.get_objects(0))))

    gc.callbacks.append(note)
    yield started
    gc.callbacks.remove(note)


def test_the_pause_holds_the_collector_off_and_starts_it_again(collector_on):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_validate_reads_a_file_object_before_the_pause(large_file, registry, collector_on):
    """A slow stream must not hold the collector off: it is read to the end first."""
    seen = []

    class Stream:
        def __init__(self, path):
            self.data, self.name = path.read_bytes(), path.name

        def read(self):
            seen.append(gc.isenabled())
            return self.data

    assert validate(Stream(large_file), registry=registry).rows == 2000 and seen == [True]


def test_the_collector_starts_again_after_an_error_in_the_block(collector_on):
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_program_stays_off(collector_on):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_an_inner_pause_leaves_the_restart_to_the_outer_one(collector_on):
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_ends_with_its_own_file_while_another_thread_still_reads(collector_on):
    inside, leave = threading.Event(), threading.Event()
    seen = []

    def other_reader():
        with collector_paused():  # finds the collector off: pauses nothing
            inside.set()
            leave.wait(5)
            seen.append(gc.isenabled())

    with collector_paused():
        thread = threading.Thread(target=other_reader)
        thread.start()
        assert inside.wait(5)
    assert gc.isenabled()  # not held off for the other thread's file
    leave.set()
    thread.join(5)
    assert seen == [True] and gc.isenabled()


@pytest.fixture
def large_file(tmp_path, registry):
    """A 2,000-row file: enough records to set the collector going several times if it ran."""
    school = registry.get("4115010126")
    return new_template(school, demo_records(school, 2000, seed=5)).save(tmp_path)


def test_validate_leaves_the_collector_no_record_to_walk(large_file, registry, collector_on, collections):
    validate(large_file, registry=registry)  # warm the caches (catalogue, registry) outside the count
    gc.collect()
    collections.clear()
    report = validate(large_file, registry=registry)
    assert report.rows == 2000
    # The counts the call left start one pass once the collector runs again; by then the file's
    # rows and records are freed, so that pass walks the report and little else.
    assert len(collections) <= 1 and all(young < 100 for _, young in collections)


def test_validate_frees_every_record_by_reference_counting(large_file, registry, collector_on):
    """The memos of the checks once held the file's records in a cycle, freed by a full pass only."""
    ids = {r["id_number"] for r in open_template(large_file).records}
    gc.disable()
    try:
        validate(large_file, registry=registry)
        left = [o for o in gc.get_objects() if isinstance(o, Record) and "id_number" in o.keys and o["id_number"] in ids]
    finally:
        gc.enable()
    assert left == []


def test_open_template_reads_without_a_collection(large_file, collector_on, collections):
    open_template(large_file)
    gc.collect()
    collections.clear()
    template = open_template(large_file)
    # One pass at most, after the read, taking the template the caller keeps into an older generation.
    assert len(template.records) == 2000 and len(collections) <= 1


def test_without_the_pause_the_same_validate_does_set_the_collector_going(
    large_file, registry, collector_on, collections, monkeypatch
):
    """The count above is not empty by chance: with the pause gone the same call collects."""
    import contextlib
    import sys

    monkeypatch.setattr(sys.modules["staffrec.checks.validate"], "collector_paused", contextlib.nullcontext)
    monkeypatch.setattr(sys.modules["staffrec.reader"], "collector_paused", contextlib.nullcontext)
    validate(large_file, registry=registry)
    collections.clear()
    validate(large_file, registry=registry)
    assert len(collections) > 1 and max(young for _, young in collections) >= 700
