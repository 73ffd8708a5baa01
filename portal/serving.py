"""Serving the portal with waitress: bind (port 0 picks a free port), say where, then serve.

`make demo`, the load test's server (bench/load_instance.py) and the kill tests' server
(tests/fault_server.py) all start the portal through `serve`, so they bind, announce and stop alike.
"""

import logging
import sys

HOST = "127.0.0.1"
# The default announcement: a line a parent process can read the effective port from.
ANNOUNCE = "PORT {port}"


def _print_flushed(line):
    print(line, flush=True)


def serve(app, host=HOST, port=0, threads=8, announce=_print_flushed, message=ANNOUNCE):
    """Serve `app` with waitress on host:port until interrupted (Ctrl+C / SIGINT).

    The socket is bound and listening before anything is announced, so whoever reads the
    announcement can connect at once. `message` is formatted with the effective `host` and `port`
    (with port 0, the one the system picked) and passed to `announce`; stdout is flushed after it,
    so a parent reading a pipe or a log file sees it. Raises OSError when the address cannot be bound.
    """
    from waitress import create_server

    logging.basicConfig()  # waitress logs its warnings; a no-op when logging is configured already
    server = create_server(app, host=host, port=port, threads=threads, ident="staffrec")
    announce(message.format(host=host, port=server.effective_port))
    sys.stdout.flush()
    server.run()  # returns on KeyboardInterrupt, after waitress has stopped its threads
