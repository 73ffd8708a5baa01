"""Two writers on one school at once: serialized, never lost, never a traceback."""

import threading

from sqlalchemy import select

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.store import Store
from staffrec.store.schema import review_events, versions

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}


def run_together(*jobs):
    """Start the jobs at the same moment in threads; return their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def wrap(index, job):
        barrier.wait()
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test reports what escaped
            results[index] = exc

    threads = [threading.Thread(target=wrap, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_uploads_of_one_school_become_two_versions(tmp_path, registry):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    store.add_user("新城区", "county", "150102")
    school = registry.get("2115000001")
    files = [
        (new_template(school, demo_records(school, 50, seed=n), signoff=SIGNOFF).file_name(),
         new_template(school, demo_records(school, 50, seed=n), signoff=SIGNOFF).to_bytes())
        for n in range(4)
    ]
    results = run_together(*[lambda f=f: store.ingest([f], "新城区") for f in files])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r[0].version for r in results) == [1, 2, 3, 4]


def test_an_upload_racing_an_approval_never_replaces_approved_data(tmp_path, registry):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    store.add_user("新城区", "county", "150102")
    school = registry.get("2115000001")
    first = new_template(school, demo_records(school, 50), signoff=SIGNOFF)
    store.ingest([(first.file_name(), first.to_bytes())], "新城区")
    second = new_template(school, demo_records(school, 50, seed=3), signoff=SIGNOFF)
    for _ in range(5):
        results = run_together(
            lambda: store.ingest([(second.file_name(), second.to_bytes())], "新城区"),
            lambda: store.review("新城区", ["2115000001"], "approve"),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        with store.engine.connect() as conn:
            events = [(e.action, e.from_state, e.to_state) for e in conn.execute(select(review_events).order_by(review_events.c.id))]
        # Whatever the order, an upload never starts from data the county already approved.
        assert ("upload", "at_city", "at_county") not in events
        assert all(not (a == "upload" and f == "at_city") for a, f, _ in events)
        if store.state_of("2115000001") == "at_city":
            break
    with store.engine.connect() as conn:
        numbers = [v.number for v in conn.execute(select(versions).order_by(versions.c.number))]
    assert numbers == list(range(1, len(numbers) + 1))
