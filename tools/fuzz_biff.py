"""Feed mutated .xls workbook streams to staffrec's compiled BIFF8 reader; run by tools/fuzz-biff-asan.

Usage: python tools/fuzz_biff.py SEED COUNT. The sources are the .xls files under tests/fixtures/
and templates_xls/ the reader takes whole; each mutation flips, cuts or inserts bytes, and some
are also cut short. Only crashes and sanitizer reports matter here: tests/test_biff_text.py
compares what the reader takes with xlrd.
"""

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from biff_mutations import mutated  # noqa: E402 - the suite's own mutations, more of them


def sources(biff, biff8_stream):
    """Return the workbook streams of the repository's .xls files that the compiled reader takes."""
    paths = sorted(ROOT.glob("tests/fixtures/**/*.xls")) + sorted(ROOT.glob("templates_xls/*.xls"))
    streams = [biff8_stream(path.read_bytes()) for path in paths]
    return [s for s in streams if s is not None and len(s) < 300_000 and biff.parse(s, 48) is not None]


def main(seed, count):
    """Parse `count` mutations and build the rows of every one taken; print how many were taken."""
    from staffrec import _biff
    from staffrec.calamine_reader import biff8_stream

    print(f"reader: {_biff.__file__}")
    rng, streams, taken = random.Random(seed), sources(_biff, biff8_stream), 0
    for _ in range(count):
        stream = mutated(rng, rng.choice(streams), 12)
        parsed = _biff.parse(stream, 48)
        if parsed is not None:
            taken += 1
            for _name, _visibility, cells in parsed[1]:
                _biff.rows(parsed[0], cells)
        _biff.parse(stream[: rng.randrange(len(stream))], 48)
    print(f"{count} mutations of {len(streams)} streams, {taken} taken")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
