"""`python -m bench.load` (make load): N clients upload, review and read against the portal under waitress
for a fixed time (or a fixed number of steps each) on loopback; then, with the server stopped, the store
is checked against what they were told.

Prints per request kind: requests, throughput, p50/p95/p99 latency and errors; the total throughput;
and the consistency check (every accepted upload a stored version with its blob and audit entry, no
version number twice, none lost or added, every review action that answered success in the audit log
and the review events, each school's state where its last entry left it). Writes
bench/results/load.json. Exit status 1 on any error (a 5xx, a traceback, a refused or
failed request, a failed job, a traceback in the server's log) or a consistency failure.
"""

import argparse
import collections
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

from .figures import percentile
from .load_check import baseline, check
from .load_client import KINDS, Client
from .load_instance import COUNTIES, county_files, county_user, open_instance

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
OUT = Path(__file__).parent / "out"
# Who client i is, in turn: 16 clients make 8 county clerks (two per county), 4 readers, 2 city and 2
# region reviewers.
ROLES = ("county", "reader", "city", "county", "region", "reader", "county", "county")
READERS = ("region", "hohhot", "xincheng")
SERVER_LOG_MARKS = ("Traceback", "database is locked", "ERROR")


ANNOUNCED = re.compile(r"^PORT (\d+)$", re.M)  # portal.serving's line once the server listens


def start_server(instance, threads, log_path, timeout=60):
    """Start the portal under waitress in a subprocess on a port the system picks; return (process, port)
    once it listens (the port is read from the line portal.serving prints into the log)."""
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by stop_server
    command = [sys.executable, "-m", "bench.load_instance", "--serve", str(instance), "--port", "0",
               "--threads", str(threads)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        announced = ANNOUNCED.search(Path(log_path).read_text(encoding="utf-8", errors="replace"))
        if announced:
            return process, int(announced.group(1))
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"the server exited ({process.returncode}); see {log_path}")
        time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"the server did not announce its port within {timeout} s; see {log_path}")


def stop_server(process):
    """Stop the server as Ctrl+C would; kill it if it does not stop."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


def make_clients(count, port, manifest, seed, echo=print):
    """The clients, by ROLES; county clients get their county's files (generated here, before the clock)."""
    accounts = manifest["accounts"]
    clients, pools = [], {}
    serial = collections.Counter()
    started = time.perf_counter()
    for index in range(count):
        role = ROLES[index % len(ROLES)]
        county = files = None
        if role == "county":
            county = COUNTIES[(serial[role] // 2) % len(COUNTIES)]
            user = county_user(county)[0]
            if county not in pools:
                pools[county] = county_files(county, seed)
            files = pools[county]
        elif role == "reader":
            user = READERS[serial[role] % len(READERS)]
        else:
            user = {"city": "hohhot", "region": "region"}[role]
        serial[role] += 1
        rng = random.Random(f"bench-load/{seed}/{index}")
        clients.append(Client(index, role, user, accounts[user], port, rng, files, county))
    files = sum(len(v) + 1 for pool in pools.values() for v, _d in pool.values())
    echo(f"{count} clients: {dict(serial)}; {files} template files of {len(pools)} counties generated "
         f"in {time.perf_counter() - started:.1f} s")
    return clients


def latency_row(values, wall, errors=0):
    row = {"requests": len(values), "per_s": round(len(values) / wall, 2), "errors": errors}
    for name, share in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        value = percentile(values, share)
        row[name] = round(value, 1) if value is not None else None
    return row


def scan_log(path):
    """Count the lines of the server's log that tell of an error, and keep the first few."""
    found, lines = collections.Counter(), []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        marks = [m for m in SERVER_LOG_MARKS if m in line]
        for mark in marks:
            found[mark] += 1
        if marks and len(lines) < 10:
            lines.append(line[:300])
    return {"counts": dict(found), "lines": lines}


def run(clients=16, seconds=60, threads=8, instance=None, seed=0, keep=False, results=RESULTS, echo=print,
        steps=None, until=None):
    """Build or reuse the instance, run the load, check the store; print and save the figures; return them.

    The clients run for `seconds`, or, with `steps`, each for at most that many steps (its sign-in not
    counted) however long they take. `until(clients)`, when given, is asked before every step of every
    client (the list of bench.load_client.Client) and ends the run as soon as it answers true.
    """
    temporary = instance is None
    if temporary:
        OUT.mkdir(exist_ok=True)
        instance = tempfile.mkdtemp(prefix="load-instance-", dir=OUT)
    instance = Path(instance)
    try:
        return _run(clients, seconds, steps, until, threads, instance, seed, results, echo)
    finally:
        if temporary and not keep:
            shutil.rmtree(instance, ignore_errors=True)
        elif temporary:
            echo(f"instance kept: {instance}")


def _run(count, seconds, steps, until, threads, instance, seed, results, echo):
    manifest = open_instance(instance, echo)
    base = baseline(manifest["database"])
    log_path = instance / "server.log"
    server, port = start_server(instance, threads, log_path)
    try:
        clients = make_clients(count, port, manifest, seed, echo)
        how_long = f"at most {steps} steps each" if steps is not None else f"{seconds} s"
        echo(f"portal under waitress ({threads} threads) on 127.0.0.1:{port}; {count} clients for {how_long} ...")
        own = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        deadline = None if steps is not None else started + seconds
        stop = (lambda: until(clients)) if until else None
        workers = [threading.Thread(target=c.run, args=(deadline, steps, stop), name=f"client-{c.index}",
                                    daemon=True) for c in clients]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        wall = time.monotonic() - started
        clients_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(own)
    finally:
        stop_server(server)
    summary = _figures(clients, wall, count, seconds, steps, threads)
    # The server is this process's only child; both share the machine's cores.
    summary["cpu_s"] = {"server": round(_cpu(resource.getrusage(resource.RUSAGE_CHILDREN)), 1),
                        "clients": round(clients_cpu, 1)}
    summary["server_log"] = scan_log(log_path)
    accepted = [a for c in clients for a in c.accepted]
    reviews = [r for c in clients for r in c.reviews]
    anomalies = [a for c in clients for a in c.anomalies]
    summary["consistency"] = check(manifest["database"], manifest["files"], base, accepted, reviews, anomalies)
    summary["ok"] = summary["consistency"]["ok"] and not summary["error_count"] and not summary["server_log"]["counts"]
    _print(summary, echo)
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    path = results / "load.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    echo(f"written {path}")
    # Returned, not saved: what the clients were told, and where the load's entries begin.
    summary["observed"] = {"accepted": accepted, "reviews": reviews, "baseline": base}
    return summary


def _cpu(usage):
    return usage.ru_utime + usage.ru_stime


def _figures(clients, wall, count, seconds, steps, threads):
    latencies, errors, counts = collections.defaultdict(list), collections.Counter(), collections.Counter()
    samples, job_ms = [], []
    for client in clients:
        for kind, values in client.recorder.latencies.items():
            latencies[kind] += values
        errors.update(client.recorder.errors)
        samples += client.recorder.samples
        counts.update(client.counts)
        job_ms += client.job_ms
    by_kind = collections.Counter()
    for (kind, _category), n in errors.items():
        by_kind[kind] += n
    kinds = {k: latency_row(latencies[k], wall, by_kind[k]) for k in KINDS if latencies[k]}
    every = [v for values in latencies.values() for v in values]
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"), "python": platform.python_version(),
        "waitress": version("waitress"),
        "clients": count, "seconds": None if steps is not None else seconds, "steps": steps,
        "server_threads": threads, "wall_s": round(wall, 1),
        "kinds": kinds, "total": latency_row(every, wall, sum(errors.values())),
        "upload_job_ms": latency_row(job_ms, wall), "counts": dict(sorted(counts.items())),
        "error_count": sum(errors.values()),
        "errors": {f"{kind}: {category}": n for (kind, category), n in sorted(errors.items())},
        "error_samples": samples[:20],
    }


def _print(summary, echo):
    echo(f"\n{'kind':<16}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rows = list(summary["kinds"].items()) + [("all requests", summary["total"])]
    for kind, row in rows:
        echo(f"{kind:<16}{row['requests']:>9}{row['per_s']:>9.1f}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
             f"{row['p99_ms']:>9.0f}{row['errors']:>8}")
    total, job = summary["total"], summary["upload_job_ms"]
    echo(f"\ntotal throughput {total['per_s']:.1f} requests/s over {summary['wall_s']} s "
         f"({summary['clients']} clients, waitress {summary['server_threads']} threads); CPU time: server (start included) "
         f"{summary['cpu_s']['server']} s, clients {summary['cpu_s']['clients']} s on {os.cpu_count()} cores")
    if job["requests"]:
        echo(f"upload job, submit to result page: {job['requests']} jobs, p50 {job['p50_ms']:.0f} ms, "
             f"p95 {job['p95_ms']:.0f} ms, p99 {job['p99_ms']:.0f} ms")
    echo("; ".join(f"{k} {v}" for k, v in summary["counts"].items()))
    if summary["error_count"]:
        echo(f"ERRORS: {summary['error_count']}: {summary['errors']}")
        for sample in summary["error_samples"][:5]:
            echo(f"  {sample}")
    else:
        echo("errors: none (no 5xx, no traceback, every answer as expected)")
    log = summary["server_log"]
    echo(f"server log: {log['counts'] or 'no error lines'}")
    for line in log["lines"][:5]:
        echo(f"  {line}")
    result = summary["consistency"]
    figures = ", ".join(f"{k} {v}" for k, v in result["figures"].items())
    echo(f"consistency: {'PASS' if result['ok'] else 'FAIL'}: {figures}")
    for problem in result["problems"]:
        echo(f"  - {problem}")
    echo(f"load test: {'PASS' if summary['ok'] else 'FAIL'}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the clients run (default 60)")
    parser.add_argument("--steps", type=int, help="instead of --seconds: how many steps each client takes")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--instance", help="instance folder to build, or to reuse when it has load.json "
                                           "(default: a fresh one under bench/out/, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the fresh instance folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    summary = run(args.clients, args.seconds, args.threads, args.instance, args.seed, args.keep, steps=args.steps)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
