"""Data validation (in-cell drop-down lists) for BIFF8 .xls workbook streams, which xlwt cannot write.

Record layouts follow [MS-XLS] (records DVal, Dv, Lbl, SupBook, ExternSheet; the globals and
worksheet substream grammars) and what Excel writes (tests/fixtures/excel-dv).

List sources: a list whose `代码-名称` entries fit Excel's 255-character limit is stored in
the DV formula itself (PtgStr, entries separated by NUL), so it works even if the code sheet is
edited. A longer list points at its range on the code sheet through a workbook-level defined name
(Lbl + SupBook/ExternSheet, PtgName in the DV formula). We prefer the name over a hidden copy of
the list on the data sheet because Excel 97-2003 rejects direct references to another sheet in a
validation but accepts names (the documented Excel 2003 idiom), the code sheet already holds the
values, and the data sheet keeps exactly the columns the reader and the clerk expect.
"""

import io
import re
import struct

import attrs
import xlrd.compdoc

BOF, EOF, BOUNDSHEET, COUNTRY = 0x0809, 0x000A, 0x0085, 0x008C
LBL, EXTERNSHEET, SUPBOOK, DVAL, DV = 0x0018, 0x0017, 0x01AE, 0x01B2, 0x01BE
# Records holding absolute stream positions besides BOUNDSHEET; xlwt writes none of them.
_POSITIONED = {0x00FF: "ExtSST", 0x020B: "Index"}
VALTYPE_LIST = 3
ERR_STOP, ERR_WARNING = 0, 1
PTG_STR, PTG_NAME, PTG_AREA3D = 0x17, 0x23, 0x3B
# Excel's limits: an explicit list, the two titles, the prompt, the error text, a record body.
LIST_MAX, TITLE_MAX, PROMPT_MAX, ERROR_MAX, RECORD_MAX = 255, 32, 255, 225, 8224
# Excel writes DVAL with this flag word and no drop-down object yet (it makes one when needed).
_DVAL_FLAGS, _NO_OBJECT = 0x0004, 0xFFFFFFFF
_NAME = re.compile(r"[^\W\d][\w.]{0,254}")


@attrs.frozen
class DvRecord:
    """The fields of one DV record; texts are str ("" for Excel's one-NUL empty text), formulas raw rgce."""

    val_type: int
    err_style: int
    str_lookup: bool
    allow_blank: bool
    suppress_combo: bool
    show_prompt: bool
    show_error: bool
    prompt_title: str
    error_title: str
    prompt: str
    error: str
    formula1: bytes
    formula2: bytes = b""
    sqref: tuple = ()
    ime_mode: int = 0
    operator: int = 0


def record(rtype, body):
    """Return one BIFF record: type, length, body."""
    if len(body) > RECORD_MAX:
        raise ValueError(f"record 0x{rtype:04X} body of {len(body)} bytes needs CONTINUE records")
    return struct.pack("<HH", rtype, len(body)) + body


def _chars(text):
    """Return (fHighByte, bytes): Latin-1 text compressed to one byte a char, other text UTF-16LE."""
    try:
        return 0, text.encode("latin-1")
    except UnicodeEncodeError:
        return 1, text.encode("utf-16-le")


def _string(text, count_format):
    """Encode an XLUnicodeString ('<H' count) or ShortXLUnicodeString ('<B' count)."""
    high, data = _chars(text)
    return struct.pack(count_format, len(data) >> high) + bytes([high]) + data


def _dv_text(text, limit, what):
    """Encode one DV text; Excel stores an empty text as a single NUL character, never cch=0."""
    if len(text) > limit:
        raise ValueError(f"{what} has {len(text)} characters, Excel allows {limit}: {text!r}")
    return _string(text or "\0", "<H")


def encode_dv(dv):
    """Return the DV record (header included) of a DvRecord; the unused words are written as zero."""
    flags = (
        dv.val_type
        | dv.err_style << 4
        | dv.str_lookup << 7
        | dv.allow_blank << 8
        | dv.suppress_combo << 9
        | dv.ime_mode << 10
        | dv.show_prompt << 18
        | dv.show_error << 19
        | dv.operator << 20
    )
    body = [
        struct.pack("<I", flags),
        _dv_text(dv.prompt_title, TITLE_MAX, "prompt title"),
        _dv_text(dv.error_title, TITLE_MAX, "error title"),
        _dv_text(dv.prompt, PROMPT_MAX, "prompt"),
        _dv_text(dv.error, ERROR_MAX, "error message"),
    ]
    for rgce in (dv.formula1, dv.formula2):
        body.append(struct.pack("<HH", len(rgce), 0) + rgce)
    body.append(struct.pack("<H", len(dv.sqref)))
    body += [struct.pack("<4H", *ref) for ref in dv.sqref]
    return record(DV, b"".join(body))


def encode_dval(count):
    """Return the DVAL record announcing `count` DV records."""
    return record(DVAL, struct.pack("<HIIII", _DVAL_FLAGS, 0, 0, _NO_OBJECT, count))


def list_formula(values):
    """Return the explicit-list rgce (one PtgStr, NUL-separated) of `values`, or None if Excel cannot hold it."""
    joined = "\0".join(values)
    # Excel shows and saves the list as "a,b"; it has no escape for commas or quotes in entries.
    if not values or len(joined) > LIST_MAX or any(ch in v for v in values for ch in ',"\0'):
        return None
    return bytes([PTG_STR]) + _string(joined, "<B")


def name_formula(index):
    """Return the rgce of a reference to the `index`-th (1-based) defined name of the workbook."""
    return struct.pack("<BI", PTG_NAME, index)


def encode_lbl(name, ixti, first_row, last_row, first_col, last_col):
    """Return the Lbl record of a workbook-level name for an absolute 3-D area (ixti into ExternSheet)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a defined name Excel accepts: {name!r}")
    rgce = struct.pack("<BH4H", PTG_AREA3D, ixti, first_row, last_row, first_col, last_col)
    high, chars = _chars(name)
    head = struct.pack("<HBBHHH4B", 0, 0, len(name), len(rgce), 0, 0, 0, 0, 0, 0)
    return record(LBL, head + bytes([high]) + chars + rgce)


def encode_link_table(sheet_count, tabs):
    """Return the SupBook (this workbook) and ExternSheet records giving one XTI per sheet index in `tabs`."""
    supbook = record(SUPBOOK, struct.pack("<HH", sheet_count, 0x0401))
    xtis = b"".join(struct.pack("<HHH", 0, tab, tab) for tab in tabs)
    return supbook + record(EXTERNSHEET, struct.pack("<H", len(tabs)) + xtis)


def list_dv(validation, formula):
    """Return the DvRecord of a layout ListValidation whose list is `formula`."""
    return DvRecord(
        val_type=VALTYPE_LIST,
        err_style=ERR_STOP if validation.strict else ERR_WARNING,
        str_lookup=formula[0] == PTG_STR,
        allow_blank=True,
        suppress_combo=False,
        show_prompt=True,
        show_error=True,
        prompt_title=validation.prompt_title,
        error_title=validation.error_title,
        prompt=validation.prompt,
        error=validation.error,
        formula1=formula,
        sqref=((validation.first_row, validation.last_row, validation.column, validation.column),),
    )


def read_records(stream):
    """Yield (type, body) for each record of a BIFF stream."""
    pos = 0
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        yield rtype, stream[pos + 4 : pos + 4 + size]
        pos += 4 + size


def _substreams(stream):
    """Split a workbook stream into top-level substreams, each a list of (type, body) from BOF to EOF."""
    substreams, depth = [], 0
    for rtype, body in read_records(stream):
        if depth == 0:
            if rtype == 0:
                break  # the compound file pads the stream with zeros
            if rtype != BOF:
                raise ValueError(f"record 0x{rtype:04X} outside any substream")
            substreams.append([])
        substreams[-1].append((rtype, body))
        depth += {BOF: 1, EOF: -1}.get(rtype, 0)
    if depth:
        raise ValueError("workbook stream ends inside a substream")
    return substreams


def _sheet_name(body):
    """Decode the ShortXLUnicodeString name of a BOUNDSHEET body."""
    cch, high = body[6], body[7] & 1
    return body[8 : 8 + cch * (1 + high)].decode("utf-16-le" if high else "latin-1")


def add_validations(stream, validations):
    """Return a copy of the BIFF8 workbook `stream` with each sheet's ListValidations (one tuple per sheet) as drop-downs.

    Meant for xlwt's stream, whose only absolute stream positions are BOUNDSHEET offsets; streams
    with other positioned records, or with names or validations of their own, raise ValueError.
    """
    book, *sheets = _substreams(stream)
    if len(validations) != len(sheets):
        raise ValueError(f"{len(validations)} validation groups for {len(sheets)} sheets")
    types = {rtype for sub in (book, *sheets) for rtype, _ in sub}
    if clash := types & ({DVAL, DV, LBL, SUPBOOK, EXTERNSHEET} | set(_POSITIONED)):
        raise ValueError(f"stream already has records {sorted(hex(t) for t in clash)}")
    tabs = {_sheet_name(body): n for n, (rtype, body) in enumerate(r for r in book if r[0] == BOUNDSHEET)}
    if unknown := {v.source[0] for group in validations for v in group} - set(tabs):
        raise ValueError(f"validation sources on unknown sheets {sorted(unknown)}")

    # Follow Excel, which writes its names sorted; PtgName indexes count in that order.
    areas = {}
    for v in (v for group in validations for v in group if list_formula(v.values) is None):
        sheet, first, last, col = v.source
        if areas.setdefault(v.name, (tabs[sheet], first, last, col)) != (tabs[sheet], first, last, col):
            raise ValueError(f"defined name {v.name!r} given two different sources")
    names = sorted(areas, key=str.lower)
    ixti = {tab: n for n, tab in enumerate(sorted({a[0] for a in areas.values()}))}

    chunks = []
    for sub, group in zip(sheets, validations):
        dvs = b"".join(
            encode_dv(list_dv(v, list_formula(v.values) or name_formula(names.index(v.name) + 1))) for v in group
        )
        # DVAL and its DVs close the worksheet substream, right before EOF.
        tail = encode_dval(len(group)) + dvs if group else b""
        chunks.append(b"".join(record(t, b) for t, b in sub[:-1]) + tail + record(*sub[-1]))

    links = b""
    if names:
        links = encode_link_table(len(sheets), sorted(ixti))
        for name in names:
            tab, first, last, col = areas[name]
            links += encode_lbl(name, ixti[tab], first, last, col, col)
    # SupBook, ExternSheet and Lbl records follow the BOUNDSHEETs and COUNTRY in the globals grammar.
    at = max(n for n, (rtype, _) in enumerate(book) if rtype in (BOUNDSHEET, COUNTRY)) + 1
    head = [record(t, b) for t, b in book[:at]]
    rest = b"".join(record(t, b) for t, b in book[at:])
    position = sum(map(len, head)) + len(links) + len(rest)
    offsets = []
    for chunk in chunks:
        offsets.append(position)
        position += len(chunk)
    # Rewrite each BOUNDSHEET's stream position of its sheet's BOF; they are in sheet order.
    for n, index in enumerate(i for i, (rtype, _) in enumerate(book[:at]) if rtype == BOUNDSHEET):
        head[index] = head[index][:4] + struct.pack("<I", offsets[n]) + head[index][8:]
    return b"".join(head) + links + rest + b"".join(chunks)


def _read_string(body, pos):
    """Decode an XLUnicodeString at `pos`; return (text, next position)."""
    cch, high = struct.unpack_from("<HB", body, pos)
    end = pos + 3 + cch * (1 + (high & 1))
    return body[pos + 3 : end].decode("utf-16-le" if high & 1 else "latin-1"), end


def decode_dv(body):
    """Parse a DV record body into a DvRecord."""
    (flags,) = struct.unpack_from("<I", body)
    texts, pos = [], 4
    for _ in range(4):
        text, pos = _read_string(body, pos)
        texts.append("" if text == "\0" else text)
    formulas = []
    for _ in range(2):
        (cce,) = struct.unpack_from("<H", body, pos)
        formulas.append(body[pos + 4 : pos + 4 + cce])
        pos += 4 + cce
    (count,) = struct.unpack_from("<H", body, pos)
    sqref = tuple(struct.unpack_from("<4H", body, pos + 2 + 8 * n) for n in range(count))
    return DvRecord(
        val_type=flags & 0xF,
        err_style=flags >> 4 & 0x7,
        str_lookup=bool(flags & 1 << 7),
        allow_blank=bool(flags & 1 << 8),
        suppress_combo=bool(flags & 1 << 9),
        show_prompt=bool(flags & 1 << 18),
        show_error=bool(flags & 1 << 19),
        prompt_title=texts[0],
        error_title=texts[1],
        prompt=texts[2],
        error=texts[3],
        formula1=formulas[0],
        formula2=formulas[1],
        sqref=sqref,
        ime_mode=flags >> 10 & 0xFF,
        operator=flags >> 20 & 0xF,
    )


def workbook_stream(xls_bytes):
    """Return the BIFF Workbook stream of an .xls file."""
    doc = xlrd.compdoc.CompDoc(xls_bytes, logfile=io.StringIO())
    stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    if stream is None:
        raise ValueError("no Workbook stream in the file")
    return stream


def read_dv_records(xls_bytes):
    """Return the DvRecords of an .xls file, as one tuple per sheet in workbook order."""
    _, *sheets = _substreams(workbook_stream(xls_bytes))
    return tuple(tuple(decode_dv(body) for rtype, body in sub if rtype == DV) for sub in sheets)


def list_values(dv):
    """Return the entries of an explicit-list DvRecord, or None when its list is a reference."""
    if dv.formula1[:1] != bytes([PTG_STR]):
        return None
    cch, high = dv.formula1[1], dv.formula1[2] & 1
    text = dv.formula1[3 : 3 + cch * (1 + high)].decode("utf-16-le" if high else "latin-1")
    return tuple(text.split("\0"))
