"""Fuzzing: valid templates (.xls and .xlsx) with mutated bytes never make validate() raise.

hypothesis flips, cuts, inserts and repeats byte ranges and overwrites BIFF record lengths and cell
positions of real templates (for .xlsx: of the data sheet's XML, then zipped again, and of the package
bytes); every result must be a report whose findings speak Chinese, and checking one input must stay
within bounded memory (the peak resident size it adds, which also counts calamine's Rust
allocations). Each input is checked in a child process (workbook_worker: forked from a forkserver,
which resets its peak before every input), so a Rust abort fails its example instead of killing
pytest, and the peak is that input's own. Deterministic (derandomized, no example database);
240 examples (80 + 80 + 50 + 30).
"""

import datetime
import io
import re
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.registry import parse_registry

from workbook_worker import Worker, WorkerFailed, validate_file

REGISTRY = """学校标识码,学校名称,学校类别,所在旗县代码,办学性质
2115000001,新城区第一小学,21,150102,1
"""
DAY = datetime.date(2026, 9, 15)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MEMORY_BOUND = 200 * 2**20  # how far checking one input may raise the peak resident size


def _template(fmt):
    registry = parse_registry(REGISTRY)
    school = registry.get("2115000001")
    template = new_template(school, demo_records(school, 2, seed=5), signoff={"entered_by": "李明", "checked_by": "王芳"})
    return template.file_name(fmt), template.to_bytes(fmt)


XLS_NAME, XLS = _template("xls")
XLSX_NAME, XLSX = _template("xlsx")


def _record_offsets(data):
    """Offsets (in the file) of BIFF record headers of the Workbook stream, found by walking it.

    xlwt-style files keep the stream in consecutive sectors after the header, so walking from the
    first BOF finds the records; the walk stops at the first record that does not fit.
    """
    start = data.find(b"\x09\x08\x10\x00\x00\x06")
    offsets, pos = [], start
    while 0 <= pos and pos + 4 <= len(data) and len(offsets) < 5000:
        offsets.append(pos)
        pos += 4 + struct.unpack_from("<H", data, pos + 2)[0]
    return offsets


XLS_RECORDS = _record_offsets(XLS)
with zipfile.ZipFile(io.BytesIO(XLSX)) as _archive:
    XLSX_PARTS = [(info.filename, _archive.read(info)) for info in _archive.infolist()]
SHEET_PART = "xl/worksheets/sheet1.xml"


def _mutations(size):
    """A strategy for a list of byte edits on data of `size` bytes."""
    position = st.integers(0, max(size - 1, 0))
    flip = st.tuples(st.just("flip"), position, st.integers(1, 255))
    cut = st.tuples(st.just("cut"), position, st.just(0))
    insert = st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=64))
    repeat = st.tuples(st.just("repeat"), position, st.integers(1, 4096))
    fill = st.tuples(st.just("fill"), position, st.sampled_from([b"\x00", b"\xff", b"<", b'"', b"9"]))
    return st.lists(st.one_of(flip, cut, insert, repeat, fill), min_size=1, max_size=4)


def _apply(data, edits):
    data = bytearray(data)
    for kind, at, arg in edits:
        at = min(at, len(data))
        if kind == "flip" and at < len(data):
            data[at] ^= arg
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = arg
        elif kind == "repeat":
            data[at:at] = data[at:at + arg]
        elif kind == "fill":
            data[at:at + 16] = arg * 16
    return bytes(data)


def _record_edits():
    """Overwrite the length, or the row/column (bytes 4-7), of chosen BIFF records with extreme values."""
    field = st.sampled_from([2, 4, 6, 8, 10])
    value = st.sampled_from([0, 1, 0x00FF, 0x0100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF])
    return st.lists(st.tuples(st.sampled_from(XLS_RECORDS), field, value), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def worker():
    checker = Worker()
    yield checker
    checker.close()


def _check(worker, data, name):
    try:
        reply = worker.run(validate_file, data, name, DAY)
    except WorkerFailed as exc:
        pytest.fail(str(exc))
    assert "raised" not in reply, reply["raised"]
    for code, _severity, message in reply["result"]["findings"]:
        assert CHINESE.search(message), (code, message)
    assert reply["peak"] < MEMORY_BOUND, f"peak {reply['peak'] / 2**20:.0f} MB"


FUZZ = settings(
    max_examples=80, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(edits=_mutations(len(XLS)))
def test_mutated_xls_bytes(worker, edits):
    _check(worker, _apply(XLS, edits), XLS_NAME)


@FUZZ
@given(edits=_record_edits())
def test_xls_with_extreme_record_fields(worker, edits):
    data = bytearray(XLS)
    for offset, field, value in edits:
        if offset + field + 2 <= len(data):
            struct.pack_into("<H", data, offset + field, value)
    _check(worker, bytes(data), XLS_NAME)


@settings(FUZZ, max_examples=50)
@given(edits=_mutations(len(dict(XLSX_PARTS)[SHEET_PART])))
def test_xlsx_with_a_mutated_sheet(worker, edits):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in XLSX_PARTS:
            archive.writestr(name, _apply(data, edits) if name == SHEET_PART else data)
    _check(worker, out.getvalue(), XLSX_NAME)


@settings(FUZZ, max_examples=30)
@given(edits=_mutations(len(XLSX)))
def test_mutated_xlsx_bytes(worker, edits):
    _check(worker, _apply(XLSX, edits), XLSX_NAME)
