"""Reading an uploaded ZIP batch into memory safely: one result per file, nothing written to disk."""

import io
import re
import struct
import unicodedata
import zipfile
import zlib

import attrs

from .errors import FileNameError
from .identity import TemplateFileName
from .sniff import sniff

__all__ = [
    "BatchFailure", "Limits", "ZipBatch", "ZipMember", "ZipRejection", "decode_name", "kind_of_name",
    "read_zip",
]

MiB = 1024 * 1024
_CHUNK = 64 * 1024
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_AES_METHOD = 99  # WinZip AES: the real method hides in an extra field behind the password
_UNICODE_PATH = 0x7075  # Info-ZIP Unicode Path extra field, written by 7-Zip and WinRAR beside a legacy name
_NESTED = {"zip", "rar", "7z", "gzip"}
# Written by the uploader's system, never by the school: skipped without a result line.
_JUNK_NAMES = {"thumbs.db", "desktop.ini"}


@attrs.frozen
class Limits:
    """Limits on one uploaded ZIP batch; the defaults are production values.

    - `max_entries` 2,000: central-directory entries of any kind, directories and skipped junk included.
    - `max_members` 500: files read (a county has at most a few hundred schools; split larger batches).
    - `max_member_size` 50 MiB: uncompressed bytes of one file (a 5,000-row .xls is about 5 MiB).
    - `max_total_size` 300 MiB: uncompressed bytes of all files together.
    - `max_ratio` 200: uncompressed ÷ compressed size of one file; real .xls files stay under 20.
    - `ratio_grace` 1 MiB: a file's first bytes are exempt from the ratio (a small blank file compresses well).
    Sizes are counted while decompressing, chunk by chunk; the sizes the archive declares are never trusted.
    The ratio divides by a member's whole compressed size (zipfile reads no more than that), so a bomb is
    stopped after at most `max_ratio` times its compressed size, or earlier by the size limits.
    """

    max_entries: int = 2000
    max_members: int = 500
    max_member_size: int = 50 * MiB
    max_total_size: int = 300 * MiB
    max_ratio: float = 200
    ratio_grace: int = 1 * MiB


@attrs.frozen
class ZipMember:
    """One file read from the batch: its decoded path inside the archive and its bytes."""

    name: str
    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")

    @property
    def basename(self):
        """The file name without the folders it sat in."""
        return self.name.rpartition("/")[2]


@attrs.frozen
class ZipRejection:
    """One file of the batch that was not read: its name, a stable `reason` code and a Chinese message."""

    name: str
    reason: str
    message: str

    @property
    def basename(self):
        """The file name without the folders it sat in."""
        return self.name.rpartition("/")[2]


@attrs.frozen
class BatchFailure:
    """Why a whole upload could not be read as a ZIP batch: a stable `reason` and a Chinese message."""

    reason: str
    message: str


@attrs.frozen
class ZipBatch:
    """What reading a ZIP gave: a ZipMember or ZipRejection per file in archive order, or a failure."""

    results: tuple = ()
    failure: BatchFailure | None = None
    skipped: tuple = ()  # junk names left out silently (__MACOSX, dot-files, folders), for logs only

    @property
    def ok(self):
        """Tell whether the archive itself could be read (its files may still be rejected)."""
        return self.failure is None

    @property
    def members(self):
        """The files that were read."""
        return tuple(r for r in self.results if isinstance(r, ZipMember))

    @property
    def rejections(self):
        """The files that were not read, with the reason."""
        return tuple(r for r in self.results if isinstance(r, ZipRejection))


def kind_of_name(name, catalogue=None):
    """Return the TemplateKind a member's file name stands for, or None when the name does not parse."""
    try:
        return TemplateFileName.parse(name, catalogue).school_id.kind(catalogue)
    except FileNameError:
        return None


def decode_name(info):
    """Return a member's name as its author saw it: UTF-8 when flagged or valid, else GB18030, else CP437."""
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


def read_zip(data, limits=Limits()):
    """Read a ZIP batch from bytes into a ZipBatch; never raises for a bad upload."""
    data = bytes(data)
    failure = _check_archive(data, limits)
    if failure is not None:
        return ZipBatch(failure=failure)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except UnicodeDecodeError:
        return ZipBatch(failure=_failure("bad_names"))
    except NotImplementedError:
        return ZipBatch(failure=_failure("unsupported"))
    except Exception:  # zipfile raises many kinds on a mangled archive; all mean "corrupt" here
        return ZipBatch(failure=_failure("corrupt"))
    with archive:
        return _read_archive(archive, infos, limits, len(data))


def _read_archive(archive, infos, limits, archive_size):
    """Sort the entries into junk, unsafe names and files to read, then read the files."""
    if len(infos) > limits.max_entries:
        return ZipBatch(failure=_failure("too_many_members", count=len(infos), limit=limits.max_entries))
    candidates, skipped = [], []
    for info in infos:
        name = decode_name(info)
        problem = _unsafe(name)
        if problem is None and _is_junk(name, info):
            skipped.append(name)
            continue
        candidates.append((info, _shown(name) if problem else _clean(name), problem))
    skipped = tuple(skipped)
    if len(candidates) > limits.max_members:
        failure = _failure("too_many_members", count=len(candidates), limit=limits.max_members)
        return ZipBatch(failure=failure, skipped=skipped)
    if not candidates:
        return ZipBatch(failure=_failure("empty_after_skip" if skipped else "empty"), skipped=skipped)
    return ZipBatch(results=tuple(_read_members(archive, candidates, limits, archive_size)), skipped=skipped)


def _read_members(archive, candidates, limits, archive_size):
    """Read every candidate in archive order, each to its own result."""
    counts = {}
    for _, name, problem in candidates:
        if problem is None:
            counts[_dup_key(name)] = counts.get(_dup_key(name), 0) + 1
    total = 0
    for info, name, problem in candidates:
        if problem is None and counts[_dup_key(name)] > 1:
            problem = _member("duplicate", name, count=counts[_dup_key(name)], base=name.rpartition("/")[2])
        elif problem is None and (info.flag_bits & _ENCRYPTED_FLAG or info.compress_type == _AES_METHOD):
            problem = _member("encrypted", name)
        elif problem is None and total >= limits.max_total_size:
            problem = _member("total_too_large", name, limit=_size(limits.max_total_size))
        if problem is not None:
            yield ZipRejection(name, *problem)
            continue
        result = _read_one(archive, info, name, limits, limits.max_total_size - total, archive_size)
        if isinstance(result, ZipMember):
            total += len(result.data)
            result = _nested(result) or result
        yield result


def _read_one(archive, info, name, limits, budget, archive_size):
    """Decompress one member in chunks, stopping as soon as it passes a limit."""
    # zipfile never reads more compressed bytes than the header says, nor more than the archive holds.
    compressed = max(1, min(info.compress_size, archive_size))
    out = bytearray()
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                out += chunk
                if len(out) > limits.max_member_size:
                    return ZipRejection(name, *_member("member_too_large", name,
                                                       limit=_size(limits.max_member_size)))
                if len(out) > budget:
                    return ZipRejection(name, *_member("total_too_large", name,
                                                       limit=_size(limits.max_total_size)))
                if len(out) > limits.ratio_grace and len(out) / compressed > limits.max_ratio:
                    return ZipRejection(name, *_member("ratio", name, ratio=f"{limits.max_ratio:g}"))
    except NotImplementedError:
        return ZipRejection(name, *_member("unsupported_method", name))
    except Exception:  # bad CRC, truncated data, mangled local header, zlib errors
        return ZipRejection(name, *_member("corrupt_member", name))
    return ZipMember(name, bytes(out))


def _nested(member):
    """Return a rejection when the member is itself an archive (an .xlsx is a workbook, not a nest)."""
    found = sniff(member.data)
    damaged_workbook = found.format == "zip_damaged" and member.name.lower().endswith((".xlsx", ".xlsm"))
    if found.format in _NESTED or (found.format == "zip_damaged" and not damaged_workbook):
        return ZipRejection(member.name, *_member("nested_archive", member.name, what=found.description))
    return None


def _check_archive(data, limits):
    """Return a BatchFailure when the bytes are no ZIP or declare too many entries, else None."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        found = sniff(data)
        return _failure("empty" if found.format == "empty" else "not_zip", what=found.description)
    declared = _declared_entries(data)
    if declared is not None and declared > limits.max_entries:
        return _failure("too_many_members", count=declared, limit=limits.max_entries)
    found = sniff(data)
    if found.format not in ("zip", "zip_damaged"):
        return _failure("not_zip", what=found.description)
    return None


def _declared_entries(data):
    """Return the entry count the end-of-central-directory record declares, or None (absent, ZIP64)."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if pos < 0 or pos + 22 > len(data):
        return None
    (count,) = struct.unpack_from("<H", data, pos + 10)
    return None if count == 0xFFFF else count


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


def _unsafe(name):
    """Return (reason, message) when a member's path could escape the upload, else None."""
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return _member("bad_name", name)
    if name.startswith(("/", "\\")):
        return _member("absolute_path", name)
    if re.match(r"[A-Za-z]:", name):
        return _member("drive_letter", name)
    # Windows trims trailing dots and blanks, so ". ." and "..." may act as ".." there.
    if any(p.count(".") >= 2 and not p.strip(". ") for p in re.split(r"[\\/]", name)):
        return _member("parent_path", name)
    return None


def _clean(name):
    """Return a safe name with "/" between folders and no empty or "." parts."""
    parts = [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(parts)) + ("/" if name.endswith(("/", "\\")) else "")


def _is_junk(name, info):
    """Tell whether a safe member is a folder or system litter the uploader never meant to send."""
    if name.endswith(("/", "\\")) or info.is_dir():
        return True
    parts = [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]
    if not parts or any(p.casefold() == "__macosx" or p.startswith(".") for p in parts):
        return True
    # ~$… is the owner file Excel leaves beside an open workbook.
    return parts[-1].casefold() in _JUNK_NAMES or parts[-1].startswith("~$")


def _size(count):
    """Show a byte limit as users read it: whole MB, or KB below one MB."""
    return f"{count / MiB:.0f} MB" if count >= MiB else f"{max(1, count // 1024)} KB"


def _shown(name):
    """Return a name fit to show and store: control characters become "?"."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", name)


def _dup_key(name):
    return name.rpartition("/")[2].casefold()


_MEMBER_MESSAGES = {
    "bad_name": "文件名“{name}”含有控制字符（显示为“?”），已拒收。",
    "absolute_path": "“{name}”是绝对路径，压缩包内只能使用相对路径，已拒收。",
    "drive_letter": "“{name}”带有盘符，压缩包内只能使用相对路径，已拒收。",
    "parent_path": "“{name}”含有指向上级目录的“..”，可能覆盖其他文件，已拒收。",
    "duplicate": "压缩包中有 {count} 个同名文件“{base}”，无法确定以哪个为准，均未读取；请只保留一个后重新压缩。",
    "encrypted": "“{name}”设置了密码（已加密），无法读取；请不加密码重新压缩。",
    "member_too_large": "“{name}”解压后超过 {limit}，超出单个文件的大小上限，未读取。",
    "total_too_large": "压缩包解压后的总大小超过 {limit}，“{name}”未读取；请分批上传。",
    "ratio": "“{name}”的压缩比超过 {ratio} 倍，疑似恶意构造的压缩文件，未读取。",
    "unsupported_method": "“{name}”使用了不支持的压缩方式，无法解压；请用标准 ZIP（Deflate）格式重新压缩。",
    "corrupt_member": "“{name}”已损坏，无法解压；请重新压缩后上传。",
    "nested_archive": "“{name}”是{what}，压缩包内不能再含压缩包；请解压后将 Excel 文件直接放入 ZIP。",
}
_BATCH_MESSAGES = {
    "not_zip": "上传的文件是{what}，不是 ZIP 压缩包；批量上传请把 Excel 文件压缩为 ZIP 格式，单个文件可直接上传。",
    "empty": "上传的压缩包是空的，没有任何文件。",
    "empty_after_skip": "压缩包中只有文件夹或系统生成的隐藏文件，没有可读取的文件。",
    "corrupt": "压缩包已损坏或不完整（可能没有上传完整），无法读取；请重新压缩后上传。",
    "bad_names": "压缩包中的文件名编码有误（标记为 UTF-8 却不是），无法读取；请重新压缩后上传。",
    "unsupported": "压缩包使用了不支持的 ZIP 格式版本，无法读取；请用标准 ZIP 格式重新压缩。",
    "too_many_members": "压缩包中有 {count} 个文件，超过一次上传 {limit} 个的上限；请分批上传。",
}


def _member(reason, name, **params):
    return reason, _MEMBER_MESSAGES[reason].format(name=_shown(name), **params)


def _failure(reason, **params):
    return BatchFailure(reason, _BATCH_MESSAGES[reason].format(**params))
