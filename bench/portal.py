"""The portal with a whole region loaded: server-side latency of the reviewers' pages (Flask test client).

Uses the store that `bench.region` keeps (running it first when there is none), copied so the review
states set here never touch the cache: counties pass 60 % of their schools to the city, cities pass half
of those to the region. Each page is requested in rounds after a warm-up; figures are over all requests.
"""

import argparse
import datetime
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from staffrec.review import Action, State
from staffrec.store import Store

from . import region
from .figures import percentile

RESULTS = Path(__file__).parent / "results" / "portal.json"
PASSWORD = "bench-password"
ROUNDS, PER_ROUND = 5, 8
# Target p95 in ms by page (the performance issue).
TARGETS = {"review queue": 100, "dataset page": 100, "statistics": 100, "completeness": 200}
COUNTY_SHARE, CITY_SHARE = 0.6, 0.5


def copy_store(kept, work):
    """Copy the kept region database into `work` (SQLite's backup API: the WAL comes along); return its URL."""
    target = Path(work) / "region.db"
    with sqlite3.connect(kept / "region.db") as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


def _schools_by_state(store):
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT d.school_id, s.county, s.city, d.state FROM datasets d JOIN schools s ON s.id = d.school_id"
        ).all()
    return rows


def prepare(store, seed=0):
    """Add one signed-in user per tier and move the datasets along the chain as on a deadline day."""
    rng = random.Random(seed)
    rows = _schools_by_state(store)
    counties = sorted({r.county for r in rows})
    cities = sorted({r.city for r in rows})
    users = {c: store.add_user(f"bench-county-{c}", "county", c, password=PASSWORD) for c in counties}
    cities_users = {c: store.add_user(f"bench-city-{c}", "city", c, password=PASSWORD) for c in cities}
    store.add_user("bench-region", "region", "150000", password=PASSWORD)
    store.add_user("bench-info", "info_centre", "150000", password=PASSWORD)
    waiting = [r for r in rows if r.state == State.AT_COUNTY.value]
    passed = {}
    for county in counties:
        ids = [r.school_id for r in waiting if r.county == county and rng.random() < COUNTY_SHARE]
        for result in store.review(users[county], ids, Action.APPROVE):
            if result.ok:
                passed[result.school_id] = county
    by_city = {}
    for r in rows:
        if r.school_id in passed and rng.random() < CITY_SHARE:
            by_city.setdefault(r.city, []).append(r.school_id)
    for city, ids in by_city.items():
        store.review(cities_users[city], ids, Action.APPROVE)
    with store.engine.connect() as conn:
        states = dict(conn.exec_driver_sql("SELECT state, COUNT(*) FROM datasets GROUP BY state").all())
    return states


def signed_in(app, name):
    """A test client signed in as `name` (CSRF is off in this app: no form tokens to fetch)."""
    client = app.test_client()
    response = client.post("/auth/login", data={"name": name, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {name} failed: {response.status_code}")
    return client


def timed(client, urls):
    """GET each URL; return the times in ms (raising on anything but 200)."""
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
    return times


def cases(store):
    """Return [(page, who, user name, [url per request])]: the largest territories, the busiest pages."""
    with store.engine.connect() as conn:
        county = conn.exec_driver_sql(
            "SELECT county, COUNT(*) n FROM schools GROUP BY county ORDER BY n DESC, county LIMIT 1").scalar()
        city = conn.exec_driver_sql("SELECT city FROM schools WHERE county = ?", (county,)).scalar()
        k12 = [r[0] for r in conn.exec_driver_sql(
            "SELECT d.school_id FROM datasets d JOIN schools s ON s.id = d.school_id "
            "WHERE s.county = ? ORDER BY d.school_id", (county,))]
        largest = [r[0] for r in conn.exec_driver_sql(
            "SELECT v.school_id FROM datasets d JOIN versions v ON v.id = d.current_version "
            "ORDER BY v.row_count DESC, v.school_id LIMIT ?", (ROUNDS * PER_ROUND,))]
    requests = ROUNDS * PER_ROUND
    cycle = lambda ids: [f"/datasets/{ids[i % len(ids)]}" for i in range(requests)]  # noqa: E731
    same = lambda url: [url] * requests  # noqa: E731
    return [
        ("review queue", "county", f"bench-county-{county}", same("/datasets/queue")),
        ("review queue", "city", f"bench-city-{city}", same("/datasets/queue")),
        ("review queue", "region", "bench-region", same("/datasets/queue")),
        ("dataset page", "county, a different school each time", f"bench-county-{county}", cycle(k12)),
        ("dataset page", "region, the largest files (高校)", "bench-region", cycle(largest)),
        ("statistics", "county", f"bench-county-{county}", same("/reports/statistics")),
        ("statistics", "region", "bench-region", same("/reports/statistics")),
        ("completeness", "county", f"bench-county-{county}", same("/reports/completeness")),
        ("completeness", "region", "bench-region", same("/reports/completeness")),
    ]


def measure(app, store):
    """Run every case: one warm-up request, then ROUNDS rounds of PER_ROUND requests; return the rows."""
    results = []
    plans = cases(store)
    clients = {name: signed_in(app, name) for name in {p[2] for p in plans}}
    for page, who, name, urls in plans:
        timed(clients[name], urls[:1])
        times = []
        for start in range(0, len(urls), PER_ROUND):
            times += timed(clients[name], urls[start:start + PER_ROUND])
        results.append({
            "page": page, "who": who, "requests": len(times), "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1),
            "target_ms": TARGETS[page], "ok": percentile(times, 0.95) <= TARGETS[page],
        })
    return results


def run():
    """Prepare a copy of the region's store, measure every page, return (states, rows)."""
    from portal import create_app  # the bench imports the portal; the library never does

    kept = region.store_dir()
    if not (kept / "region.db").exists():
        region.run()
    with tempfile.TemporaryDirectory(prefix="staffrec-portal-bench-") as work:
        url = copy_store(kept, work)
        store = Store(url, str(kept / "files"))
        start = time.perf_counter()
        states = prepare(store)
        prepared_s = time.perf_counter() - start
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url, "FILES": str(kept / "files"),
            "WTF_CSRF_ENABLED": False, "LOGIN_MAX_FAILURES": 1000,
        })
        rows = measure(app, app.extensions["staffrec_store"])
        store.engine.dispose()
    return states, round(prepared_s, 1), rows


def main(argv=None):
    """Print each page's latency against its target and save bench/results/portal.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.portal", description=__doc__)
    parser.parse_args(argv)
    states, prepared_s, rows = run()
    print(f"portal: region store copied, review states {states} (set in {prepared_s} s); "
          f"{ROUNDS} rounds x {PER_ROUND} requests per case, server-side (test client)")
    print(f"{'page':14} {'who':40} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  target")
    for r in rows:
        verdict = "PASS" if r["ok"] else "FAIL"
        print(f"{r['page']:14} {r['who']:40} {r['median_ms']:10.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f}  "
              f"p95 <= {r['target_ms']} ms {verdict}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"measured_on": datetime.date.today().isoformat(), "states": states,
                                   "prepared_s": prepared_s, "cases": rows}, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
