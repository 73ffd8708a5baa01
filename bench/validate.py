"""Time staffrec's validate on one 5,000-row .xls against a bare xlrd parse and frictionless on the same data."""

import argparse
import cProfile
import csv
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import xlrd

import staffrec
from staffrec.checks import validate
from staffrec.demo import demo_registry
from staffrec.demo_staff import COLLECTION_DATE

import staffrec.fast_read
import staffrec.reader

from staffrec.layout import DATA_SHEET, HEADER_ROW

from .data import FIRST_ROW, cached_sample
from .figures import status_mb

ROWS, SHARE, RUNS, LARGE_ROWS = 5000, 0.02, 11, 60000
# frictionless numbers a CSV's rows from its header (row 1), an .xls sheet's as Excel does.
CSV_OFFSET = FIRST_ROW - 2
RESULTS = Path(__file__).parent / "results" / "validate.json"
TARGET_VS_XLRD, TARGET_VS_FRICTIONLESS, TARGET_MEMORY_MB, TARGET_LARGE_MEMORY_MB = 1.0, 5.0, 150, 600
YEARMONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"
ID_PATTERN = r"\d{17}[\dX]"


def xlrd_parse(path):
    """Open the workbook with xlrd and touch every cell value of every sheet (the baseline)."""
    book = xlrd.open_workbook(path)
    cells = 0
    for sheet in book.sheets():
        for r in range(sheet.nrows):
            for _value in sheet.row_values(r):
                cells += 1
    return cells


def table_schema(kind, cell_names=False):
    """Describe a template kind as a Table Schema as close to staffrec's cell checks as it can say.

    Fields are named by the indicator headers, or with `cell_names` by the header cells as the
    template shows them (required items with a leading `*`).
    """
    catalogue = staffrec.catalogue()
    fields = []
    for ind in kind.indicators:
        field = {"name": ind.header_label if cell_names else ind.header, "type": "string"}
        constraints = {"required": True} if ind.is_required else {}
        if ind.is_coded:
            labels = [c.label for c in catalogue.table(ind.table).choices(kind.name, in_scope_only=True)]
            if ind.type == "code":
                constraints["enum"] = labels
            else:
                one = "(?:" + "|".join(re.escape(label) for label in labels) + ")"
                constraints["pattern"] = f"{one}(?:,{one})*"
        elif ind.type == "date":
            field["type"] = "date"  # a pattern cannot reject 1985-02-30; the date type does
        elif ind.type == "yearmonth":
            constraints["pattern"] = YEARMONTH_PATTERN
        if ind.max_len:
            constraints["maxLength"] = ind.max_len
        if ind.key == "id_number":
            constraints.update(unique=True, pattern=ID_PATTERN)
        field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields}


def export_csv(path, out):
    """Write the data sheet's records, as read, to a UTF-8 CSV headed by the indicator headers."""
    template = staffrec.open_template(path)
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(i.header for i in template.kind.indicators)
        writer.writerows(r.values for r in template.records)


def frictionless_case(path, kind):
    """Return a callable validating `path` with frictionless against the kind's Table Schema.

    An .xls is read as a user would point frictionless at the template (its data sheet, its header
    row); a .csv is the export of the same records.
    """
    import frictionless

    workbook = path.suffix == ".xls"
    schema = frictionless.Schema.from_descriptor(table_schema(kind, cell_names=workbook))

    def run():
        if workbook:
            sheet = frictionless.formats.ExcelControl(sheet=DATA_SHEET)
            options = dict(format="xls", dialect=frictionless.Dialect(header_rows=[HEADER_ROW + 1], controls=[sheet]))
        else:
            options = dict(format="csv", encoding="utf-8")
        resource = frictionless.Resource(path=path.name, basepath=str(path.parent), schema=schema, **options)
        return resource.validate()

    return run


BASE, OURS, EXACT = "xlrd bare parse (baseline)", "staffrec validate", "staffrec validate, xlrd reader"
CALAMINE = "staffrec validate, calamine reader"
THEIRS, THEIRS_CSV = "frictionless validate (.xls)", "frictionless validate (CSV)"
OFFSETS = {THEIRS: 0, THEIRS_CSV: CSV_OFFSET}


def without(module, name, run):
    """Return `run` with `module.name` (a fast reader) declining every file while it runs."""

    def declined():
        fast = getattr(module, name)
        setattr(module, name, lambda *args: None)
        try:
            return run()
        finally:
            setattr(module, name, fast)

    return declined


def make_case(name, path, csv_path, registry):
    """Return one timed case as a callable taking no argument; only what it needs is set up."""
    if name == BASE:
        return lambda: xlrd_parse(path)
    def ours():
        return validate(path, registry=registry, today=COLLECTION_DATE)

    if name == OURS:
        return ours
    if name == EXACT:  # no fast reader: xlrd, the fallback
        return without(staffrec.reader, "read_fast", ours)
    if name == CALAMINE:  # no compiled reader, as where it could not be built
        return without(staffrec.fast_read, "read_texts", ours)
    kind = staffrec.TemplateFileName.parse(path).school_id.kind(staffrec.catalogue())
    return frictionless_case(path if name == THEIRS else csv_path, kind)


def time_cases(cases, runs):
    """Run every case once to warm up, then `runs` rounds in turn; return the times and warm-up results."""
    results = {name: case() for name, case in cases.items()}
    times = {name: [] for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            start = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - start)
    return times, results


def defect_check(report, defects):
    """Compare staffrec's findings with the injected defects by (row, code)."""
    found = sorted((f.row, f.code) for f in report.findings)
    wanted = sorted((d.row, d.code) for d in defects)
    return {"equal": found == wanted, "findings": len(found), "injected": len(wanted),
            "missed": len(set(wanted) - set(found)), "extra": len(set(found) - set(wanted))}


def frictionless_rows(report, defects, offset):
    """Count the defect rows frictionless flags (its row numbers shifted by `offset` to Excel rows)."""
    flagged = {e.row_number + offset for e in report.tasks[0].errors if getattr(e, "row_number", None)}
    wanted = {d.row for d in defects}
    by_kind = {}
    for d in defects:
        by_kind.setdefault(d.kind, [0, 0])[d.row in flagged] += 1
    return {"errors": report.stats["errors"], "defect_rows_flagged": len(flagged & wanted),
            "other_rows_flagged": len(flagged - wanted), "missed_by_kind": {k: v[0] for k, v in by_kind.items()}}


def measure_memory(case, path, csv_path):
    """Run one case in a fresh interpreter; return its peak RSS and the growth during the call, in MB."""
    command = [sys.executable, "-m", "bench.validate", "--memory", case, str(path), str(csv_path)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    return json.loads(out.stdout)


def _memory_child(case, path, csv_path):
    """Child side of measure_memory: set up, reset the RSS high-water mark, run the case once."""
    run = make_case(case, Path(path), Path(csv_path), demo_registry())
    before = status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # "5" resets VmHWM to the current RSS
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    peak = status_mb("VmHWM")
    print(json.dumps({"peak_mb": round(peak, 1), "growth_mb": round(peak - before, 1), "once_s": round(elapsed, 3)}))


def profile(path, registry, top=10):
    """Profile one validate call: print the functions with the most own time and the reading share."""
    validate(path, registry=registry, today=COLLECTION_DATE)  # warm caches as the timed runs do
    profiler = cProfile.Profile()
    profiler.runcall(validate, path, registry=registry, today=COLLECTION_DATE)
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    reading = sum(v[3] for k, v in stats.stats.items() if k[0] == "reader.py" and k[2] == "open_template")
    print(f"reading the workbook (open_template): {reading:.2f} s of {stats.total_tt:.2f} s profiled; "
          "the rest is the rules and the report (cProfile slows Python-heavy code most)")


def verdict(ok):
    """Say PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def main(argv=None):
    """Write the sample, time the cases, check the findings, measure memory, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.validate", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per case (default {RUNS})")
    parser.add_argument("--profile", action="store_true", help="profile one validate call instead")
    parser.add_argument("--memory", nargs=3, metavar=("CASE", "XLS", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory:
        return _memory_child(*args.memory)
    registry = demo_registry()
    sample = cached_sample(ROWS, SHARE, registry=registry)
    if args.profile:
        return profile(sample.path, registry)
    large = cached_sample(LARGE_ROWS, SHARE, registry=registry)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "records.csv"
        export_csv(sample.path, csv_path)
        # Each case right after the one it is compared with: the machine's speed changes within a round.
        names = (BASE, OURS, THEIRS, CALAMINE, EXACT, THEIRS_CSV)
        cases = {name: make_case(name, sample.path, csv_path, registry) for name in names}
        times, results = time_cases(cases, max(args.runs, 5))
        memory = {name: measure_memory(name, sample.path, csv_path) for name in cases}
        memory["large"] = measure_memory(OURS, large.path, csv_path)
        size = sample.path.stat().st_size
    report(sample, size, times, results, memory, max(args.runs, 5))


def paired(times, baseline):
    """Return the median over rounds of time ÷ the baseline's time in the same round.

    The cases take turns within a round, so a slow spell of this shared machine hits both sides of
    one ratio; medians of the separate times can pair a fast run of one with a slow run of the other.
    """
    return round(statistics.median(t / b for t, b in zip(times, baseline)), 2)


def report(sample, size, times, results, memory, runs):
    """Print the table and the checks, and write them as JSON."""
    medians = {name: statistics.median(t) for name, t in times.items()}
    cases = {
        name: {"median_s": round(m, 4), "rows_per_s": round(ROWS / m), "ratio_to_xlrd": paired(times[name], times[BASE]),
               "runs_s": [round(t, 4) for t in times[name]], **memory[name]}
        for name, m in medians.items()
    }
    vs_frictionless = paired(times[THEIRS], times[OURS])  # throughput ratio = inverse time ratio
    vs_csv = paired(times[THEIRS_CSV], times[OURS])
    check = defect_check(results[OURS], sample.defects)
    flagged = {name: frictionless_rows(results[name], sample.defects, OFFSETS[name]) for name in OFFSETS}
    large = memory.pop("large")
    targets = {
        f"validate <= {TARGET_VS_XLRD}x xlrd bare parse": cases[OURS]["ratio_to_xlrd"] <= TARGET_VS_XLRD,
        f"throughput >= {TARGET_VS_FRICTIONLESS}x frictionless": vs_frictionless >= TARGET_VS_FRICTIONLESS,
        f"validate peak RSS <= {TARGET_MEMORY_MB} MB": memory[OURS]["peak_mb"] <= TARGET_MEMORY_MB,
        f"validate {LARGE_ROWS} rows peak RSS <= {TARGET_LARGE_MEMORY_MB} MB": large["peak_mb"] <= TARGET_LARGE_MEMORY_MB,
    }
    print(f"{sample.path.name}: {ROWS} rows, {size / 1e6:.1f} MB, {len(sample.defects)} injected defects; "
          f"median of {runs} runs (ratios: median of the per-round ratios); {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"frictionless {version('frictionless')} validates the same .xls (its data sheet, header row "
          f"{HEADER_ROW + 1}) and, for reference, a CSV export of the same records written beforehand.\n")
    print(f"{'case':36} {'median s':>9} {'rows/s':>9} {'× xlrd':>7} {'peak MB':>8} {'+MB call':>8}")
    for name, c in cases.items():
        print(f"{name:36} {c['median_s']:9.3f} {c['rows_per_s']:9d} {c['ratio_to_xlrd']:7.2f} "
              f"{c['peak_mb']:8.1f} {c['growth_mb']:8.1f}")
    print(f"\nstaffrec throughput / frictionless throughput, same .xls: {vs_frictionless:.2f}× "
          f"(against its CSV export, not a target: {vs_csv:.2f}×)")
    print(f"defect check (staffrec findings == injected, by row and code): {verdict(check['equal'])} {check}")
    print(f"frictionless on the same defects (not a target): {flagged[THEIRS]}")
    print(f"{LARGE_ROWS}-row .xls, validated once in a fresh interpreter: {large['once_s']} s "
          f"({LARGE_ROWS / large['once_s']:.0f} rows/s), peak RSS {large['peak_mb']} MB")
    print("\ntargets (reported, not enforced):")
    for name, ok in targets.items():
        print(f"  {verdict(ok)}  {name}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "file": sample.path.name, "rows": ROWS, "bytes": size, "defects": len(sample.defects), "runs": runs,
        "python": platform.python_version(), "frictionless": version("frictionless"), "xlrd": version("xlrd"),
        "cases": cases, "staffrec_vs_frictionless_throughput": round(vs_frictionless, 2),
        "staffrec_vs_frictionless_csv_throughput": round(vs_csv, 2),
        "defect_check": check, "frictionless_defects": flagged, "python-calamine": version("python-calamine"),
        "large": {"rows": LARGE_ROWS, **large, "rows_per_s": round(LARGE_ROWS / large["once_s"])},
        "targets": {name: verdict(ok) for name, ok in targets.items()},
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
