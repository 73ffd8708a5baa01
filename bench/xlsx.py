"""Time staffrec's validate on one 5,000-row .xlsx against openpyxl read-only iteration of the same file."""

import argparse
import json
import os
import platform
import statistics
import tempfile
from importlib.metadata import version
from pathlib import Path

import openpyxl

import staffrec.reader
from staffrec.checks import validate
from staffrec.demo import demo_registry
from staffrec.demo_staff import COLLECTION_DATE

from .data import write_sample
from .validate import defect_check, measure_memory, paired, time_cases, without

ROWS, SHARE, RUNS = 5000, 0.02, 5
TARGET_VS_OPENPYXL = 0.5
RESULTS = Path(__file__).parent / "results" / "xlsx.json"
BASE, OURS, EXACT = "openpyxl read-only iteration (baseline)", "staffrec validate", "staffrec validate, openpyxl reader"


def openpyxl_iterate(path):
    """The baseline: open read-only and touch every cell value of every sheet."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    book.close()
    return cells


def exact_reader(run):
    """Return `run` with calamine switched off, so the file is read by openpyxl (the fallback)."""
    return without(staffrec.reader, "read_fast", run)


def main(argv=None):
    """Write the sample, time the cases in turn, print and save the ratios."""
    parser = argparse.ArgumentParser(prog="python -m bench.xlsx", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per case (default {RUNS}, at least 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    registry = demo_registry()
    with tempfile.TemporaryDirectory() as tmp:
        sample = write_sample(tmp, ROWS, SHARE, fmt="xlsx", registry=registry)
        path = sample.path

        def ours():
            return validate(path, registry=registry, today=COLLECTION_DATE)

        cases = {BASE: lambda: openpyxl_iterate(path), OURS: ours, EXACT: exact_reader(ours)}
        times, results = time_cases(cases, runs)
        memory = measure_memory(OURS, path, path)
        size = path.stat().st_size
    medians = {name: statistics.median(t) for name, t in times.items()}
    ratio = paired(times[OURS], times[BASE])
    check = defect_check(results[OURS], sample.defects)
    print(f"{path.name}: {ROWS} rows, {size / 1e6:.1f} MB, {len(sample.defects)} injected defects; "
          f"median of {runs} runs (ratios: median of the per-round ratios); {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print(f"{'case':38} {'median s':>9} {'rows/s':>9} {'× openpyxl':>10}")
    for name, m in medians.items():
        print(f"{name:38} {m:9.3f} {ROWS / m:9.0f} {paired(times[name], times[BASE]):10.2f}")
    print(f"\ndefect check (findings == injected, by row and code): {'PASS' if check['equal'] else 'FAIL'} {check}")
    print(f"staffrec validate of the .xlsx: peak RSS {memory['peak_mb']} MB (+{memory['growth_mb']} MB during the call)")
    ok = ratio <= TARGET_VS_OPENPYXL
    name = f"xlsx validate <= {TARGET_VS_OPENPYXL}x openpyxl read-only iteration"
    print(f"\ntargets (reported, not enforced):\n  {'PASS' if ok else 'FAIL'}  {name} ({ratio:.2f}x)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "file": path.name, "rows": ROWS, "bytes": size, "runs": runs, "python": platform.python_version(),
        "openpyxl": version("openpyxl"), "python-calamine": version("python-calamine"),
        "cases": {n: {"median_s": round(m, 4), "rows_per_s": round(ROWS / m), "ratio_to_openpyxl": paired(times[n], times[BASE]),
                      "runs_s": [round(t, 4) for t in times[n]]} for n, m in medians.items()},
        "memory": memory, "defect_check": check, "targets": {name: "PASS" if ok else "FAIL"},
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
