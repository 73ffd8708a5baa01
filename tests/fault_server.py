"""The portal under waitress for the kill tests, optionally stopping for good at one point of its work.

    python tests/fault_server.py CONFIG.json [POINT]

CONFIG.json holds the portal's configuration. The server prints "PORT n" once it listens. POINT makes
the process stop (sleep) at one place, printing "PAUSED POINT", so the test can kill it right there:

    file:N    before the Nth file of an upload is stored (the files before it are committed)
    audit:N   inside the Nth stored step's transaction, after its audit row (upload or review)
    blob:N    while the Nth new file goes into the file store: its temp file written, not yet renamed
    school:N  before the Nth school of a review action (the schools before it are committed)

The patches live here, in the test harness only; the portal and the library carry no test hook.
"""

import json
import os
import sys
import time


def pause(point):
    print(f"PAUSED {point}", flush=True)
    time.sleep(3600)


def on_nth(original, n, point, after=False):
    """Wrap `original` so that its nth call pauses before (or after) running."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == n and not after:
            pause(point)
        result = original(*args, **kwargs)
        if len(calls) == n and after:
            pause(point)
        return result

    return wrapper


class PausingOs:
    """`os` for staffrec.files whose nth replace() (the rename of a finished temp file) pauses."""

    def __init__(self, n, point):
        self.replace = on_nth(os.replace, n, point)

    def __getattr__(self, name):
        return getattr(os, name)


def install(point):
    kind, n = point.split(":")
    n = int(n)
    if kind == "file":
        import staffrec.store.ingestion as ingestion

        ingestion._safely = on_nth(ingestion._safely, n, point)
    elif kind == "audit":
        import staffrec.store.reviewing as reviewing

        reviewing.write_audit = on_nth(reviewing.write_audit, n, point, after=True)
    elif kind == "blob":
        import staffrec.files

        staffrec.files.os = PausingOs(n, point)
    elif kind == "school":
        import staffrec.store.reviewing as reviewing

        reviewing._review_one = on_nth(reviewing._review_one, n, point)
    else:
        raise SystemExit(f"unknown point {point}")


def main(config_path, point=None):
    from portal import create_app
    from portal.serving import serve

    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)
    if point:
        install(point)
    serve(create_app(config), port=0, threads=4)  # prints "PORT n" once it listens


if __name__ == "__main__":
    main(*sys.argv[1:])
