"""Time writing every demo school's empty template against bare xlwt workbooks holding the same cells."""

import argparse
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

import xlwt

import staffrec
from staffrec.demo import demo_registry
from staffrec.distribute import distribute
from staffrec.layout import build_layout

from .validate import time_cases

RUNS = 5
FULL_RUN_LIMIT_S = 20  # a warm-up longer than this makes the timed runs use every k-th school
RESULTS = Path(__file__).parent / "results" / "templates.json"


def plain_cells(school):
    """Return the school's empty template as sheets of (row, column, text), without styles or drop-downs."""
    kind = school.kind()
    layout = build_layout(school.id, school.name, kind, (), {}, staffrec.catalogue())
    return [
        (sheet.name, [(r, c, v) for r, row in enumerate(sheet.rows) for c, v in enumerate(row.values) if v != ""])
        for sheet in layout.sheets
    ]


def write_plain(books, out):
    """The baseline: write each workbook's cells with bare xlwt (no styles, merges, widths or validation)."""
    for n, sheets in enumerate(books):
        book = xlwt.Workbook(encoding="utf-8")
        for name, cells in sheets:
            sheet = book.add_sheet(name)
            for r, c, value in cells:
                sheet.write(r, c, value)
        book.save(str(out / f"{n}.xls"))


def main(argv=None):
    """Time distribute() and the xlwt baseline in turn, print files/s and the ratio, save JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.templates", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per case (default {RUNS}, at least 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    registry = demo_registry()
    schools = list(registry)
    with tempfile.TemporaryDirectory() as tmp:
        ours, base = Path(tmp, "staffrec"), Path(tmp, "xlwt")
        base.mkdir()
        start = time.perf_counter()
        distribute(registry, schools, ours)  # warm-up: catalogue, code tables, imports
        warm = time.perf_counter() - start
        step = math.ceil(warm / FULL_RUN_LIMIT_S)
        chosen = schools[::step]
        books = [plain_cells(s) for s in chosen]
        cases = {
            "staffrec distribute (.xls)": lambda: distribute(registry, chosen, ours),
            "xlwt bare workbooks (baseline)": lambda: write_plain(books, base),
        }
        times, _ = time_cases(cases, runs)  # warms each case up once, then interleaves the runs
        sizes = {name: sum(p.stat().st_size for p in d.glob("*.xls")) / len(chosen) for name, d in
                 (("staffrec distribute (.xls)", ours), ("xlwt bare workbooks (baseline)", base))}
    report(len(schools), chosen, books, times, sizes, warm, runs)


def report(total, chosen, books, times, sizes, warm, runs):
    """Print files/s and the ratio to the baseline, and write them as JSON."""
    ours, base = "staffrec distribute (.xls)", "xlwt bare workbooks (baseline)"
    medians = {name: statistics.median(t) for name, t in times.items()}
    rates = {name: len(chosen) / m for name, m in medians.items()}
    cells = sum(len(c) for sheets in books for _, c in sheets) / len(books)
    subset = "all" if len(chosen) == total else f"a subset of {len(chosen)} (every {total // len(chosen)}th; a full run took {warm:.0f} s)"
    print(f"empty templates of {subset} of the {total} demo schools; median of {runs} runs; "
          f"{len(books[0])} sheets and {cells:.0f} non-empty cells a file on average\n")
    print(f"{'case':32} {'median s':>9} {'files/s':>8} {'ms/file':>8} {'KB/file':>8}")
    for name, m in medians.items():
        print(f"{name:32} {m:9.2f} {rates[name]:8.1f} {1000 * m / len(chosen):8.1f} {sizes[name] / 1024:8.1f}")
    ratio = rates[ours] / rates[base]
    print(f"\nstaffrec files/s ÷ baseline files/s: {ratio:.2f} (staffrec takes {1 / ratio:.2f}× the baseline's time)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "schools": total, "files": len(chosen), "runs": runs, "cells_per_file": round(cells),
        "cases": {name: {"median_s": round(medians[name], 3), "files_per_s": round(rates[name], 1),
                         "kb_per_file": round(sizes[name] / 1024, 1), "runs_s": [round(t, 3) for t in times[name]]}
                  for name in medians},
        "ratio_files_per_s": round(ratio, 3), "xlwt": xlwt.__VERSION__,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
