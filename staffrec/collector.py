"""collector_paused(): hold Python's cyclic garbage collector off while one file is read and checked.

Reading and checking a file makes tens of thousands of lists, tuples and records that live until
the report is built and are then freed by reference counting; none of them forms a cycle the
collector could free. Yet their number sets the collector going again and again, and each of its
older-generation passes walks every object of the process: a sixth of a 5,000-row validate on a
quiet interpreter, more in a portal process with a large heap. (Mercurial pauses it the same way
around its large reads.)

The pause is process-wide, so it is kept short and never stacked: only a caller that finds the
collector running pauses it, and it starts it again when its one file is done, even should other
threads still be reading theirs (they then go on with the collector on). Between two pauses the
collector runs as usual, so cycles made meanwhile by other threads are collected. A collector the
program switched off itself stays off.
"""

import contextlib
import gc
import threading

_switch = threading.Lock()


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector for the block, unless it is already off."""
    with _switch:
        paused = gc.isenabled()
        if paused:
            gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
