"""staffrec's compiled BIFF8 text reader (staffrec/_biff.c, staffrec/biff_text.py) reads texts exactly as xlrd.

Workbook streams are built here record by record; xlrd reads a bare BIFF stream as it reads the
Workbook stream of an .xls, so each case is compared with xlrd on the very same bytes. Whatever
the compiled reader does not take (None) goes to calamine and xlrd; it must never crash, read
outside the stream or take a file xlrd reads differently.
"""

import random
import struct
import traceback

import pytest
import xlrd

from biff_mutations import mutated
from fast_corpus import fixture_files, template_files, tricky_files
import staffrec.reader
from staffrec import biff_text, open_template
from staffrec.calamine_reader import MAX_FAST_COLUMNS, biff8_stream
from staffrec.catalogue import catalogue as shipped_catalogue
from staffrec.registry import parse_registry

from conftest import REGISTRY_CSV

_biff = biff_text._biff
EOF = b"\x0a\x00\x00\x00"


def record(rtype, payload):
    return struct.pack("<HH", rtype, len(payload)) + payload


def bof(kind):
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 0, 0, 0))


def text(value, wide=False):
    """An SST entry: character count, flags, then Latin-1 or UTF-16LE characters."""
    return struct.pack("<HB", len(value), int(wide)) + value.encode("utf-16-le" if wide else "latin-1")


def sst(entries, count=None, continues=()):
    """An SST record holding `entries` (bytes), then a CONTINUE record per bytes in `continues`."""
    count = len(entries) if count is None else count
    return record(0x00FC, struct.pack("<ii", count, count) + b"".join(entries)) + b"".join(record(0x003C, c) for c in continues)


def labelsst(row, col, index):
    return record(0x00FD, struct.pack("<HHHi", row, col, 15, index))


def label(row, col, value):
    return record(0x0204, struct.pack("<HHH", row, col, 15) + text(value))


def boundsheet(offset, name, visibility=0, kind=0):
    return record(0x0085, struct.pack("<iBB", offset, visibility, kind) + struct.pack("<BB", len(name), 0) + name.encode("latin-1"))


def workbook(shared, sheets, globals_extra=b"", globals_bof=None, sheet_bof=None):
    """A BIFF8 stream: globals (sheets, `shared` SST records), then each (name, visibility, body)."""

    def head(offsets):
        names = b"".join(boundsheet(o, n, v) for o, (n, v, _) in zip(offsets, sheets))
        return (globals_bof or bof(5)) + globals_extra + names + shared + EOF

    bodies = [(sheet_bof or bof(0x10)) + body + EOF for _, _, body in sheets]
    offsets, pos = [], len(head([0] * len(sheets)))
    for body in bodies:
        offsets.append(pos)
        pos += len(body)
    return head(offsets) + b"".join(bodies)


def compiled(stream):
    """Return [(name, hidden, rows)] as the compiled reader gives them, or None when it declines."""
    parsed = _biff.parse(stream, MAX_FAST_COLUMNS)
    if parsed is None:
        return None
    strings, sheets = parsed
    return [(name, visibility != 0, _biff.rows(strings, cells)) for name, visibility, cells in sheets]


def by_xlrd(stream):
    """Return [(name, hidden, rows)] as xlrd reads them (texts only, "" elsewhere), or None when xlrd fails."""
    read = xlrd_or_failure(stream)
    return None if isinstance(read, Exception) else read


def xlrd_or_failure(stream):
    """Return [(name, hidden, rows)] as xlrd reads them, or the exception xlrd raised."""
    try:
        book = xlrd.open_workbook(file_contents=stream, ragged_rows=True, logfile=open("/dev/null", "w"))
    except Exception as exc:  # noqa: BLE001 - any failure means "xlrd cannot read it"
        return exc
    return [
        (s.name, s.visibility != 0, [[v if t == xlrd.XL_CELL_TEXT else "" for t, v in zip(s.row_types(r), s.row_values(r))] for r in range(s.nrows)])
        for s in book.sheets()
    ]


def same_texts(ours, theirs):
    """Tell whether two [(name, hidden, rows)] hold the same texts, empty cells and rows aside.

    The compiled reader pads rows to the sheet's width, xlrd keeps them ragged; staffrec reads a
    missing cell as an empty one (see reader._read_stamp), so trailing empty cells do not count.
    """

    def trimmed(rows):
        cut = [list(row) for row in rows]
        for row in cut:
            while row and row[-1] == "":
                row.pop()
        while cut and not cut[-1]:
            cut.pop()
        return cut

    return [(n, h, trimmed(r)) for n, h, r in ours] == [(n, h, trimmed(r)) for n, h, r in theirs]


def test_the_compiled_reader_is_built():
    """setup.py builds it (optional there, so that an install without a C compiler still works)."""
    assert _biff is not None, "staffrec._biff was not built: run `make install` with gcc and the Python headers"


def test_texts_split_across_continue_records_are_read_as_xlrd_reads_them():
    # A string starting compressed in the SST and going on as UTF-16 in a CONTINUE (which
    # restates the flags), a rich-text string whose runs start a CONTINUE, a string with a
    # phonetic block reaching into the next CONTINUE, and an empty string.
    first = struct.pack("<HB", 5, 0) + b"ab"
    second = b"\x01" + "中文字".encode("utf-16-le")
    rich = struct.pack("<HBH", 2, 0x08, 2) + b"xy"
    runs = struct.pack("<HHHH", 0, 1, 1, 2)
    phonetic = struct.pack("<HBi", 1, 0x04, 6) + b"p" + b"\x00" * 4
    rest = b"\x00\x00" + text("") + text("末", wide=True)
    shared = sst([first], count=5, continues=[second + rich, runs + phonetic, rest])
    body = b"".join(labelsst(r, 0, r) for r in range(5))
    stream = workbook(shared, [("S", 0, body)])
    ours = compiled(stream)
    assert ours == [("S", False, [["ab中文字"], ["xy"], ["p"], [""], ["末"]])]
    assert same_texts(ours, by_xlrd(stream))


def test_an_odd_byte_at_a_records_end_is_dropped_as_xlrd_drops_it():
    wide = struct.pack("<HB", 2, 1) + "甲".encode("utf-16-le") + b"\x99"  # one character, then a stray byte
    stream = workbook(sst([wide], count=1, continues=[b"\x01" + "乙".encode("utf-16-le")]), [("S", 0, labelsst(0, 0, 0))])
    assert compiled(stream) == [("S", False, [["甲乙"]])]
    assert same_texts(compiled(stream), by_xlrd(stream))


def test_label_records_hidden_sheets_and_the_last_of_two_cells_in_one_place():
    shared = sst([text("one"), text("two")])
    body = labelsst(1, 2, 0) + labelsst(1, 2, 1) + label(3, 0, "own")
    stream = workbook(shared, [("A", 0, body), ("B", 1, labelsst(0, 0, 0))])
    ours = compiled(stream)
    assert ours == [("A", False, [[], ["", "", "two"], [], ["own", "", ""]]), ("B", True, [["one"]])]
    assert same_texts(ours, by_xlrd(stream))


def test_an_embedded_chart_is_skipped_as_xlrd_skips_it():
    chart = bof(0x20) + labelsst(0, 0, 1) + EOF
    stream = workbook(sst([text("kept"), text("chart")]), [("S", 0, labelsst(0, 0, 0) + chart + labelsst(1, 0, 0))])
    assert compiled(stream) == [("S", False, [["kept"], ["kept"]])]
    assert same_texts(compiled(stream), by_xlrd(stream))


def test_rows_share_each_shared_string():
    stream = workbook(sst([text("同", wide=True)]), [("S", 0, labelsst(0, 0, 0) + labelsst(1, 0, 0))])
    rows = compiled(stream)[0][2]
    assert rows[0][0] is rows[1][0]


@pytest.mark.parametrize(
    "case, body",
    [
        ("number", record(0x0203, struct.pack("<HHHd", 0, 0, 15, 1.5))),
        ("rk", record(0x027E, struct.pack("<HHHi", 0, 0, 15, 2))),
        ("formula", record(0x0006, struct.pack("<HHH8sHI", 0, 0, 15, b"\x00" * 8, 0, 0) + b"\x00\x00")),
        ("boolean or error", record(0x0205, struct.pack("<HHHBB", 0, 0, 15, 7, 1))),
        ("text right of the fast columns", labelsst(0, MAX_FAST_COLUMNS, 0)),
        ("shared string past the table", labelsst(0, 0, 1)),
        ("negative shared string index", labelsst(0, 0, -1)),
        ("LABELSST of 11 bytes", record(0x00FD, struct.pack("<HHHiB", 0, 0, 15, 0, 0))),
        ("short DIMENSIONS", record(0x0200, b"\x00" * 6)),
        ("short old DIMENSIONS", record(0x0000, b"\x00" * 6)),
        # xlrd counts rows again from each DIMENSIONS: rows written before it may be dropped.
        ("DIMENSIONS after a cell", labelsst(3, 0, 0) + record(0x0200, b"\x00" * 14) + labelsst(0, 0, 0)),
        ("old DIMENSIONS after a cell", labelsst(3, 0, 0) + record(0x0000, b"\x00" * 14) + labelsst(0, 0, 0)),
        ("short WINDOW2", record(0x023E, b"\x00" * 10)),
        ("short SCL", record(0x00A0, b"\x01\x00")),
        ("short PANE", record(0x0041, b"\x00" * 8)),
        ("short DEFCOLWIDTH", record(0x0055, b"\x08")),
        ("short STANDARDWIDTH", record(0x0099, b"\x08")),
        ("short COUNTRY", record(0x008C, b"\x56\x00")),
        ("short embedded BOF", record(0x0809, b"\x00\x06")),
        ("shared formula", record(0x04BC, b"\x00" * 10)),
        ("array formula", record(0x0221, b"\x00" * 14)),
        ("label ranges", record(0x015F, b"\x00\x00")),
        ("comment text before any object", record(0x01B6, bytes(18))),
        ("an empty object", record(0x005D, b"")),
        ("record running past the stream", struct.pack("<HH", 0x00FD, 500)),
    ],
)
def test_what_the_compiled_reader_cannot_tell_exactly_is_declined(case, body):
    stream = workbook(sst([text("x")]), [("S", 0, body)])
    assert compiled(stream) is None, case


def test_records_xlrd_reads_without_a_cell_are_taken_when_whole():
    body = record(0x0200, b"\x00" * 14) + labelsst(0, 0, 0) + record(0x00A0, b"\x01\x00\x01\x00") + record(0x0041, b"\x00" * 10)
    globals_extra = record(0x0042, struct.pack("<H", 936)) + record(0x0022, b"\x01\x00") + record(0x008C, struct.pack("<HH", 86, 86))
    stream = workbook(sst([text("x")]), [("S", 0, body + record(0x008C, struct.pack("<HH", 86, 86)))], globals_extra=globals_extra)
    assert compiled(stream) == [("S", False, [["x"]])]
    assert same_texts(compiled(stream), by_xlrd(stream))


@pytest.mark.parametrize(
    "case, options",
    [
        ("a BOF of 24 bytes opening the globals", {"globals_bof": record(0x0809, struct.pack("<HH", 0x0600, 5) + bytes(20))}),
        ("a BOF of 24 bytes opening a sheet", {"sheet_bof": record(0x0809, struct.pack("<HH", 0x0600, 0x10) + bytes(20))}),
        ("a code page Python has no codec for", {"globals_extra": record(0x0042, struct.pack("<H", 301))}),
        ("a code page whose codec cannot decode ASCII", {"globals_extra": record(0x0042, struct.pack("<H", 424))}),
        ("a short CODEPAGE", {"globals_extra": record(0x0042, b"\x01")}),
        ("a date mode of 2", {"globals_extra": record(0x0022, b"\x02\x00")}),
        ("two COUNTRY records apart", {"globals_extra": record(0x008C, struct.pack("<HH", 1, 1)) + record(0x008C, struct.pack("<HH", 86, 86))}),
    ],
)
def test_globals_xlrd_refuses_are_declined(case, options):
    stream = workbook(sst([text("x")]), [("S", 0, labelsst(0, 0, 0))], **options)
    assert by_xlrd(stream) is None, case  # the case really is one xlrd refuses
    assert compiled(stream) is None, case


def test_a_sheets_country_unlike_the_workbooks_is_declined():
    stream = workbook(sst([text("x")]), [("S", 0, record(0x008C, struct.pack("<HH", 86, 86)))], globals_extra=record(0x008C, struct.pack("<HH", 1, 1)))
    assert by_xlrd(stream) is None and compiled(stream) is None


def test_country_records_of_sheets_stored_out_of_their_tab_order_are_declined():
    """xlrd reads the sheets in tab order: (1,1) of the first tab, then (0,0) of the second fails."""
    country = lambda value: record(0x008C, struct.pack("<HH", value, value))  # noqa: E731
    stream = workbook(sst([text("x")]), [("A", 0, country(0)), ("B", 0, country(1))])
    first, second = (stream.index(bof(0x10)), stream.index(bof(0x10), stream.index(bof(0x10)) + 1))
    swapped = stream.replace(boundsheet(first, "A"), boundsheet(second, "A")).replace(boundsheet(second, "B"), boundsheet(first, "B"))
    assert swapped != stream
    assert by_xlrd(swapped) is None and compiled(swapped) is None


def test_no_cell_right_of_column_iv_is_taken_whatever_the_caller_asks():
    stream = workbook(sst([text("x")]), [("S", 0, labelsst(0, 300, 0))])
    assert by_xlrd(stream) is None
    assert _biff.parse(stream, 1000) is None


def test_encrypted_and_odd_globals_are_declined():
    plain = workbook(sst([text("x")]), [("S", 0, labelsst(0, 0, 0))])
    assert compiled(plain) is not None
    assert compiled(workbook(sst([text("x")]), [("S", 0, b"")], globals_extra=record(0x002F, b"\x00" * 6))) is None
    assert compiled(plain.replace(bof(5), bof(0x10), 1)) is None  # not workbook globals
    assert compiled(workbook(sst([text("x")]), [("S", 0, b"")], globals_extra=record(0x008E, bytes(4)))) is None  # BIFF4W
    assert compiled(workbook(sst([text("x")], count=10**6), [("S", 0, b"")])) is None  # count beyond the table
    assert compiled(workbook(sst([text("x")], count=2), [("S", 0, b"")])) is None  # fewer strings than counted
    assert compiled(workbook(sst([text("x")]) + sst([text("y")]), [("S", 0, b"")])) is None  # two tables
    lone = struct.pack("<HB", 1, 1) + b"\x00\xd8"  # an unpaired surrogate: xlrd's decoder fails
    assert compiled(workbook(sst([lone], count=1), [("S", 0, labelsst(0, 0, 0))])) is None


def test_sheets_sharing_bytes_are_declined():
    stream = workbook(sst([text("x")]), [("A", 0, labelsst(0, 0, 0)), ("B", 0, labelsst(0, 0, 0))])
    first = stream.index(bof(0x10))
    second = stream.index(bof(0x10), first + 1)
    twice = stream.replace(boundsheet(second, "B"), boundsheet(first, "B"))
    assert twice.count(boundsheet(first, "B")) == 1  # B's entry, and only it, now points at A
    assert compiled(stream) is not None and compiled(twice) is None


def test_every_cut_of_a_stream_is_declined_without_reading_past_it():
    stream = workbook(sst([text("ab"), text("中", wide=True)]), [("S", 0, labelsst(0, 0, 0) + label(1, 1, "c"))])
    for size in range(len(stream)):
        assert compiled(stream[:size]) is None, size
    assert compiled(stream) is not None


def read_as(template):
    """What a Template holds that a reader decides: stamp, sign-off, findings, rows, values, cells."""
    return (template.stamp, dict(template.signoff), template.findings,
            [(r.row, r.values, r.cells) for r in template.records])


def test_open_template_reads_a_filled_template_with_the_compiled_reader(monkeypatch, compiled_parses):
    cat = shipped_catalogue()
    files = template_files(parse_registry(REGISTRY_CSV, catalogue=cat), cat)
    name, data = [f for f in files if f[0].endswith(".xls")][1]  # the first kind's, filled
    with monkeypatch.context() as patch:
        patch.setattr(staffrec.reader, "read_fast", lambda fmt, data: None)
        exact = open_template(data, name=name)  # xlrd
    assert len(exact.records) == 30
    template = open_template(data, name=name)
    assert len(compiled_parses) == 1 and read_as(template) == read_as(exact)
    # Nothing else read it: with calamine and xlrd unable to, the file still reads.
    monkeypatch.setattr("staffrec.fast_read.read_calamine", lambda fmt, data: pytest.fail("calamine asked"))
    monkeypatch.setitem(staffrec.reader.READERS, "xls", lambda data: pytest.fail("xlrd asked"))
    assert read_as(open_template(data, name=name)) == read_as(exact)


# xlrd's handlers of records holding no cell text (formatting, names and links, comments and
# drawings): the compiled reader steps over these records, as calamine does, so a file damaged only
# there is read where xlrd calls it corrupt (docs/reliability.md).
STEPPED_OVER = {
    "handle_font", "handle_format", "handle_xf", "handle_palette", "handle_style", "xf_epilogue",
    "handle_name", "names_epilogue", "handle_externname", "handle_externsheet", "handle_supbook",
    "handle_writeaccess", "handle_hlink", "handle_quicktip", "handle_obj", "handle_txo", "handle_note",
}


@pytest.fixture(scope="module")
def corpus_streams():
    cat = shipped_catalogue()
    registry = parse_registry(REGISTRY_CSV, catalogue=cat)
    files = fixture_files() + template_files(registry, cat) + tricky_files(registry, cat)
    streams = [(name, biff8_stream(data)) for name, data in files if name.lower().endswith(".xls")]
    return [(name, stream) for name, stream in streams if stream is not None]


def test_the_corpus_reads_as_xlrd_reads_it(corpus_streams):
    taken = 0
    for name, stream in corpus_streams:
        ours = compiled(stream)
        if ours is None:
            continue
        theirs = by_xlrd(stream)
        assert theirs is not None, f"{name}: taken, but xlrd cannot read it"
        assert same_texts(ours, theirs), name
        taken += 1
    assert taken >= 50, taken  # every kind's template and the text-only fixtures of other programs


def test_damaged_streams_never_crash_and_what_is_taken_reads_as_xlrd_reads_it(corpus_streams):
    """Seeded byte flips, cuts and splices of real streams: None, or xlrd's texts where xlrd reads it.

    Where xlrd fails on a stream the compiled reader takes, the failure must lie in one of xlrd's
    handlers of records that hold no cell (see STEPPED_OVER): nothing else may be stepped over.
    """
    rng = random.Random(20261129)
    sources = [stream for _, stream in corpus_streams if compiled(stream) is not None and len(stream) < 200_000]
    assert sources
    taken = disagreed = 0
    for _ in range(1500):
        stream = mutated(rng, rng.choice(sources), 8)
        ours = compiled(stream)
        if ours is None:
            continue
        taken += 1
        theirs = xlrd_or_failure(stream)
        if isinstance(theirs, Exception):
            where = {frame.name for frame in traceback.extract_tb(theirs.__traceback__)}
            assert where & STEPPED_OVER, (type(theirs).__name__, theirs, sorted(where))
        elif not same_texts(ours, theirs):
            disagreed += 1
    assert taken > 100 and disagreed == 0, (taken, disagreed)


def test_running_out_of_memory_for_a_sheets_rows_is_reported_as_a_damaged_file(monkeypatch):
    cat = shipped_catalogue()
    name, data = [f for f in template_files(parse_registry(REGISTRY_CSV, catalogue=cat), cat) if f[0].endswith(".xls")][1]

    class Starved:
        parse = staticmethod(_biff.parse)

        @staticmethod
        def rows(*_args):
            raise MemoryError

    monkeypatch.setattr(biff_text, "_biff", Starved)
    assert "file.corrupt" in [f.code for f in open_template(data, name=name).findings]
