"""The load test's instance: a demo region in SQLite, its accounts, the files clients upload, the server.

`python -m bench.load_instance --serve DIR [--port P]` serves the portal over DIR under waitress (the
production server, not debug), as `bench.load` starts it in a subprocess; port 0 (the default) lets the
system pick one, printed as "PORT n" once the server listens.
"""

import argparse
import collections
import hashlib
import json
import logging
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import staffrec
from portal import demo
from staffrec.demo import demo_registry
from staffrec.demo_staff import demo_records
from staffrec.distribute import zip_bytes
from staffrec.store import Store

from .data import SIGNOFF, inject_defects

MANIFEST = "load.json"
CITY = "150100"  # 呼和浩特市: the demo city with a reviewer account
# The counties of the demo city, in the order county clients take them (two clients per county).
COUNTIES = ("150102", "150103", "150104", "150105", "150121", "150122", "150123", "150124", "150125")
VARIANTS = 3  # valid files per school, each with other staff, so each upload is a new file
UPLOADING_KINDS = ("中小学", "中职", "特教")  # 高校 files are the information centre's


def county_user(code):
    """(name, password) of the county account a county client signs in as; 新城区 is the demo's own."""
    if code == demo.USERS[0][2]:
        return demo.USERS[0][0], demo.USERS[0][4]
    return f"county-{code}", f"county-{code}-load"


def build_instance(folder, echo=print):
    """Build the demo region into `folder` (portal.demo.build) plus a county account for every county of
    the demo city; write load.json (what the server and the clients need) and return it."""
    folder = Path(folder)
    demo.build(folder, echo=lambda *_: None)
    store = Store(f"sqlite:///{(folder / 'staffrec.db').resolve()}", folder / "files")
    accounts = {name: password for name, _tier, _territory, _display, password in demo.USERS}
    for code in COUNTIES:
        name, password = county_user(code)
        if name not in accounts:
            store.add_user(name, "county", code, password=password, display_name=f"{code}审核员")
            accounts[name] = password
    store.engine.dispose()
    manifest = {"database": str((folder / "staffrec.db").resolve()), "files": str((folder / "files").resolve()),
                "accounts": accounts}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    echo(f"instance built in {folder}: demo region ({len(demo_registry())} schools), "
         f"{len(accounts)} accounts")
    return manifest


def open_instance(folder, echo=print):
    """Return the instance's load.json, building the instance first when there is none."""
    path = Path(folder) / MANIFEST
    if path.exists():
        echo(f"instance reused: {folder}")
        return json.loads(path.read_text(encoding="utf-8"))
    return build_instance(folder, echo)


def portal_config(folder):
    """The portal's configuration over the instance: production defaults, plain http on loopback."""
    manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    return {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{manifest['database']}",
        "FILES": manifest["files"],
        "UPLOAD_TEMP_DIR": str((Path(folder) / "upload-tmp").resolve()),
        # Plain http on 127.0.0.1, as `make demo`: the cookies' Secure flag would stop a browser here.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }


# --- the files clients upload -----------------------------------------------------------------


@dataclass(frozen=True)
class UploadFile:
    """One school's template as uploaded: name, bytes, SHA-256, records, and whether the 校验 passes."""

    school_id: str
    kind: str
    name: str
    data: bytes
    sha256: str
    rows: int
    valid: bool


def _template_file(school, records, valid):
    kind = school.kind()
    rows = [staffrec.Record(kind.keys, tuple(r[k] for k in kind.keys)) for r in records]
    template = staffrec.new_template(school, rows, signoff=SIGNOFF)
    data = template.to_bytes()
    return UploadFile(str(school.id), kind.name, template.file_name(), data, hashlib.sha256(data).hexdigest(),
                      len(rows), valid)


def county_files(county, seed=0):
    """Every uploading school of a county: VARIANTS valid files (other staff each) and one with an error.

    Returns {school id: (valid files, defective file)}; the same arguments give the same bytes.
    """
    registry = demo_registry()
    schools = [s for s in registry if s.county == county and s.kind().name in UPLOADING_KINDS]
    taken = collections.defaultdict(set)  # ID numbers unique within one variant over the county
    files = {}
    for school in schools:
        count = demo.STAFF[school.kind().name]
        valid = [_template_file(school, demo_records(school, count, seed=seed * 100 + v, taken_ids=taken[v]), True)
                 for v in range(VARIANTS)]
        records = demo_records(school, count, seed=seed * 100 + VARIANTS, taken_ids=taken[VARIANTS])
        inject_defects(records, 1e-9, seed=seed)  # one wrong ID check digit: an error, so the file is refused
        files[str(school.id)] = (valid, _template_file(school, records, False))
    return files


def pick_upload(rng, files, county, serial):
    """Choose what a county client uploads next: (upload name, bytes, member UploadFiles, is ZIP).

    55 % one valid file, 20 % one file with an error, 25 % a ZIP of 2-3 schools of one kind (a
    member has an error one time in five).
    """
    draw = rng.random()
    if draw < 0.75:
        school = rng.choice(sorted(files))
        valid, defective = files[school]
        member = rng.choice(valid) if draw < 0.55 else defective
        return member.name, member.data, [member], False
    by_kind = collections.defaultdict(list)
    for school, (valid, _defective) in sorted(files.items()):
        by_kind[valid[0].kind].append(school)
    kind = rng.choice([k for k, schools in sorted(by_kind.items()) if len(schools) >= 2] or sorted(by_kind))
    chosen = rng.sample(by_kind[kind], min(len(by_kind[kind]), rng.randint(2, 3)))
    members = [rng.choice(files[s][0]) for s in chosen]
    if rng.random() < 0.2:
        members[-1] = files[chosen[-1]][1]
    data = zip_bytes((member.name, member.data) for member in members)
    return f"{county}_{kind}_{serial}.zip", data, members, True


# --- the server ---------------------------------------------------------------------------------


def serve(folder, port=0, threads=8):
    """Serve the portal over the instance with waitress on 127.0.0.1 until interrupted (SIGINT); print
    "PORT n" once it listens."""
    from portal import create_app, serving

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"serving {folder} with {threads} threads", flush=True)
    serving.serve(create_app(portal_config(folder)), port=port, threads=threads)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load_instance", description=__doc__)
    parser.add_argument("--serve", required=True, metavar="DIR", help="instance folder to serve")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: one the system picks)")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    serve(args.serve, args.port, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
