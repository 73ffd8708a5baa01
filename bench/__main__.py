"""`python -m bench` (make bench): every benchmark in turn, then each target with its figure and PASS/FAIL.

Each script runs in its own interpreter and writes bench/results/<name>.json; this reads them back,
prints the targets of the performance issue in one table and writes bench/results/summary.json.
"""

import argparse
import json
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from .portal import TARGETS as PORTAL_TARGETS

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
SCRIPTS = ("validate", "xlsx", "region", "portal", "templates")
LIMIT_S = 600


def run_scripts(names):
    """Run each bench script, its output passing through; return {name: seconds taken}."""
    taken = {}
    for name in names:
        print(f"\n===== python -m bench.{name} =====", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", f"bench.{name}"], check=True, cwd=ROOT)
        taken[name] = round(time.perf_counter() - start, 1)
    return taken


def _load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def targets():
    """Return [(target, figure, verdict)] from the saved results."""
    rows = []
    validate, xlsx, region = _load("validate"), _load("xlsx"), _load("region")
    if validate:
        cases = validate["cases"]
        ours = cases["staffrec validate"]
        rows += [
            ("validate 5,000-row .xls <= 1.0x bare xlrd parse", f"{ours['ratio_to_xlrd']:.2f}x "
             f"({ours['median_s']:.3f} s vs {cases['xlrd bare parse (baseline)']['median_s']:.3f} s)", ours["ratio_to_xlrd"] <= 1.0),
            (">= 5x frictionless throughput (same .xls), checking more",
             f"{validate['staffrec_vs_frictionless_throughput']:.2f}x (vs its CSV export "
             f"{validate.get('staffrec_vs_frictionless_csv_throughput', 0):.2f}x; "
             f"defect check {'PASS' if validate['defect_check']['equal'] else 'FAIL'})",
             validate["staffrec_vs_frictionless_throughput"] >= 5 and validate["defect_check"]["equal"]),
            ("peak memory, 5,000-row .xls <= 150 MB", f"{ours['peak_mb']:.0f} MB", ours["peak_mb"] <= 150),
            ("peak memory, 60,000-row .xls <= 600 MB", f"{validate['large']['peak_mb']:.0f} MB "
             f"({validate['large']['rows_per_s']} rows/s)", validate["large"]["peak_mb"] <= 600),
        ]
    if xlsx:
        ratio = xlsx["cases"]["staffrec validate"]["ratio_to_openpyxl"]
        rows.append((".xlsx 5,000 rows <= 0.5x openpyxl read-only iteration", f"{ratio:.2f}x", ratio <= 0.5))
    if region:
        figures = region["figures"]
        rows += [
            ("region ingest (~5,000 files, ~300,000 rows) <= 60 s", f"{figures['wall_s']:.1f} s, "
             f"{figures['rows_per_s']} rows/s", figures["wall_s"] <= 60),
            ("peak memory, region ingest <= 1 GB", f"{figures['peak_mb']:.0f} MB", figures["peak_mb"] <= 1024),
        ]
    portal = _load("portal")
    if portal:
        for page, target in PORTAL_TARGETS.items():
            cases = [c for c in portal["cases"] if c["page"] == page]
            worst = max(cases, key=lambda c: c["p95_ms"])
            rows.append((f"portal {page} p95 <= {target} ms (region loaded)",
                         f"{worst['p95_ms']:.0f} ms ({worst['who']}; " + ", ".join(
                             f"{c['who'].split(',')[0]} {c['p95_ms']:.0f}" for c in cases) + ")",
                         all(c["p95_ms"] <= target for c in cases)))
    return rows


def main(argv=None):
    """Run the scripts (or only summarise with --summary), print the targets, save summary.json."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--summary", action="store_true", help="only summarise the saved results")
    parser.add_argument("--only", nargs="*", choices=SCRIPTS, help="run only these scripts")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    taken = {} if args.summary else run_scripts(args.only or SCRIPTS)
    total = round(time.perf_counter() - start, 1)
    rows = targets()
    if taken:
        rows.append((f"make bench under {LIMIT_S // 60} minutes", f"{total:.0f} s", total <= LIMIT_S))
    print("\n===== targets =====")
    width = max(len(r[0]) for r in rows)
    for name, figure, ok in rows:
        verdict = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{verdict:4}  {name:{width}}  {figure}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "summary.json").write_text(json.dumps({
        "python": platform.python_version(), "python-calamine": version("python-calamine"), "xlrd": version("xlrd"),
        "scripts_s": taken, "total_s": total if taken else None,
        "targets": [{"target": n, "figure": f, "result": "SKIP" if ok is None else ("PASS" if ok else "FAIL")}
                    for n, f, ok in rows],
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS / 'summary.json'}")


if __name__ == "__main__":
    main()
