"""collector_paused(): hold Python's cyclic garbage collector off while one file is read and checked.

Reading and checking a file makes tens of thousands of lists, tuples and records that live until
the report is built and are then freed by reference counting; none of them forms a cycle the
collector could free. Yet their number set the collector going about thirty times per 5,000-row
file, each older-generation pass walking every object of the process: a tenth to a sixth of a
validate. (Mercurial pauses it the same way around its large reads.)

The pause is process-wide, so it is kept to one file and never stacked: only a caller that finds
the collector running pauses it, and it starts it again when its file is done, even should other
threads still be reading theirs (they go on with the collector on, and the next file to start
pauses it again). So in a process checking files on several threads the collector is off for at
most one file's check at a time, and the pass that follows each restart collects the cycles other
threads made meanwhile. A collector the program switched off before the pause stays off.
"""

import contextlib
import gc
import threading

_switch = threading.Lock()


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector for the block, unless it is already off."""
    paused = False
    try:
        with _switch:
            # Noted before it is switched off: an interrupt in between must not leave it off.
            paused = gc.isenabled()
            if paused:
                gc.disable()
        yield
    finally:
        if paused:
            gc.enable()
