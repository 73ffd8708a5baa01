"""Telling what an uploaded file really is from its bytes, whatever its name claims."""

import codecs
import io
import re
import struct
import zipfile

import attrs

__all__ = ["Sniffed", "sniff", "is_workbook", "biff_has_filepass"]

_HEAD = 256 * 1024  # magic, markup and text checks look no further than this
_BLANK = b" \t\r\n\x00"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# FILEPASS follows the workbook's BOF (MS-XLS lets only WRITEPROTECT come between them): the
# stream's first sectors hold it. Reading more made sniffing each ZIP member of an ingest 3x slower.
_FILEPASS_WITHIN = 4096
_MARKER = 0xFFFFFFFA  # CFB sector ids from here up are end/free markers, not sectors
_BIFF_BOF = {0x0009: "Excel 2.x", 0x0209: "Excel 3.0", 0x0409: "Excel 4.0", 0x0809: "Excel 5.0/95"}
_MAGIC = (
    (b"Rar!\x1a\x07", "rar", "RAR 压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z", "7z 压缩包"),
    (b"\x89PNG\r\n\x1a\n", "image", "PNG 图片"), (b"\xff\xd8\xff", "image", "JPEG 图片"),
    (b"GIF87a", "image", "GIF 图片"), (b"GIF89a", "image", "GIF 图片"),
    (b"II*\x00", "image", "TIFF 图片"), (b"MM\x00*", "image", "TIFF 图片"),
    (b"\x1f\x8b", "gzip", "GZIP 压缩文件"), (b"{\\rtf", "rtf", "RTF 富文本文档"),
)
_OLE_OTHERS = (("worddocument", "Word 97-2003 文档（.doc）"), ("powerpoint document", "PowerPoint 演示文稿（.ppt）"))
_XLS_STREAMS = (("workbook", "Excel 97-2003 工作簿（.xls）"), ("book", "Excel 5.0/95 工作簿（.xls）"))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig", "UTF-8 带 BOM"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\ufffd]")
# Processing instructions, comments and blanks that may precede the first element.
_PROLOGUE = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_FIRST_TAG = re.compile(r"<(?:!doctype\s+)?([\w:.-]+)")
_HTML_TAGS = {"html", "head", "body", "table", "meta", "title", "style", "script", "link", "div"}
# Mail-style headers (Excel's 'single file web page') before MIME-Version.
_MHTML = re.compile(r"(?:[\w-]+:[^\n]*\n)*mime-version:")
_OOXML_MAIN = re.compile(r"(spreadsheetml|ms-excel|wordprocessingml|presentationml)\.[\w.]*?main\b")
_UNKNOWN = ("unknown", "无法识别的二进制文件")


@attrs.frozen
class Sniffed:
    """What a file really is: a stable `format` id, a Chinese `description`, a text `encoding`."""

    format: str
    description: str
    encoding: str | None = None


def is_workbook(sniffed):
    """Tell whether the sniffed file is a workbook this project reads (.xls or .xlsx)."""
    return sniffed.format in ("xls", "xlsx")


def sniff(data):
    """Name the real format of the uploaded bytes `data`; never raises."""
    try:
        return _sniff(bytes(data))
    except Exception:  # a sniffer must never be the reason an upload crashes
        return Sniffed(*_UNKNOWN)


def biff_has_filepass(stream):
    """Tell whether a BIFF workbook stream has FILEPASS (0x002F) before its globals end."""
    pos = 0
    while pos + 4 <= len(stream):
        rtype, length = struct.unpack_from("<HH", stream, pos)
        if rtype == 0x002F:
            return True
        # Record headers stay in the clear after FILEPASS, so walking on is safe.
        if (pos == 0) != (rtype in _BIFF_BOF) or rtype == 0x000A:
            return False
        pos += 4 + length
    return False


def _sniff(data):
    head = data[:_HEAD]
    if not head.strip(_BLANK) and not data.strip(_BLANK):
        return Sniffed("empty", "空文件")
    if head.startswith(_CFB_MAGIC):
        return _sniff_cfb(data)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(data)
    for magic, fmt, desc in _MAGIC:
        if head.startswith(magic):
            return Sniffed(fmt, desc)
    if b"%PDF-" in head[:1024]:  # readers accept junk before the header
        return Sniffed("pdf", "PDF 文档")
    dib = struct.unpack_from("<I", head, 14)[0] if len(head) >= 18 else 0
    if head[:2] == b"BM" and dib in (12, 40, 52, 56, 108, 124):
        return Sniffed("image", "BMP 图片")
    rtype, length = struct.unpack_from("<HH", head) if len(head) >= 8 else (0, 0)
    if rtype in _BIFF_BOF and length in (4, 6, 8, 16):
        return Sniffed("biff_old", f"早期版本的 Excel 工作表（{_BIFF_BOF[rtype]} 格式）")
    complete = len(data) <= _HEAD
    decoded = _decode(head, complete)
    return _sniff_text(*decoded, complete) if decoded else Sniffed(*_UNKNOWN)


class _Cfb:
    """Just enough of a compound file (MS-CFB) to list the root's streams and read one's start."""

    def __init__(self, data):
        self.data = data
        (shift,) = struct.unpack_from("<H", data, 0x1E)
        if shift not in (9, 12):
            raise ValueError("sector size")
        self.size = 1 << shift
        self.limit = len(data) // 64 + 1  # no real chain is longer: this bounds cycles
        fields = struct.unpack_from("<7I", data, 0x30)
        self.dir_start, _, self.cutoff, self.minifat_start, _, difat, n_difat = fields
        self.fat = list(struct.unpack_from("<109I", data, 0x4C))
        for _ in range(min(n_difat, self.limit)):
            if difat >= _MARKER:
                break
            entries = struct.unpack_from(f"<{self.size // 4}I", data, (difat + 1) * self.size)
            self.fat += entries[:-1]
            difat = entries[-1]

    def _next(self, sid):
        fat_sector, index = divmod(sid, self.size // 4)
        return struct.unpack_from("<I", self.data, (self.fat[fat_sector] + 1) * self.size + index * 4)[0]

    def _chain(self, sid, step):
        for _ in range(self.limit):
            if sid >= _MARKER:
                return
            yield sid
            sid = step(sid)

    def _regular(self, sid, limit):
        out = bytearray()
        for sector in self._chain(sid, self._next):
            if len(out) >= limit:
                break
            start = (sector + 1) * self.size
            if start + self.size > len(self.data):
                raise ValueError("sector past the end of the file")
            out += self.data[start:start + self.size]
        return bytes(out[:limit])

    def root_streams(self):
        """Map the lower-cased names of the root storage's children to (type, start, size)."""
        raw = self._regular(self.dir_start, len(self.data))

        def entry(i):
            name, nlen, kind, _, left, right, child = struct.unpack_from("<64sHBB3I", raw, i * 128)
            start, size = struct.unpack_from("<2I", raw, i * 128 + 116)
            name = name[:max(nlen - 2, 0)].decode("utf-16-le", "replace").lower()
            return name, kind, left, right, child, start, size

        root = entry(0)
        self.root = (root[1], root[5], root[6])
        found, stack, seen = {}, [root[4]], set()
        while stack:  # the children form a red-black tree linked by left/right ids
            i = stack.pop()
            if i >= _MARKER or i in seen or (i + 1) * 128 > len(raw):
                continue
            seen.add(i)
            name, kind, left, right, _, start, size = entry(i)
            found[name] = (kind, start, size)
            stack += [left, right]
        return found

    def read(self, entry, limit):
        """Return the first `limit` bytes of the stream described by a directory `entry`."""
        _, sid, size = entry
        if size >= self.cutoff:
            return self._regular(sid, min(size, limit))
        # Small streams live in 64-byte mini sectors inside the root entry's own stream.
        mini = self._regular(self.root[1], self.root[2])
        minifat = self._regular(self.minifat_start, self.limit * 4)
        sectors = self._chain(sid, lambda s: struct.unpack_from("<I", minifat, s * 4)[0])
        return b"".join(mini[s * 64:s * 64 + 64] for s in sectors)[:min(size, limit)]


def _sniff_cfb(data):
    try:
        cfb = _Cfb(data)
        names = cfb.root_streams()
    except Exception:  # truncated or mangled headers fail in many ways; all mean the same here
        return Sniffed("ole_damaged", "已损坏或不完整的 Office 复合文档")
    if "encryptedpackage" in names or "encryptioninfo" in names:
        return Sniffed("ooxml_encrypted", "设置了打开密码的 .xlsx 等 Office 文档")
    # Only the root's children are listed: sheets embedded in a .doc sit in nested storages.
    for name, desc in _OLE_OTHERS:
        if name in names:
            return Sniffed("ole_other", desc)
    for name, desc in _XLS_STREAMS:
        if names.get(name, (0,))[0] == 2:
            try:
                locked = biff_has_filepass(cfb.read(names[name], _FILEPASS_WITHIN))
            except Exception:
                return Sniffed("ole_damaged", "已损坏或不完整的 Excel 97-2003 工作簿")
            return Sniffed("xls_encrypted", "设置了打开密码的 " + desc) if locked else Sniffed("xls", desc)
    return Sniffed("ole_other", "不含 Excel 工作簿的 OLE 复合文档")


def _sniff_zip(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.lower(): name for name in archive.namelist()}

            def member(name, limit):
                try:
                    with archive.open(names[name]) as handle:
                        return handle.read(limit).decode("utf-8", "replace").lower()
                except Exception:  # absent, encrypted or corrupt members just tell nothing
                    return ""

            mimetype, types = member("mimetype", 200), member("[content_types].xml", 256 * 1024)
    except Exception:  # zipfile raises more than BadZipFile on mangled directories
        hint = "（可能是未传完整的 .xlsx）" if b"xl/" in data[:_HEAD] else ""
        return Sniffed("zip_damaged", "已损坏或不完整的 ZIP 压缩包" + hint)
    if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
        return Sniffed("ods", "OpenDocument 电子表格（.ods）")
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return Sniffed("odf", "OpenDocument 文档（不是电子表格）")
    if types:
        main = _OOXML_MAIN.search(types)
        kind = main.group(0) if main else ""
        if "xl/workbook.bin" in names or "binary" in kind:
            return Sniffed("xlsb", "Excel 二进制工作簿（.xlsb）")
        if "xl/workbook.xml" in names or kind.startswith(("spreadsheetml", "ms-excel")):
            return Sniffed("xlsx", "Excel 工作簿（.xlsm 启用宏）" if "macro" in kind else "Excel 工作簿（.xlsx）")
        if "word/document.xml" in names or kind.startswith("wordprocessingml"):
            return Sniffed("docx", "Word 文档（.docx）")
        if "ppt/presentation.xml" in names or kind.startswith("presentationml"):
            return Sniffed("pptx", "PowerPoint 演示文稿（.pptx）")
        return Sniffed("ooxml", "其他 Office Open XML 文档")
    sheets = sum(name.endswith((".xls", ".xlsx", ".xlsm", ".et")) for name in names)
    return Sniffed("zip", f"ZIP 压缩包（内含 {sheets} 个 Excel 文件）" if sheets else "ZIP 压缩包")


def _decode(head, complete):
    """Decode the head of a text file as (text, codec, label), or None when it is not text."""
    candidates = [(codec, label) for bom, codec, label in _BOMS if head.startswith(bom)]
    if not candidates:
        sample = head[:4096]
        half = len(sample) // 2 or 1
        odd, even = sample[1::2].count(0) / half, sample[0::2].count(0) / half
        if odd > 0.3 and even < 0.05:  # mostly-ASCII UTF-16 without a BOM
            candidates = [("utf-16-le", "UTF-16 LE")]
        elif even > 0.3 and odd < 0.05:
            candidates = [("utf-16-be", "UTF-16 BE")]
        else:
            candidates = [("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")]
    for codec, label in candidates:
        try:
            # A head cut mid-character is fine; UTF-16 may also end on a lone byte.
            text = codecs.getincrementaldecoder(codec)().decode(head, complete and "16" not in codec)
        except UnicodeDecodeError:
            continue
        body = text.rstrip("\0")
        if body.strip() and len(_CONTROL.findall(body)) <= len(body) // 100:
            return text, codec, label
    return None


def _sniff_text(text, codec, label, complete):
    low = text.lstrip("\ufeff \t\r\n\0")[:64 * 1024].lower()
    if _MHTML.match(low[:4096]):
        return Sniffed("html", "单个文件网页（MHTML）", codec)
    tag = _FIRST_TAG.match(low, _PROLOGUE.match(low).end()) if low.startswith("<") else None
    tag = tag and tag.group(1)
    if tag in _HTML_TAGS:
        if "urn:schemas-microsoft-com:office:excel" in low:
            return Sniffed("html", "Excel 另存为的网页文件（HTML）", codec)
        return Sniffed("html", "网页格式的表格（HTML）" if "<table" in low else "网页文件（HTML）", codec)
    if tag and "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return Sniffed("xml_spreadsheet", "Excel 2003 XML 表格（SpreadsheetML）", codec)
    if tag:
        return Sniffed("xml", "XML 文件", codec)
    lines = re.split(r"\r\n|\r|\n", text, maxsplit=50)
    if len(lines) > 50 or not complete:  # the last piece may be a cut-off row
        lines = lines[:-1]
    rows = [line for line in lines if line.strip()]
    for delim, name in ((",", "CSV 表格文本（逗号分隔"), ("\t", "表格文本（制表符分隔")):
        counts = [row.count(delim) for row in rows]
        common = max(set(counts), key=counts.count) if counts else 0
        if len(rows) >= 2 and min(counts) >= 1 and counts.count(common) * 5 >= len(rows) * 3:
            return Sniffed("csv", f"{name}，{label} 编码）", codec)
    return Sniffed("text", f"文本文件（{label} 编码）", codec)
