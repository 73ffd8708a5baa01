"""A child process that checks workbooks for the hostile-workbook and fuzz tests, so that a crash (a
Rust abort in calamine), a hang or a memory blow-up fails one case instead of taking pytest down.

The child is forked from a forkserver (a fresh single-threaded process, started once, that imports
staffrec before forking), never from pytest itself, which has threads running: a child forked from
it could inherit a lock some thread holds and deadlock. Before each job the child resets its peak
resident size (writing 5 to /proc/self/clear_refs) and reports how far the job raised it
(VmHWM, which counts Rust allocations tracemalloc cannot see) above the resident size it started
from, so the figure is the job's own whatever ran before. Where the reset is not allowed the child
serves a single job and the next one gets a new child.
"""

import contextlib
import io
import json
import multiprocessing
import traceback

HANG_GUARD = 60  # seconds; a guard against hangs, never a timing assertion
_PRELOAD = ["workbook_worker", "staffrec.checks", "staffrec.cli"]


class WorkerFailed(Exception):
    """The child died (crash, abort) or gave no answer within HANG_GUARD seconds."""


def _status(field):
    """Return a /proc/self/status size field (VmHWM, VmRSS) in bytes."""
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith(field + ":"))


def _reset_peak():
    """Reset VmHWM to the present resident size; tell whether the kernel allowed it."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _serve(conn):
    """Child: run each job received, answer {"result", "peak"} or {"raised": traceback}."""
    while True:
        try:
            function, args = conn.recv()
        except EOFError:
            return
        fresh = _reset_peak()
        start = _status("VmRSS")
        try:
            result = function(*args)
            reply = {"result": result, "peak": _status("VmHWM") - start}
        except BaseException:  # noqa: BLE001 - whatever escapes is the failure the tests look for
            reply = {"raised": traceback.format_exc()}
        reply["last"] = not fresh
        conn.send(reply)
        if not fresh:
            return


class Worker:
    """A checking child, started on first use and again after it died or hung."""

    def __init__(self):
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._process = self._conn = None

    def run(self, function, *args, timeout=HANG_GUARD):
        """Run `function(*args)` in the child; return {"result", "peak"} or {"raised": traceback}."""
        if self._process is None or not self._process.is_alive():
            self._start()
        try:
            self._conn.send((function, args))
            if not self._conn.poll(timeout):
                self.close()
                raise WorkerFailed(f"no answer within {timeout} s (a hang)")
            reply = self._conn.recv()
        except (EOFError, ConnectionError):
            self._process.join(5)
            code = self._process.exitcode
            self.close()
            raise WorkerFailed(f"the checking process died (exit code {code})") from None
        if reply.pop("last"):
            self.close()
        return reply

    def _start(self):
        self.close()
        self._conn, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()

    def close(self):
        """Stop the child (it is ours: started by _start)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
            self._conn.close()
        self._process = self._conn = None


def validate_file(source, name, today, annotate_dir=None):
    """Job: validate through the library and, with `annotate_dir`, the CLI (with annotated copies)."""
    from staffrec.checks import validate
    from staffrec.cli import main as cli_main

    report = validate(source, name=name, today=today)
    result = {
        "findings": [(f.code, f.severity, f.message) for f in report.findings],
        "valid": report.valid,
    }
    if annotate_dir is not None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = cli_main(["validate", "--json", "--annotate", str(annotate_dir), str(source)])
        cli = json.loads(out.getvalue())
        result.update(
            cli_status=status,
            cli_codes=[f["code"] for f in cli[0]["findings"]],
            cli_messages=[f["message"] for f in cli[0]["findings"]],
        )
    return result


def hold(size):
    """Job for the worker's own test: hold `size` bytes for a moment (touched, so resident)."""
    block = bytearray(size)
    return len(block)


def crash():
    """Job for the worker's own test: die as a Rust abort would (SIGABRT)."""
    import os

    os.abort()
