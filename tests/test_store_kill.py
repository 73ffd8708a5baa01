"""Killing an ingest in the middle leaves every school fully at its old or its new version."""

import io
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

from sqlalchemy import func, select

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.registry import parse_registry
from staffrec.store import Store
from staffrec.store.schema import datasets, records, versions

REGISTRY = """学校标识码,学校名称,学校类别,所在旗县代码,办学性质
2115000001,新城区第一小学,21,150102,1
2115000011,新城区第二小学,21,150102,1
3115000012,新城区第一中学,31,150102,1
"""
CHILD = textwrap.dedent(
    """
    import sys, time
    import staffrec.store.reviewing as ingest
    from staffrec.store import Store

    original = ingest.write_audit
    calls = []

    def slow_audit(conn, *args, **kwargs):
        # Runs inside each file's transaction, after its records are written.
        calls.append(1)
        original(conn, *args, **kwargs)
        print("IN-TRANSACTION", len(calls), flush=True)
        if len(calls) == 2:
            time.sleep(60)

    ingest.write_audit = slow_audit
    store = Store(sys.argv[1], sys.argv[2])
    store.ingest([("batch.zip", open(sys.argv[3], "rb").read())], "新城区")
    print("DONE", flush=True)
    """
)


def test_kill_mid_zip_ingest(tmp_path):
    registry = parse_registry(REGISTRY)
    url = f"sqlite:///{tmp_path}/store.db"
    store = Store(url, tmp_path / "files")
    store.init(registry)
    store.add_user("新城区", "county", "150102")
    files = {}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for school in registry:
            template = new_template(school, demo_records(school, 5), signoff={"entered_by": "甲", "checked_by": "乙"})
            files[str(school.id)] = (template.file_name(), template.to_bytes())
            zf.writestr(*files[str(school.id)])
    batch = tmp_path / "batch.zip"
    batch.write_bytes(archive.getvalue())

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(tmp_path / "files"), str(batch)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=os.getcwd(),
    )
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if line.startswith("IN-TRANSACTION 2"):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert seen == ["IN-TRANSACTION 1", "IN-TRANSACTION 2"], child.stderr.read()

    with store.engine.connect() as conn:
        states = dict(conn.execute(select(datasets.c.school_id, datasets.c.state)).all())
        version_rows = conn.execute(select(versions.c.school_id, versions.c.row_count)).all()
        counts = dict(conn.execute(select(records.c.school_id, func.count()).group_by(records.c.school_id)).all())
    first, second, third = (str(s.id) for s in registry)
    assert states == {first: "at_county", second: "not_uploaded", third: "not_uploaded"}
    assert version_rows == [(first, 5)]
    assert counts == {first: 5}
    # The store still works after the crash: the killed school's file goes in as its first version.
    (again,) = Store(url, tmp_path / "files").ingest([files[second]], "新城区")
    assert (again.accepted, again.version) == (True, 1)
