"""Sign-in throttling: too many failures for one name or one address block further tries for a while."""

import math
import threading
import time
from collections import OrderedDict, deque

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60
# Keys kept at most (names and addresses together); the oldest are evicted first.
DEFAULT_MAX_KEYS = 10_000


class Throttle:
    """Failed sign-ins per key (a user name or a client address) in a sliding window, in process memory."""

    def __init__(
        self, max_failures=DEFAULT_MAX_FAILURES, window=DEFAULT_WINDOW_SECONDS, max_keys=DEFAULT_MAX_KEYS, clock=time.monotonic
    ):
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = OrderedDict()

    def _recent(self, key, now):
        """Return the key's failure times still inside the window (caller holds the lock)."""
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def wait_seconds(self, *keys):
        """Return how long the keys stay blocked (0 when none of them is)."""
        now = self._clock()
        with self._lock:
            waits = []
            for key in keys:
                times = self._recent(key, now)
                if times is not None and len(times) >= self.max_failures:
                    waits.append(times[-self.max_failures] + self.window - now)
            return max(waits, default=0)

    def failed(self, *keys):
        """Record one failed sign-in against each key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if times is None:
                    times = self._failures[key] = deque(maxlen=self.max_failures)
                times.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def reset(self, key):
        """Forget a key's failures (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(key, None)

    def __len__(self):
        with self._lock:
            return len(self._failures)


def throttle_of(app):
    """Return the app's throttle, created from LOGIN_MAX_FAILURES and LOGIN_WINDOW_SECONDS on first use."""
    throttle = app.extensions.get("staffrec_throttle")
    if throttle is None:
        with _CREATE_LOCK:
            throttle = app.extensions.get("staffrec_throttle")
            if throttle is None:
                throttle = app.extensions["staffrec_throttle"] = Throttle(
                    int(app.config.get("LOGIN_MAX_FAILURES", DEFAULT_MAX_FAILURES)),
                    float(app.config.get("LOGIN_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)),
                    int(app.config.get("LOGIN_MAX_KEYS", DEFAULT_MAX_KEYS)),
                )
    return throttle


def minutes(seconds):
    """Whole minutes to wait, at least one."""
    return max(1, math.ceil(seconds / 60))


_CREATE_LOCK = threading.Lock()
