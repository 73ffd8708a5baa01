"""Reading an uploaded ZIP batch into memory safely: one result per file, nothing written to disk.

zipfile reads the central directory; zipformat checks the structure around it and decompresses the
members in bounded pieces (zipfile hands a whole compressed read to bzip2 and LZMA at once: one 4 KB
read of a bzip2 bomb is gigabytes). Names are decoded and judged in zipnames.
"""

import io
import struct
import zipfile
import zlib

import attrs

from .errors import FileNameError
from .identity import TemplateFileName
from .sniff import sniff
from .zipformat import Corrupt, body, central_entries, end_record, inflate, overlapping
from .zipnames import clean, decode_name, dup_key, is_junk, is_symlink, shown, unsafe

__all__ = [
    "BatchFailure", "Limits", "ZipBatch", "ZipMember", "ZipRejection", "decode_name", "kind_of_name",
    "read_zip",
]

MiB = 1024 * 1024
_ENCRYPTED_FLAG = 0x1
_AES_METHOD = 99  # WinZip AES: the real method hides in an extra field behind the password
_NESTED = {"zip", "rar", "7z", "gzip"}
_LOCAL, _END = b"PK\x03\x04", b"PK\x05\x06"
_SPLIT = b"PK\x07\x08"  # the first piece of a split (spanned) archive starts with this marker


@attrs.frozen
class Limits:
    """Limits on one uploaded ZIP batch; the defaults are production values.

    - `max_entries` 2,000: central-directory entries of any kind, directories and skipped junk included.
    - `max_members` 500: files read (a county has at most a few hundred schools; split larger batches).
    - `max_member_size` 50 MiB: uncompressed bytes of one file (a 5,000-row .xls is about 5 MiB).
    - `max_total_size` 300 MiB: uncompressed bytes of all files together.
    - `max_ratio` 200: uncompressed ÷ compressed size of one file; real .xls files stay under 20.
    - `ratio_grace` 1 MiB: a file's first bytes are exempt from the ratio (a small blank file compresses well).
    Sizes are counted while decompressing, 64 KB at a time whatever the method; a declared size never bounds
    anything, and a member giving more than it declares is corrupt.
    The ratio divides by a member's compressed size as far as the archive holds it, so a bomb is
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
        if overlapping(data, infos):
            return ZipBatch(failure=_failure("overlapping"))
        return _read_archive(data, infos, limits)


def _read_archive(data, infos, limits):
    """Sort the entries into junk, unsafe names and files to read, then read the files."""
    if len(infos) > limits.max_entries:
        return ZipBatch(failure=_failure("too_many_members", count=len(infos), limit=limits.max_entries))
    candidates, skipped = [], []
    for info in infos:
        name = decode_name(info)
        problem = unsafe(name)
        if problem is None and is_junk(name, info):
            skipped.append(name)
            continue
        candidates.append((info, shown(name) if problem else clean(name), problem and _member(problem, name)))
    skipped = tuple(skipped)
    if len(candidates) > limits.max_members:
        failure = _failure("too_many_members", count=len(candidates), limit=limits.max_members)
        return ZipBatch(failure=failure, skipped=skipped)
    if not candidates:
        return ZipBatch(failure=_failure("empty_after_skip" if skipped else "empty"), skipped=skipped)
    return ZipBatch(results=tuple(_read_members(data, candidates, limits)), skipped=skipped)


def _read_members(data, candidates, limits):
    """Read every candidate in archive order, each to its own result."""
    counts = {}
    for _, name, problem in candidates:
        if problem is None:
            counts[dup_key(name)] = counts.get(dup_key(name), 0) + 1
    total = 0
    for info, name, problem in candidates:
        if problem is None and counts[dup_key(name)] > 1:
            problem = _member("duplicate", name, count=counts[dup_key(name)], base=name.rpartition("/")[2])
        elif problem is None and (info.flag_bits & _ENCRYPTED_FLAG or info.compress_type == _AES_METHOD):
            problem = _member("encrypted", name)
        elif problem is None and is_symlink(info):
            problem = _member("symlink", name)
        elif problem is None and total >= limits.max_total_size:
            problem = _member("total_too_large", name, limit=_size(limits.max_total_size))
        if problem is not None:
            yield ZipRejection(name, *problem)
            continue
        result = _read_one(data, info, name, limits, limits.max_total_size - total)
        if isinstance(result, ZipMember):
            total += len(result.data)
            result = _nested(result) or result
        yield result


def _read_one(data, info, name, limits, budget):
    """Decompress one member in pieces, stopping as soon as it passes a limit or its declared size."""
    out = bytearray()
    try:
        packed = body(data, info)
        compressed = max(1, len(packed))  # what is really there, whatever the header says
        for piece in inflate(packed, info.compress_type, limits.max_member_size):
            out += piece
            if len(out) > limits.max_member_size:
                return ZipRejection(name, *_member("member_too_large", name, limit=_size(limits.max_member_size)))
            if len(out) > budget:
                return ZipRejection(name, *_member("total_too_large", name, limit=_size(limits.max_total_size)))
            if len(out) > limits.ratio_grace and len(out) / compressed > limits.max_ratio:
                return ZipRejection(name, *_member("ratio", name, ratio=f"{limits.max_ratio:g}"))
            if len(out) > info.file_size:
                raise Corrupt(name)  # more than declared: never believed, never read on
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise Corrupt(name)
    except NotImplementedError:
        return ZipRejection(name, *_member("unsupported_method", name))
    except Exception:  # bad CRC, truncated data, mangled local header, decompressor errors
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
    """Return a BatchFailure when the bytes are no whole ZIP or hold too many entries, else None."""
    end = end_record(data)
    disks = struct.unpack_from("<HH", data, end + 4) if end is not None else (0, 0)
    # A split archive's last piece has disk numbers in its end record (0xFFFF only means "see ZIP64").
    if data.startswith(_SPLIT) or (any(disks) and 0xFFFF not in disks):
        return _failure("split")
    if not data.startswith((_LOCAL, _END)):
        found = sniff(data)
        return _failure("empty" if found.format == "empty" else "not_zip", what=found.description)
    (declared,) = struct.unpack_from("<H", data, end + 10) if end is not None else (0,)
    if declared != 0xFFFF and declared > limits.max_entries:
        return _failure("too_many_members", count=declared, limit=limits.max_entries)
    # The end record's count may lie (zipfile ignores it): walk the directory before zipfile builds an
    # object per entry, which for a 300 MB upload of bare directory entries is gigabytes and minutes.
    if end is not None and central_entries(data, end, limits.max_entries) > limits.max_entries:
        return _failure("too_many_members", key="too_many_walked", limit=limits.max_entries)
    found = sniff(data)
    if found.format not in ("zip", "zip_damaged"):
        return _failure("not_zip", what=found.description)
    return None


def _size(count):
    """Show a byte limit as users read it: whole MB, or KB below one MB."""
    return f"{count / MiB:.0f} MB" if count >= MiB else f"{max(1, count // 1024)} KB"


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
    "symlink": "“{name}”是符号链接（指向别处的快捷方式），不是文件本身，已拒收；请把文件本身放入压缩包。",
}
_BATCH_MESSAGES = {
    "not_zip": "上传的文件是{what}，不是 ZIP 压缩包；批量上传请把 Excel 文件压缩为 ZIP 格式，单个文件可直接上传。",
    "empty": "上传的压缩包是空的，没有任何文件。",
    "empty_after_skip": "压缩包中只有文件夹或系统生成的隐藏文件，没有可读取的文件。",
    "corrupt": "压缩包已损坏或不完整（可能没有上传完整），无法读取；请重新压缩后上传。",
    "bad_names": "压缩包中的文件名编码有误（标记为 UTF-8 却不是），无法读取；请重新压缩后上传。",
    "unsupported": "压缩包使用了不支持的 ZIP 格式版本，无法读取；请用标准 ZIP 格式重新压缩。",
    "too_many_members": "压缩包中有 {count} 个文件，超过一次上传 {limit} 个的上限；请分批上传。",
    "too_many_walked": "压缩包中的文件超过 {limit} 个，超出一次上传的上限；请分批上传。",
    "split": "上传的是分卷压缩包（.z01、.zip.001 等）中的一卷，单独一卷无法读取；请不要分卷，把全部文件压缩成一个 ZIP 后上传。",
    "overlapping": "压缩包结构异常：多个文件共用同一段数据，这是恶意构造的压缩包（“压缩炸弹”）的特征，无法读取；请用常用压缩软件重新压缩后上传。",
}


def _member(reason, name, **params):
    return reason, _MEMBER_MESSAGES[reason].format(name=shown(name), **params)


def _failure(reason, key=None, **params):
    return BatchFailure(reason, _BATCH_MESSAGES[key or reason].format(**params))
