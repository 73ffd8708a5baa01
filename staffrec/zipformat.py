"""The ZIP structure read by hand where zipfile would trust it: members decompressed in bounded pieces,
entries that share bytes, the end record and a walk of the central directory."""

import bz2
import lzma
import struct
import zipfile
import zlib

__all__ = ["CHUNK", "Corrupt", "body", "central_entries", "end_record", "inflate", "inflated_size", "overlapping"]

CHUNK = 64 * 1024
_LOCAL, _CENTRAL, _END, _END64, _LOCATOR64 = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"


class Corrupt(Exception):
    """A member's data does not match its headers."""


def body(data, info):
    """Return a member's compressed bytes, found through its local header (a view, not a copy)."""
    start = info.header_offset
    if data[start:start + 4] != _LOCAL or start + 30 > len(data):
        raise Corrupt(info.filename)
    name_size, extra_size = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_size + extra_size
    return memoryview(data)[begin:begin + info.compress_size]


def inflate(packed, method, dict_limit):
    """Yield a member's bytes in pieces of at most CHUNK, however well they were compressed."""
    if method == zipfile.ZIP_STORED:
        for at in range(0, len(packed), CHUNK):
            yield bytes(packed[at:at + CHUNK])
        return
    if method == zipfile.ZIP_DEFLATED:
        unpacker = zlib.decompressobj(-15)
    elif method == zipfile.ZIP_BZIP2:
        unpacker = bz2.BZ2Decompressor()
    elif method == zipfile.ZIP_LZMA:
        unpacker, packed = _lzma(packed, dict_limit)
    else:
        raise NotImplementedError(method)
    deflate = method == zipfile.ZIP_DEFLATED
    for at in range(0, len(packed), CHUNK):
        pending = packed[at:at + CHUNK]
        while True:
            piece = unpacker.decompress(pending, CHUNK)
            yield piece
            if unpacker.eof:
                return
            if deflate:  # zlib hands back the input it did not use; the others keep it
                pending = unpacker.unconsumed_tail
                if not pending and len(piece) < CHUNK:
                    break
            elif unpacker.needs_input:
                break
            else:
                pending = b""
    if method != zipfile.ZIP_LZMA:  # LZMA may end without a marker; the size and CRC check it
        raise Corrupt("truncated")


def inflated_size(data, info, limit):
    """Return (bytes a member really inflates to, whether it inflated without error), whatever its
    headers declare.

    Counted one CHUNK at a time, so memory stays bounded; counting stops as soon as the size passes
    `limit` (it is then above `limit` by at most a CHUNK). A member that cannot be inflated (bad
    local header, unknown method, damaged stream) gives what was inflated before the damage.
    """
    size = 0
    try:
        for piece in inflate(body(data, info), info.compress_type, limit):
            size += len(piece)
            if size > limit:
                break
    except (Corrupt, NotImplementedError, EOFError, OSError, ValueError, struct.error, zlib.error, lzma.LZMAError):
        return size, False
    return size, True


def _lzma(body, dict_limit):
    """Return (decompressor, data) for a ZIP LZMA member: a 4-byte header, 5 property bytes, the stream."""
    if len(body) < 9:
        raise Corrupt("lzma header")
    (size,) = struct.unpack_from("<H", body, 2)
    props = bytes(body[4:4 + size])
    if size != 5 or len(props) != 5:
        raise Corrupt("lzma properties")
    (dict_size,) = struct.unpack_from("<I", props, 1)
    # No member outgrows the size limit, so no larger dictionary is ever needed: never allocate more.
    lc, lp, pb = props[0] % 9, props[0] // 9 % 5, props[0] // 45
    lzma_filter = dict(id=lzma.FILTER_LZMA1, dict_size=max(4096, min(dict_size, dict_limit + 1)), lc=lc, lp=lp, pb=pb)
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma_filter]), body[4 + size:]


def overlapping(data, infos):
    """Tell whether two entries share bytes, the mark of an overlapping-entry bomb (no real tool writes it)."""
    spans = []
    for info in infos:
        start = info.header_offset
        if 0 <= start and start + 30 <= len(data) and data[start:start + 4] == _LOCAL:
            name_size, extra_size = struct.unpack_from("<HH", data, start + 26)
            spans.append((start, start + 30 + name_size + extra_size + info.compress_size))
    spans.sort()
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))


def end_record(data):
    """Return the position of the end-of-central-directory record as zipfile finds it, or None."""
    pos = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    return pos if pos >= 0 and pos + 22 <= len(data) else None


def central_entries(data, end, stop):
    """Count the central directory's entries by walking their headers, as zipfile would, up to stop + 1."""
    (size,) = struct.unpack_from("<I", data, end + 12)
    start = end - size
    if end >= 20 + 56 and data[end - 20:end - 16] == _LOCATOR64 and data[end - 76:end - 72] == _END64:
        (size,) = struct.unpack_from("<Q", data, end - 76 + 40)
        start = end - 76 - size
    count, pos = 0, max(0, start)
    while count <= stop and pos + 46 <= len(data) and data[pos:pos + 4] == _CENTRAL:
        name_size, extra_size, comment_size = struct.unpack_from("<3H", data, pos + 28)
        pos += 46 + name_size + extra_size + comment_size
        count += 1
    return count
