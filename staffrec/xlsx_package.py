"""An .xlsx package measured before calamine or openpyxl parse it, without trusting its headers.

zipfile's read() inflates a whole member before cutting it to the size the package declares, and
calamine allocates as it inflates: a part declaring 1,000 bytes that inflates to 400 MB would cost
400 MB or more before anything could be said. So every part is inflated here in bounded pieces
(zipformat.inflate), counted against one budget for the whole package (`unpacked`), and the parts
calamine's gate reads are read the same way (`parts`), never past what they declare.
"""

import io
import zipfile
import zlib
from typing import NamedTuple

from .zipformat import body, inflate, inflated_size

# .xlsx parts are read whole by both readers: a package unpacking to more is no template (a full
# 65,536-row template unpacks to about 120 MB); the reader refuses it (file.inflated).
MAX_XLSX_UNPACKED = 256 * 1024 * 1024
_ENCRYPTED = 0x1


class Unpacked(NamedTuple):
    """What a package unpacks to: `size` in bytes (past the limit: counted no further than just
    past it, or the declared total when that alone passes it) and whether every part inflates to no
    more than it declares (`honest`)."""

    size: int
    honest: bool


def unpacked(data, limit=MAX_XLSX_UNPACKED):
    """Return the Unpacked of an .xlsx package, or None when its directory is unreadable.

    The declared sizes are summed first (a package declaring more than `limit` is refused without
    inflating anything); then every part is inflated one piece at a time and counted, the total
    stopping as soon as it passes `limit`, so time and memory stay bounded whatever the headers say.
    A part that cannot be inflated counts what it gave before the damage: the readers report it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    # A damaged package is the reader's to report.
    except Exception:  # noqa: BLE001
        return None
    declared = sum(info.file_size for info in infos)
    if declared > limit:
        return Unpacked(declared, True)
    total, honest = 0, True
    for info in infos:
        size, _ = inflated_size(data, info, limit - total)
        total += size
        honest = honest and size <= info.file_size
        if total > limit:
            break
    return Unpacked(total, honest)


class Unreadable(Exception):
    """A part that is encrypted, inflates to another size than it declares or fails its CRC."""


def parts(data, limit=MAX_XLSX_UNPACKED):
    """Yield (name, bytearray) of every part of an .xlsx package, inflated in bounded pieces.

    Raises Unreadable as soon as the declared sizes pass `limit` or a part inflates past what it
    declares (so no more than `limit` is ever inflated), and zipfile's errors on a damaged directory.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    if sum(info.file_size for info in infos) > limit:
        raise Unreadable("the package declares too much")
    for info in infos:
        if info.flag_bits & _ENCRYPTED:
            raise Unreadable(info.filename)
        part = bytearray()
        for piece in inflate(body(data, info), info.compress_type, info.file_size):
            part += piece
            if len(part) > info.file_size:
                raise Unreadable(info.filename)
        if len(part) != info.file_size or zlib.crc32(part) != info.CRC:
            raise Unreadable(info.filename)
        yield info.filename, part
