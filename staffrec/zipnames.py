"""Names inside an uploaded ZIP: decoding them as their author saw them, and telling unsafe and junk names."""

import re
import struct
import unicodedata
import zlib

__all__ = ["clean", "decode_name", "dup_key", "is_junk", "is_symlink", "shown", "unsafe"]

_UTF8_FLAG = 0x800
_UNICODE_PATH = 0x7075  # Info-ZIP Unicode Path extra field, written by 7-Zip and WinRAR beside a legacy name
_UNIX = 3  # "version made by" host of Unix tools, whose external attributes hold the file mode
_S_IFMT, _S_IFLNK = 0o170000, 0o120000
# Written by the uploader's system, never by the school: skipped without a result line.
_JUNK_NAMES = {"thumbs.db", "desktop.ini"}


def decode_name(info):
    """Return a member's name as its author saw it: UTF-8 when flagged or valid, else GB18030, else CP437.

    A CP437 name from an old DOS tool that happens to be valid GB18030 (most are: "MÜNCHEN" is) comes
    out as Chinese characters; nothing in the archive tells the two apart.
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename  # zipfile already decoded it as UTF-8
    # zipfile decoded the raw bytes as CP437, which maps all 256 bytes: encoding gives them back.
    raw = info.orig_filename.encode("cp437")
    unicode_path = _unicode_path(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    # Linux and macOS tools write UTF-8 without the flag; GBK text is almost never valid UTF-8.
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _unicode_path(extra, raw):
    """Return the UTF-8 name of an Info-ZIP Unicode Path field that matches the raw name, else None."""
    pos = 0
    while pos + 4 <= len(extra):
        field, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + size]
        if field == _UNICODE_PATH and len(body) >= 5 and body[0] == 1:
            # The CRC ties the field to the legacy name; a renamed entry keeps a stale field.
            if struct.unpack_from("<I", body, 1)[0] == zlib.crc32(raw):
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        pos += 4 + size
    return None


def unsafe(name):
    """Return the reason code when a member's path could escape the upload, else None."""
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "bad_name"
    if name.startswith(("/", "\\")):
        return "absolute_path"
    if re.match(r"[A-Za-z]:", name):
        return "drive_letter"
    # Windows trims trailing dots and blanks, so ". ." and "..." may act as ".." there.
    if any(p.count(".") >= 2 and not p.strip(". ") for p in re.split(r"[\\/]", name)):
        return "parent_path"
    return None


def is_symlink(info):
    """Tell whether an entry is a symbolic link (Info-ZIP `-y`, tar-minded tools): its data is a path."""
    return info.create_system == _UNIX and (info.external_attr >> 16) & _S_IFMT == _S_IFLNK


def clean(name):
    """Return a safe name with "/" between folders and no empty or "." parts."""
    parts = [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(parts)) + ("/" if name.endswith(("/", "\\")) else "")


def is_junk(name, info):
    """Tell whether a safe member is a folder or system litter the uploader never meant to send."""
    if name.endswith(("/", "\\")) or info.is_dir():
        return True
    parts = [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]
    if not parts or any(p.casefold() == "__macosx" or p.startswith(".") for p in parts):
        return True
    # ~$… is the owner file Excel leaves beside an open workbook.
    return parts[-1].casefold() in _JUNK_NAMES or parts[-1].startswith("~$")


def shown(name):
    """Return a name fit to show and store: control characters become "?"."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", name)


def dup_key(name):
    """The key two members clash on: the file name without folders, case folded (names are NFC already)."""
    return name.rpartition("/")[2].casefold()
