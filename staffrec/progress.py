"""A one-line progress bar for long command-line runs (drawn only on a terminal)."""

import sys


class ProgressBar:
    """A one-line progress bar on stderr for runs long enough to need one."""

    WIDTH, MINIMUM = 30, 20

    def __init__(self, total, label, stream=None):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.shown = total >= self.MINIMUM and self.stream.isatty()

    def __call__(self, _item=None, total=None):
        """Count one more item done; `total` updates the expected count when it becomes known."""
        if total is not None:
            self.total = total
            self.shown = total >= self.MINIMUM and self.stream.isatty()
        self.done += 1
        if self.shown and (self.done == self.total or self.done % max(1, self.total // 100) == 0):
            filled = self.WIDTH * self.done // self.total
            bar = "█" * filled + "·" * (self.WIDTH - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}{end}")
            self.stream.flush()
