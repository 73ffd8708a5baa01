"""Damage a workbook stream at random: what tests/test_biff_text.py and tools/fuzz_biff.py feed the compiled reader."""


def mutated(rng, stream, most):
    """Return `stream` with 1 to `most` edits: byte flips (70 %), cuts of up to 64 bytes, insertions of up to 16."""
    data = bytearray(stream)
    for _ in range(rng.randint(1, most)):
        at, action = rng.randrange(len(data)), rng.random()
        if action < 0.7:
            data[at] = rng.randrange(256)
        elif action < 0.85:
            del data[at : at + rng.randint(1, 64)]
        else:
            data[at:at] = rng.randbytes(rng.randint(1, 16))
    return bytes(data)
