"""The hostile-workbook corpus (tests/fixtures/hostile-workbooks/): every file gives a clear Chinese
finding, in bounded time and memory, through the library, the command line and the portal.

Each file is checked in a child process (workbook_worker: forked from a forkserver, never from
pytest) so that a crash (a Rust abort in calamine), a hang or a memory blow-up fails its own case
instead of taking pytest down: the child reports its findings and the peak resident memory the
check added (VmHWM, which counts Rust allocations that tracemalloc cannot see).
No test asserts wall time; the 60 s guard only stops a hang.
"""

import io
import re
from pathlib import Path

import pytest
from markupsafe import escape

from staffrec.checks import validate

from conftest import CHECK_DAY
from workbook_worker import HANG_GUARD, Worker, WorkerFailed, validate_file

CORPUS = Path(__file__).resolve().parent / "fixtures" / "hostile-workbooks"
FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
STEM = "2115000001_新城区第一小学_中小学教职工信息采集模板"
MEMORY_BOUND = 200 * 2**20  # peak resident memory a file may add to the process
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Codes that depend on the name a file is uploaded under (the CLI reads it under its corpus name).
NAME_DEPENDENT = {"file.wrong_format", "identity.name_vs_stamp"}
LEAK = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b|File \"/")

# file -> the finding codes it must give (all of them present); () means the file is valid: no error.
# README.md in the corpus says how each file was made and why it must give this.
EXPECTED = {
    "zero-byte.xls": {"file.empty"},
    "blank-bytes.xls": {"file.empty"},
    "html-table.xls": {"file.not_workbook"},
    "html-table-gbk.xls": {"file.not_workbook"},
    "mhtml.xls": {"file.not_workbook"},
    "csv-utf8.xls": {"file.not_workbook"},
    "csv-gbk.xls": {"file.not_workbook"},
    "text-gbk.xls": {"file.not_workbook"},
    "text-utf16-tabs.xls": {"file.not_workbook"},
    "spreadsheetml-2003.xls": {"file.unsupported"},
    "pdf.xls": {"file.not_workbook"},
    "png.xls": {"file.not_workbook"},
    "random-bytes.xls": {"file.not_workbook"},
    "xlsx-named-xls.xls": {"file.wrong_format"},
    "raw-biff8-no-container.xls": {"file.unsupported"},
    "truncated-header.xls": {"file.corrupt"},
    "truncated-first-sector.xls": {"file.corrupt"},
    "truncated-half.xls": {"file.corrupt"},
    "truncated-mid-sst.xls": {"file.corrupt"},
    "truncated-last-byte.xls": {"file.corrupt"},
    "corrupt-fat-cycle.xls": {"file.corrupt"},
    "corrupt-directory.xls": {"file.not_workbook"},
    "corrupt-record-length.xls": {"file.corrupt"},
    "sst-count-huge.xls": {"file.corrupt"},
    "sst-count-negative.xls": {"file.corrupt"},
    "sst-index-out-of-range.xls": {"file.corrupt"},
    "dimensions-huge.xls": (),
    "dimensions-inverted.xls": (),
    "cell-column-65000.xls": {"file.corrupt"},
    "boundsheet-past-end.xls": {"file.corrupt"},
    "filepass-rc4.xls": {"file.encrypted"},
    "minimal-biff8-labels.xls": (),
    "minimal-biff5-gbk.xls": (),
    "xlwt-written.xls": (),
    "libreoffice-resaved.xls": (),
    "libreoffice-formulas-cached.xls": {"code.unknown", "id.sex_mismatch"},
    "row-65536.xls": {"id.duplicate"},
    "far-corner-iv65536.xls": (),
    "columns-256.xls": {"header.extra"},
    "cell-32767-chars.xls": {"text.too_long"},
    "many-sheets-300.xls": (),
    "large/rows-65600.xlsx": {"file.too_many_rows"},
    "large/rows-65500.xlsx": {"cell.required"},
    "large/far-corner-xfd1048576.xlsx": (),
    "large/moved-sheet-xfd1048576.xlsx": (),
    "large/sheet-in-styles-xfd1048576.xlsx": (),
    "large/row-1048576.xlsx": {"cell.required"},
    "large/zip-bomb-lying-size.xlsx": {"file.inflated"},
    "dimension-xfd1048576.xlsx": (),
    "entity-bomb.xlsx": {"file.corrupt"},
    "dimension-tags-unclosed.xlsx": {"file.corrupt"},
    "zip-bomb-sheet.xlsx": {"file.inflated"},
    "truncated.xlsx": {"file.corrupt"},
    "formulas-no-cache.xls": {"cell.required"},
    "formulas-no-cache.xlsx": {"cell.required"},
    "merged-data-cells.xls": {"cell.required"},
    "hidden-row-and-column.xls": {"code.unknown"},
    "header-moved.xls": {"header.moved"},
    "header-renamed.xls": {"header.missing", "header.extra"},
    "header-below-row-30.xls": {"header.not_found"},
    "header-repeated-in-data.xls": {"header.repeated"},
    "header-duplicate-column.xls": {"header.extra"},
    "hidden-sheets-deleted.xls": {"stamp.missing"},
    "stamp-other-school.xls": {"identity.name_vs_stamp", "identity.kind_vs_school"},
    "stamp-garbage.xls": {"stamp.missing"},
    "dates-mixed.xls": {"date.invalid", "cell.variant"},
    "dates-1904.xls": {"date.invalid", "cell.variant"},
    "other-kind-template.xls": {"identity.name_vs_stamp"},
    "control-characters.xls": {"cell.control_chars"},
    # Files of tests/fixtures/formats/ that belong to the same threat list, read from there.
    "../formats/encrypted_password_123456.xlsx": {"file.encrypted"},
    "../formats/sample.xlsb": {"file.unsupported"},
    "../formats/sample.ods": {"file.unsupported"},
    "../formats/corrupted_error.xls": {"file.corrupt"},
}
# Files whose expected findings are warnings only: they pass the check.
VALID_WARNINGS = {"header-repeated-in-data.xls"}


def accepted(case):
    """Tell whether the file must pass the check (no error)."""
    return not EXPECTED[case] or case in VALID_WARNINGS


def upload_name(case):
    """The name a clerk would upload the file under: the school's template name, the file's extension."""
    return f"{STEM}{Path(case).suffix}"


def test_the_corpus_and_the_table_agree():
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.suffix in (".xls", ".xlsx")}
    listed = {case for case in EXPECTED if not case.startswith("../")}
    assert on_disk == listed
    assert len(listed) >= 60
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [case for case in EXPECTED if f"`{case}`" not in readme] == []
    assert sum(p.stat().st_size for p in CORPUS.rglob("*")) < 3 * 2**20


@pytest.fixture(scope="module")
def worker():
    checker = Worker()
    yield checker
    checker.close()


def run_isolated(worker, path, name, tmp_path):
    """Check one file in the worker; return its result and peak, failing on a crash, hang or exception."""
    try:
        reply = worker.run(validate_file, path, name, CHECK_DAY, tmp_path)
    except WorkerFailed as exc:
        pytest.fail(f"{path.name}: {exc}")
    assert "raised" not in reply, reply.get("raised")
    return dict(reply["result"], peak=reply["peak"])


def test_the_worker_measures_each_job_and_survives_a_crash(worker):
    from workbook_worker import crash, hold

    assert worker.run(hold, 300 * 2**20)["peak"] > 290 * 2**20
    # The peak is each job's own: a small job after a large one is not credited with the large peak.
    assert worker.run(hold, 2**20)["peak"] < 100 * 2**20
    with pytest.raises(WorkerFailed, match="died"):
        worker.run(crash)
    assert worker.run(hold, 10)["result"] == 10


def _lying_package(size, declared=1000):
    """formulas-no-cache.xlsx with `size` more blanks in its data sheet, which declares `declared` bytes."""
    import struct
    import zipfile

    sheet, out = "xl/worksheets/sheet1.xml", io.BytesIO()
    with zipfile.ZipFile(CORPUS / "formulas-no-cache.xlsx") as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info.filename, data.replace(b"<sheetData", b" " * size + b"<sheetData", 1) if info.filename == sheet else data)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        struct.pack_into("<I", data, archive.getinfo(sheet).header_offset + 22, declared)
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(sheet)] != sheet.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_parts_are_measured_as_they_inflate_not_as_declared():
    from staffrec.xlsx_package import Unreadable, parts, unpacked

    honest = (CORPUS / "formulas-no-cache.xlsx").read_bytes()
    assert unpacked(honest) == (sum(len(p) for _, p in parts(honest)), True)
    lying = _lying_package(8 * 2**20)
    # Counted no further than just past the limit (one 64 KiB piece), whatever the header says.
    size, honest_sizes = unpacked(lying, limit=2**20)
    assert 2**20 < size <= 2**20 + 64 * 1024 and not honest_sizes
    assert unpacked(lying) == (pytest.approx(8 * 2**20, abs=2**20), False)
    with pytest.raises(Unreadable):
        list(parts(lying))


def test_a_part_larger_than_declared_is_refused_before_any_reader_reads_it(monkeypatch):
    import staffrec.reader as reader_module

    def never(*_args):
        raise AssertionError("a reader was given a package whose sizes lie")

    for name in ("read_fast", "READERS"):
        monkeypatch.setattr(reader_module, name, never if name == "read_fast" else {"xlsx": never, "xls": never})
    report = validate(_lying_package(2**20), name=upload_name("x.xlsx"), today=CHECK_DAY)
    assert report.codes() == ["file.corrupt"]  # within the limit: damaged, not inflated
    monkeypatch.setattr(reader_module, "MAX_XLSX_UNPACKED", 4 * 2**20)  # zip-bomb-lying-size.xlsx: 256 MB
    report = validate(_lying_package(8 * 2**20), name=upload_name("x.xlsx"), today=CHECK_DAY)
    assert report.codes() == ["file.inflated"]
    assert "5 MB" in report.findings[0].message and "4 MB" in report.findings[0].message


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_every_file_gives_its_finding_in_bounded_memory(case, worker, tmp_path):
    path = CORPUS / case
    result = run_isolated(worker, path, upload_name(case), tmp_path)
    codes = {code for code, _severity, _message in result["findings"]}
    expected = EXPECTED[case]
    assert set(expected) <= codes, (case, codes)
    assert result["valid"] == accepted(case), (case, result["findings"])
    if not expected:
        assert codes == set(), (case, codes)
    for code, _severity, message in result["findings"]:
        assert CHINESE.search(message) and not LEAK.search(message), (code, message)
    assert result["peak"] < MEMORY_BOUND, f"{case}: peak {result['peak'] / 2**20:.0f} MB"
    # The command line (staffrec validate --json --annotate) reads the same file under its own name.
    assert result["cli_status"] in (0, 1)
    assert set(expected) - NAME_DEPENDENT <= set(result["cli_codes"])
    assert all(CHINESE.search(m) and not LEAK.search(m) for m in result["cli_messages"])


def test_the_portal_gives_a_chinese_result_line_for_every_file(client, auth, app):
    from test_portal_uploads import JOB_URL, wait_for
    from portal_support import csrf_token

    auth.login("新城区")
    for case in sorted(EXPECTED):
        data, name = (CORPUS / case).read_bytes(), upload_name(case)
        if not name.endswith((".xls", ".xlsx")):  # the form takes .xls/.xlsx/.zip only: renamed, as a clerk would
            name = f"{STEM}.xls"
        token = csrf_token(client, "/uploads/new")
        response = client.post(
            "/uploads/new",
            data={"csrf_token": token, "mode": "check", "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, (case, response.status_code)
        job_url = response.headers["Location"]
        assert JOB_URL.match(job_url)
        status = wait_for(client, job_url, timeout=HANG_GUARD)
        assert status["state"] == "done" and status["error"] is None, (case, status)
        page = client.get(job_url)
        assert page.status_code == 200, case
        text = page.get_data(as_text=True)
        assert not LEAK.search(text), (case, LEAK.search(text).group())
        assert len(re.findall(r'<li class="result ', text)) == 1, case
        line = "检查通过（仅检查，未提交）" if accepted(case) else "未通过，未提交"
        assert line in text, case
        if EXPECTED[case]:
            report = validate(data, name=name, today=CHECK_DAY)
            first = next(f for f in report.findings if f.code in EXPECTED[case])
            assert str(escape(first.message)) in text, (case, first.message)
        annotated = client.get(f"{job_url}/1/annotated")
        assert annotated.status_code in (200, 404), (case, annotated.status_code)
