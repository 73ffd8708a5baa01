"""The hostile ZIP corpus (tests/fixtures/hostile-zips/): every file read by the library, the CLI and the
portal gives the outcome its README row promises, within bounded memory, never a traceback or a 500."""

import re
import threading
import tracemalloc
from pathlib import Path

import pytest
from markupsafe import escape
from test_portal_uploads import JOB_URL, post_upload, wait_for

from portal.jobs import registry_of
from staffrec.cli import main
from staffrec.store.ingestion import expand
from staffrec.zipbatch import ZipMember, ZipRejection, read_zip

CORPUS = Path(__file__).parent / "fixtures" / "hostile-zips"
K12 = "2115000001_新城区第一小学_中小学教职工信息采集模板.xls"
UNI = "4115010126_内蒙古大学_高校教职工信息采集模板.xls"
OK = "ok"
MEMORY_BOUND = 100 * 1024 * 1024  # tracemalloc peak per file; the largest (the ratio bomb) needs about 41 MB
HANG_GUARD = 120  # seconds a single read may take before the test calls it a hang (not a speed test)
CJK = re.compile(r"[\u4e00-\u9fff]")

# file -> (batch failure reason or None, [(member name, "ok" or rejection reason)] in archive order,
#          files accepted by a dry run of the 新城区 county user). Mirrors README.md.
CASES = {
    "slip_parent.zip": (None, [("../../etc/cron.d/x.xls", "parent_path"), (K12, OK)], 1),
    "slip_absolute.zip": (None, [("/tmp/x.xls", "absolute_path"), (K12, OK)], 1),
    "slip_drive_letter.zip": (None, [("C:\\Windows\\x.xls", "drive_letter"), (K12, OK)], 1),
    "slip_backslash.zip": (None, [("..\\..\\x.xls", "parent_path"), (K12, OK)], 1),
    "symlink_infozip.zip": (None, [(K12, OK), ("passwd.xls", "symlink")], 1),
    "bomb_ratio_infozip.zip": (None, [(K12, OK), ("bomb.xls", "ratio")], 1),
    "bomb_bzip2_infozip.zip": (None, [(K12, OK), ("bomb.xls", "ratio")], 1),
    "bomb_bzip2_declared_small.zip": (None, [(K12, OK), ("bomb.xls", "corrupt_member")], 1),
    "bomb_count_infozip.zip": ("too_many_members", [], 0),
    "bomb_count_lying_end_record.zip": ("too_many_members", [], 0),
    "bomb_overlap_quoted.zip": ("overlapping", [], 0),
    "nested_42_style_infozip.zip": (None, [(K12, OK), ("a.zip", "nested_archive"), ("b.zip", "nested_archive")], 1),
    "encrypted_zipcrypto_infozip.zip": (None, [(K12, "encrypted")], 0),
    "encrypted_aes256_7zip.zip": (None, [(K12, "encrypted")], 0),
    "dup_exact_pyzip.zip": (None, [(K12, "duplicate"), (K12, "duplicate")], 0),
    "dup_case_infozip.zip": (None, [(K12[:-3] + "XLS", "duplicate"), (K12, "duplicate")], 0),
    "dup_nfc_nfd_infozip.zip": (None, [("Café.xls", "duplicate"), ("Café.xls", "duplicate")], 0),
    "dup_slash_pyzip.zip": (None, [(f"新城区/{K12}", "duplicate"), (f"新城区/{K12}", "duplicate")], 0),
    "names_gbk_infozip.zip": (None, [(f"新城区/{K12}", OK)], 1),
    "names_cp437_infozip.zip": (None, [("FAÇADE.XLS", OK), ("M歂CHEN.XLS", OK)], 0),
    "names_utf8_flag_gbk_bytes.zip": ("bad_names", [], 0),
    "empty_file.zip": ("empty", [], 0),
    "empty_archive_pyzip.zip": ("empty", [], 0),
    "member_zero_byte_infozip.zip": (None, [(K12, OK)], 0),
    "truncated_infozip.zip": ("corrupt", [], 0),
    "comment_huge_infozip.zip": (None, [(K12, OK)], 1),
    "comment_fake_eocd_infozip.zip": ("corrupt", [], 0),
    "zip64_stdin_infozip.zip": (None, [(K12, OK)], 1),
    "zip64_end_record_pyzip.zip": (None, [(K12, OK)], 1),
    "data_descriptor_infozip.zip": (None, [(K12, OK)], 1),
    "rar_named_zip.zip": ("not_zip", [], 0),
    "7z_named_zip.zip": ("not_zip", [], 0),
    "tar_gz_named_zip.zip": ("not_zip", [], 0),
    "split_first_piece_infozip.zip": ("split", [], 0),
    "split_last_piece_infozip.zip": ("split", [], 0),
    "litter_only_infozip.zip": ("empty_after_skip", [], 0),
    "mixed_kinds_infozip.zip": (None, [(K12, OK), (UNI, OK)], 0),
    "lzma_7zip.zip": (None, [(K12, OK)], 1),
    "deflate64_7zip.zip": (None, [(K12, "unsupported_method")], 0),
}


def bounded(function, *args):
    """Run function(*args) under a hang guard; return (its result, tracemalloc peak in bytes)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below as a failure, never swallowed
            outcome["error"] = exc

    tracemalloc.start()
    try:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        thread.join(HANG_GUARD)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not thread.is_alive(), f"{function.__name__} still running after {HANG_GUARD} s"
    if "error" in outcome:
        raise AssertionError(f"{function.__name__} raised {outcome['error']!r}") from outcome["error"]
    return outcome["value"], peak


def test_the_corpus_is_the_table():
    files = {p.name for p in CORPUS.glob("*.zip")}
    assert files == set(CASES)
    assert len(files) >= 16
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in files)
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 2 * 1024 * 1024


@pytest.mark.parametrize("name", sorted(CASES))
def test_read_zip(name):
    failure, expected, _ = CASES[name]
    batch, peak = bounded(read_zip, (CORPUS / name).read_bytes())
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MB"
    if failure is not None:
        assert batch.failure is not None and batch.failure.reason == failure and batch.results == ()
        assert CJK.search(batch.failure.message)
        return
    assert batch.ok, batch.failure
    got = [(r.name, OK if isinstance(r, ZipMember) else r.reason) for r in batch.results]
    assert got == expected
    for rejection in batch.rejections:
        assert CJK.search(rejection.message) and rejection.name.rpartition("/")[2] in rejection.message


@pytest.mark.parametrize("name", sorted(CASES))
def test_expand(name):
    """The store's and the portal's path: a batch failure is one rejection named after the upload."""
    failure, expected, _ = CASES[name]
    (files, rejected), peak = bounded(expand, name, (CORPUS / name).read_bytes())
    assert peak < MEMORY_BOUND
    assert all(not r.accepted and r.reasons and all(CJK.search(m) for m in r.reasons) for r in rejected)
    if failure is not None:
        assert files == [] and [r.name for r in rejected] == [name]
        return
    read = [n for n, outcome in expected if outcome == OK]
    if name == "mixed_kinds_infozip.zip":  # both read, both refused together by the caller
        assert files == [] and [r.name for r in rejected] == read
        return
    assert [n for n, _ in files] == read
    assert sorted(r.name for r in rejected) == sorted(n for n, outcome in expected if outcome != OK)


def test_the_members_read_are_the_real_templates():
    for name in ("names_gbk_infozip.zip", "lzma_7zip.zip", "bomb_bzip2_infozip.zip", "zip64_stdin_infozip.zip",
                 "data_descriptor_infozip.zip", "comment_huge_infozip.zip"):
        members = read_zip((CORPUS / name).read_bytes()).members
        assert members and all(m.data.startswith(b"\xd0\xcf\x11\xe0") and len(m.data) > 10_000 for m in members)


def test_the_cp437_guess_that_cannot_be_helped():
    # "FAÇADE" is no GB18030 (0x80 is not a lead byte) and comes out right; "MÜNCHEN" in CP437 happens to be
    # valid GB18030 and comes out Chinese. Neither is a template name, so both are refused by name later.
    batch = read_zip((CORPUS / "names_cp437_infozip.zip").read_bytes())
    assert [r.name for r in batch.results] == ["FAÇADE.XLS", "M歂CHEN.XLS"]
    assert all(isinstance(r, (ZipMember, ZipRejection)) for r in batch.results)


# --- the portal and the CLI -------------------------------------------------------------------------

def test_every_file_through_the_portal_upload_form(client, auth, app):
    auth.login("新城区")
    owner = app.extensions["staffrec_store"].user("新城区").id
    for name in sorted(CASES):
        failure, expected, accepted = CASES[name]
        response = post_upload(client, name, (CORPUS / name).read_bytes())
        assert response.status_code == 302, (name, response.status_code)
        job_url = response.headers["Location"]
        status = wait_for(client, job_url)
        assert status["state"] == "done" and status["error"] is None, (name, status)
        assert status["accepted"] == accepted, (name, status)
        page = client.get(job_url)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "Traceback" not in text and "Internal Server Error" not in text
        results = registry_of(app).get(JOB_URL.match(job_url).group(1), owner).view().results
        rejected = [r for r in results if not r.accepted]
        assert len(rejected) == status["rejected"] and len(results) == accepted + len(rejected)
        if failure is not None:
            assert len(rejected) == 1
        for result in rejected:
            assert result.messages, (name, result.name)
            for message in result.messages[:3]:
                assert CJK.search(message) and str(escape(message)) in text, (name, message)


def test_every_file_through_the_cli(tmp_path, registry_text, capsys):
    csv_path = tmp_path / "schools.csv"
    csv_path.write_text(registry_text, encoding="utf-8")
    where = ["--db", f"sqlite:///{tmp_path}/s.db", "--files", str(tmp_path / "files")]
    assert main(["db", "init", "--registry", str(csv_path), *where]) == 0
    assert main(["user", "add", "xc", "--tier", "county", "--territory", "150102", *where]) == 0
    capsys.readouterr()
    for name in sorted(CASES):
        _, expected, accepted = CASES[name]
        code = main(["ingest", str(CORPUS / name), "--as", "xc", "--dry-run", *where])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and err == "", (name, err)
        total = int(re.search(r"共 (\d+) 个文件：接收 (\d+) 个", out).group(1))
        assert f"接收 {accepted} 个，拒收 {total - accepted} 个" in out, (name, out)
        assert code == (0 if accepted == total else 1), (name, code, out)
        refused = [line for line in out.splitlines() if line.startswith("[拒收]")]
        assert len(refused) == total - accepted
        # Every refusal is followed by at least one indented Chinese reason.
        lines = out.splitlines()
        for at, line in enumerate(lines):
            if line.startswith("[拒收]"):
                assert lines[at + 1].startswith("    ") and CJK.search(lines[at + 1]), (name, out)
