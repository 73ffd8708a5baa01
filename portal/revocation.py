"""Signed-out sessions: their ids are remembered so a copied session cookie stops working at sign-out."""

import secrets
import threading
from collections import OrderedDict

SESSION_KEY = "_sid"
# Sign-outs remembered at most; the oldest are forgotten first (see docs/reliability.md).
DEFAULT_MAX_REVOKED = 100_000


class Revoked:
    """A bounded, thread-safe set of signed-out session ids, in process memory."""

    def __init__(self, max_ids=DEFAULT_MAX_REVOKED):
        self.max_ids = max_ids
        self._lock = threading.Lock()
        self._ids = OrderedDict()

    def add(self, sid):
        """Remember a signed-out session id."""
        with self._lock:
            self._ids[sid] = None
            while len(self._ids) > self.max_ids:
                self._ids.popitem(last=False)

    def __contains__(self, sid):
        with self._lock:
            return sid in self._ids

    def __len__(self):
        with self._lock:
            return len(self._ids)


def revoked_of(app):
    """Return the app's set of signed-out session ids."""
    revoked = app.extensions.get("staffrec_revoked")
    if revoked is None:
        limit = int(app.config.get("SESSION_MAX_REVOKED", DEFAULT_MAX_REVOKED))
        revoked = app.extensions.setdefault("staffrec_revoked", Revoked(limit))
    return revoked


def new_session_id():
    """Return a fresh random session id (put in the session at sign-in)."""
    return secrets.token_urlsafe(24)
