"""A region's deadline day: ~5,000 school files in county ZIPs ingested into a SQLite store, duplicates included.

The files are generated once (deterministically, two processes) and cached under bench/out/,
keyed by their parameters; the ingest then runs in a fresh interpreter so its peak memory is its own.
"""

import argparse
import collections
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import staffrec
import staffrec.store
from staffrec.store import checking
from staffrec.demo import demo_registry
from staffrec.demo_staff import COLLECTION_DATE, demo_records

from .data import SIGNOFF, inject_defects
from .figures import status_mb

OUT = Path(__file__).parent / "out"
RESULTS = Path(__file__).parent / "results" / "region.json"
GENERATOR_VERSION = 2  # bump when the files change, so old caches are not reused
TARGET_S, TARGET_MB = 60, 1024
# Staff per school by kind: (low, high) of a uniform draw; ~60 on average over the demo region.
STAFF = {"中小学": (20, 85), "中职": (100, 200), "特教": (25, 60), "高校": (1200, 2000)}
DEFECT_SHARE = 0.02  # schools whose file carries one defect (rejected at ingest)
DUPLICATE_SHARE = 0.05  # schools that also list one person of the county's previous school


def cache_dir(per_county, seed):
    """Return the folder holding the files of these parameters."""
    return OUT / f"region-pc{per_county}-s{seed}-v{GENERATOR_VERSION}"


def _county_files(args):
    """Write one county's ZIPs (one per template kind); return what they hold."""
    county, school_ids, per_county, seed, folder = args
    registry = demo_registry(per_county=per_county)
    schools = [registry.get(i) for i in school_ids]
    taken = set()  # ID numbers unique in the county; other counties have other area codes
    by_kind = collections.defaultdict(list)
    stats = collections.Counter()
    previous = {}  # the last school's first person, by kind and ownership (so the copy stays valid)
    for school in schools:
        rng = random.Random(f"region/{seed}/{school.id}")
        kind = school.kind()
        records = demo_records(school, rng.randint(*STAFF[kind.name]), seed=seed, taken_ids=taken)
        group = (kind.name, school.is_private)
        if group in previous and rng.random() < DUPLICATE_SHARE:
            records[-1] = dict(previous[group], staff_no=records[-1]["staff_no"])  # same person in two schools
            stats["duplicate_people"] += 1
        previous[group] = dict(records[0])  # a copy: a defect injected below must not travel along
        if rng.random() < DEFECT_SHARE:
            inject_defects(records, 1e-9, seed=int(str(school.id)) % 1000)
            stats["defective_files"] += 1
            stats["defective_rows"] += len(records)
        rows = [staffrec.Record(kind.keys, tuple(r[k] for k in kind.keys)) for r in records]
        template = staffrec.new_template(school, rows, signoff=SIGNOFF)
        by_kind[kind.name].append((template.file_name(), template.to_bytes()))
        stats["files"] += 1
        stats["rows"] += len(rows)
    zips = []
    for kind_name, files in by_kind.items():
        name = f"{county}_{kind_name}.zip"
        with zipfile.ZipFile(Path(folder) / name, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in files:
                archive.writestr(member, data)
        zips.append({"zip": name, "county": county, "kind": kind_name, "files": len(files)})
    return zips, dict(stats)


def generate(per_county=48, seed=0, jobs=2):
    """Write the region's county ZIPs into the cache folder (unless there) and return its manifest."""
    folder = cache_dir(per_county, seed)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    registry = demo_registry(per_county=per_county)
    counties = collections.defaultdict(list)
    for school in registry:
        counties[school.county].append(str(school.id))
    tasks = [(county, ids, per_county, seed, str(folder)) for county, ids in sorted(counties.items())]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_county_files, tasks, chunksize=1)
    totals = collections.Counter()
    zips = []
    for county_zips, stats in parts:
        zips += county_zips
        totals.update(stats)
    manifest = {
        "per_county": per_county, "seed": seed, "generator_version": GENERATOR_VERSION,
        "generation_s": round(time.perf_counter() - start, 1), "jobs": jobs, "zips": zips, **totals,
        "bytes": sum((folder / z["zip"]).stat().st_size for z in zips),
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def ingest_region(folder, manifest, work):
    """Ingest every county ZIP as its county's user (高校 as the information centre); return the figures."""
    registry = demo_registry(per_county=manifest["per_county"])
    store = staffrec.store.Store(f"sqlite:///{work}/region.db", files=f"{work}/files")
    store.init(registry)
    users = {}
    for county in sorted({z["county"] for z in manifest["zips"]}):
        users[county] = store.add_user(f"county-{county}", "county", county)
    info = store.add_user("information-centre", "info_centre", "150000")
    Path("/proc/self/clear_refs").write_text("5")  # peak memory from here on
    start = time.perf_counter()
    results = collections.Counter()
    warnings = 0
    for entry in manifest["zips"]:
        user = info if entry["kind"] == "高校" else users[entry["county"]]
        data = (Path(folder) / entry["zip"]).read_bytes()
        for result in store.ingest([(entry["zip"], data)], user, today=COLLECTION_DATE, worker=True):  # as the CLI
            results["accepted" if result.accepted else "rejected"] += 1
            if result.accepted:
                results["rows"] += result.report.rows
            warnings += len(result.duplicates)
    pairs = store.duplicates()
    wall = time.perf_counter() - start
    worker = _worker_peak_mb()
    return {
        "wall_s": round(wall, 2), "rows_per_s": round(results["rows"] / wall), "files_accepted": results["accepted"],
        "files_rejected": results["rejected"], "rows_stored": results["rows"], "duplicate_warnings_at_ingest": warnings,
        "duplicate_pairs_listed": len(pairs), "peak_mb": round(status_mb("VmHWM") + worker, 1),
        "peak_mb_checking_worker": round(worker, 1), "checking_worker": checking._POOL is not None,  # noqa: SLF001
    }


def _worker_peak_mb():
    """Return the peak RSS of the checking worker process (0 without one), in MB."""
    pool = checking._POOL
    if pool is None:
        return 0.0
    # The executor keeps no public list of its processes.
    return sum(status_mb("VmHWM", process.pid) for process in pool._processes.values())  # noqa: SLF001


def store_dir(per_county=48, seed=0):
    """Return the folder where the last ingest's store is kept (region.db and files/), for bench.portal."""
    return cache_dir(per_county, seed) / "store"


def _child(folder):
    """Child side: ingest the cached region into a fresh store, print the figures, keep the store beside."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    kept = Path(folder) / "store"
    work = tempfile.mkdtemp(prefix="store-new-", dir=folder)
    try:
        figures = ingest_region(folder, manifest, work)
        shutil.rmtree(kept, ignore_errors=True)
        os.rename(work, kept)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures))


def run(per_county=48, seed=0, jobs=2):
    """Generate (or reuse) the region, ingest it in a fresh interpreter, and return manifest and figures."""
    start = time.perf_counter()
    manifest = generate(per_county, seed, jobs)
    ready = time.perf_counter() - start
    command = [sys.executable, "-m", "bench.region", "--child", str(cache_dir(per_county, seed))]
    # A county's ZIP is checked by the worker process while the ingesting process stores (the default).
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return manifest, figures, ready


def main(argv=None):
    """Print the region ingest figures against the targets and save them as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.region", description=__doc__)
    parser.add_argument("--per-county", type=int, default=48, help="K-12 schools per county (48: ~5,000 schools)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="processes generating files")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)
    manifest, figures, ready = run(args.per_county, args.seed, args.jobs)
    generated = "generated now" if ready > manifest["generation_s"] * 0.5 else "cached"
    print(f"region: {manifest['files']} school files in {len(manifest['zips'])} county ZIPs, {manifest['rows']} rows, "
          f"{manifest['bytes'] / 1e6:.0f} MB zipped ({generated}; generating took {manifest['generation_s']} s "
          f"with {manifest['jobs']} processes); {manifest.get('defective_files', 0)} files with a defect, "
          f"{manifest.get('duplicate_people', 0)} people listed by two schools")
    print(json.dumps(figures, ensure_ascii=False))
    targets = region_targets(figures)
    for name, ok in targets.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"manifest": {k: v for k, v in manifest.items() if k != "zips"}, "figures": figures,
                                   "targets": {k: "PASS" if v else "FAIL" for k, v in targets.items()}},
                                  ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return figures


def region_targets(figures):
    """Return {target: passed} for the ingest figures."""
    return {
        f"region ingest <= {TARGET_S} s wall": figures["wall_s"] <= TARGET_S,
        f"region ingest peak RSS <= {TARGET_MB} MB": figures["peak_mb"] <= TARGET_MB,
    }


if __name__ == "__main__":
    main()
