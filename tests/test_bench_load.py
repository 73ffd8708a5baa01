"""The load test's driver (bench/load.py) end to end: two clients (a county clerk and a reader) until the
clerk has had a file accepted, then the store check.

No wall-time assertion: the run is bounded by steps, not seconds. Only that it completes with no error
and the consistency check passes, and that the check fails when what the clients saw and what the
store holds disagree.
"""

import json

from bench import load
from bench.load_check import check

MAX_STEPS = 40  # per client; with seed 0 the clerk's first accepted file comes at its 6th step


def test_load_runs_and_the_store_holds_what_clients_were_told(tmp_path):
    instance = tmp_path / "instance"
    summary = load.run(clients=2, threads=4, instance=instance, results=tmp_path / "results", echo=lambda *_: None,
                       steps=MAX_STEPS, until=lambda clients: any(c.accepted for c in clients))
    assert summary["error_count"] == 0, summary["errors"]
    assert not summary["server_log"]["counts"], summary["server_log"]
    assert summary["consistency"]["ok"], summary["consistency"]["problems"]
    assert summary["ok"]
    observed = summary["observed"]
    assert observed["accepted"], summary["counts"]  # the run stopped at the first accepted file, not the cap
    assert summary["kinds"]["upload"]["requests"] >= 1 and summary["kinds"]["home"]["requests"] >= 1
    saved = json.loads((tmp_path / "results" / "load.json").read_text(encoding="utf-8"))
    assert saved["consistency"]["ok"] and "observed" not in saved

    # The check is not vacuous: an upload the store never got, and one it holds that no client saw.
    manifest = json.loads((instance / "load.json").read_text(encoding="utf-8"))
    ghost = {"actor": "xincheng", "school_id": "2115000001", "version": 999, "sha256": "0" * 64, "rows": 30,
             "name": "ghost.xls"}
    result = check(manifest["database"], manifest["files"], observed["baseline"], [*observed["accepted"], ghost],
                   observed["reviews"])
    assert not result["ok"]
    assert any("accepted upload not stored: ghost.xls" in p for p in result["problems"])
    phantom = {"actor": "hohhot", "school_id": "2115000002", "action": "approve", "to_state": "at_region"}
    result = check(manifest["database"], manifest["files"], observed["baseline"], observed["accepted"],
                   [*observed["reviews"], phantom])
    assert any("review audit entry" in p for p in result["problems"])
    result = check(manifest["database"], manifest["files"], observed["baseline"], observed["accepted"][1:],
                   observed["reviews"])
    assert any("no client saw it accepted" in p for p in result["problems"])
