"""Reading uploaded ZIP batches: names, junk, unsafe paths, bombs, nesting, encryption, corruption."""

import bz2
import io
import random
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from staffrec.demo import demo_registry
from staffrec.template import new_template
from staffrec.zipbatch import (
    MiB, BatchFailure, Limits, ZipBatch, ZipMember, ZipRejection, decode_name, kind_of_name, read_zip,
)

FIXTURES = Path(__file__).parent / "fixtures" / "zip"
K12_NAME = "2115000001_新城区第一小学_中小学教职工信息采集模板.xls"
MIDDLE_NAME = "3415000002_土默特左旗第一中学_中小学教职工信息采集模板.xls"
UNI_NAME = "4115010126_内蒙古大学_高校教职工信息采集模板.xls"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)  # the start of a compound file, enough for names


def deflate(data, level=6):
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def raw_zip(*entries, comment=b""):
    """Build a ZIP byte by byte; each entry is a dict with `name` (bytes) and optional data, flags, method,
    extra, size (the declared uncompressed size) and body (the stored bytes, when they should lie)."""
    out, central = bytearray(), bytearray()
    for entry in entries:
        name, data = entry["name"], entry.get("data", XLS)
        flags, method, extra = entry.get("flags", 0), entry.get("method", 8), entry.get("extra", b"")
        body = entry.get("body", deflate(data) if method == 8 else data)
        crc, size = zlib.crc32(data), entry.get("size", len(data))
        fields = (flags, method, 0, 0x21, crc, len(body), size, len(name), len(extra))
        offset = len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, *fields) + name + extra + body
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, *fields, 0, 0, 0, 0, offset) + name + extra
    count = len(entries)
    out += central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(central),
                                 len(out), len(comment)) + comment
    return bytes(out)


def py_zip(members, method=zipfile.ZIP_DEFLATED):
    """Build a ZIP with Python's zipfile (UTF-8 flagged names), `members` mapping name to bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def outcome(batch):
    """Map each result's name to "ok" or its rejection reason."""
    return {r.name: "ok" if isinstance(r, ZipMember) else r.reason for r in batch.results}


# --- names --------------------------------------------------------------------------------------

def test_utf8_flagged_names():
    batch = read_zip(py_zip({f"新城区/{K12_NAME}": XLS, UNI_NAME: XLS}))
    assert batch.ok and outcome(batch) == {f"新城区/{K12_NAME}": "ok", UNI_NAME: "ok"}
    assert batch.members[0].basename == K12_NAME and batch.members[0].data == XLS


def test_gbk_names_without_the_flag():
    batch = read_zip(raw_zip({"name": f"新城区/{K12_NAME}".encode("gbk")},
                             {"name": UNI_NAME.encode("gb18030")}))
    assert outcome(batch) == {f"新城区/{K12_NAME}": "ok", UNI_NAME: "ok"}


def test_gb18030_only_characters():
    name = "2115000001_㐀学校𠀀_中小学教职工信息采集模板.xls"  # outside GBK, four bytes each in GB18030
    assert outcome(read_zip(raw_zip({"name": name.encode("gb18030")}))) == {name: "ok"}


def test_utf8_names_without_the_flag_as_linux_and_macos_write_them():
    assert outcome(read_zip(raw_zip({"name": K12_NAME.encode("utf-8")}))) == {K12_NAME: "ok"}


def test_info_zip_unicode_path_field_wins_over_the_legacy_name():
    legacy = b"2115000001_????_.xls"
    body = K12_NAME.encode("utf-8")
    field = struct.pack("<HHBI", 0x7075, 5 + len(body), 1, zlib.crc32(legacy)) + body
    batch = read_zip(raw_zip({"name": legacy, "extra": field}))
    assert [r.name for r in batch.results] == [K12_NAME]
    stale = struct.pack("<HHBI", 0x7075, 5 + len(body), 1, zlib.crc32(b"renamed")) + body
    assert [r.name for r in read_zip(raw_zip({"name": legacy, "extra": stale})).results] == [legacy.decode()]


def test_undecodable_names_fall_back_to_cp437():
    raw = b"\x80\xffabc.xls"  # neither UTF-8 nor GB18030
    assert [r.name for r in read_zip(raw_zip({"name": raw})).results] == [raw.decode("cp437")]


def test_gbk_template_names_of_a_whole_region_are_never_valid_utf8():
    # Why trying UTF-8 before GB18030 is safe for the names this system receives.
    for school in demo_registry():
        with pytest.raises(UnicodeDecodeError):
            school.file_name().encode("gbk").decode("utf-8")


def test_decode_name_on_zipfile_infos():
    data = raw_zip({"name": K12_NAME.encode("gbk")}, {"name": b"plain.xls"})
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert [decode_name(i) for i in infos] == [K12_NAME, "plain.xls"]


def test_backslash_separators_of_old_windows_tools_become_folders():
    batch = read_zip(raw_zip({"name": f"新城区\\{K12_NAME}".encode("gbk")}, {"name": b"a\\.\\b.xls"}))
    assert outcome(batch) == {f"新城区/{K12_NAME}": "ok", "a/b.xls": "ok"}


# --- junk ---------------------------------------------------------------------------------------

def test_macos_and_windows_litter_and_folders_are_skipped_silently():
    batch = read_zip(raw_zip(
        {"name": b"__MACOSX/", "method": 0, "data": b""},
        {"name": b"__MACOSX/._" + K12_NAME.encode()},
        {"name": b"x/", "method": 0, "data": b""},
        {"name": b".DS_Store"}, {"name": b"x/.hidden/a.xls"}, {"name": b"Thumbs.db"},
        {"name": b"x/desktop.ini"}, {"name": ("~$" + K12_NAME).encode("gbk")},
        {"name": f"x/{K12_NAME}".encode("gbk")},
    ))
    assert outcome(batch) == {f"x/{K12_NAME}": "ok"}
    assert len(batch.skipped) == 8 and "__MACOSX/._" + K12_NAME in batch.skipped


def test_a_zip_of_nothing_but_litter_is_a_batch_failure():
    batch = read_zip(raw_zip({"name": b"__MACOSX/._a.xls"}, {"name": b"folder/", "method": 0, "data": b""}))
    assert batch.failure.reason == "empty_after_skip" and batch.results == ()
    assert read_zip(raw_zip()).failure.reason == "empty"


# --- unsafe paths -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, reason", [
    (b"../" + K12_NAME.encode(), "parent_path"),
    (b"x/../../etc/cron.d/a.xls", "parent_path"),
    (b"x\\..\\..\\a.xls", "parent_path"),
    (b"x/.../a.xls", "parent_path"),
    (b"x/. ./a.xls", "parent_path"),
    (b"..", "parent_path"),
    (b"/etc/passwd", "absolute_path"),
    (b"\\\\server\\share\\a.xls", "absolute_path"),
    (b"\\a.xls", "absolute_path"),
    (b"C:\\Windows\\a.xls", "drive_letter"),
    (b"c:a.xls", "drive_letter"),
    (b"a.xls\x00.txt", "bad_name"),
    (b"a\nb.xls", "bad_name"),
])
def test_unsafe_paths_are_rejected_and_the_rest_still_read(name, reason):
    batch = read_zip(raw_zip({"name": name}, {"name": K12_NAME.encode("gbk")}))
    assert batch.ok
    rejected, kept = batch.results
    assert isinstance(rejected, ZipRejection) and rejected.reason == reason
    assert "\x00" not in rejected.name and "\n" not in rejected.name
    assert "拒收" in rejected.message
    assert isinstance(kept, ZipMember) and kept.name == K12_NAME


def test_a_parent_path_is_rejected_even_when_it_looks_like_litter():
    batch = read_zip(raw_zip({"name": b"__MACOSX/../../a.xls"}, {"name": b"../.hidden"}))
    assert [r.reason for r in batch.results] == ["parent_path", "parent_path"]


# --- nesting, encryption, duplicates --------------------------------------------------------------

def test_nested_archives_are_rejected():
    inner = py_zip({K12_NAME: XLS})
    batch = read_zip(py_zip({
        "inner.zip": inner, "renamed.xls": inner, "broken.xls": inner[:200],
        "a.rar": b"Rar!\x1a\x07\x01\x00" + bytes(50), "b.7z": b"7z\xbc\xaf\x27\x1c" + bytes(50),
        "c.tar.gz": b"\x1f\x8b\x08\x00" + bytes(50), K12_NAME: XLS,
    }))
    assert outcome(batch) == {"inner.zip": "nested_archive", "renamed.xls": "nested_archive",
                              "broken.xls": "nested_archive", "a.rar": "nested_archive",
                              "b.7z": "nested_archive", "c.tar.gz": "nested_archive", K12_NAME: "ok"}
    assert "RAR 压缩包" in batch.results[3].message


def test_xlsx_members_are_workbooks_not_nests():
    xlsx = new_template(next(iter(demo_registry()))).to_bytes("xlsx")
    name = K12_NAME.replace(".xls", ".xlsx")
    batch = read_zip(py_zip({name: xlsx, "cut_" + name: xlsx[:300]}))
    assert outcome(batch) == {name: "ok", "cut_" + name: "ok"}  # the reader reports the damage later


def test_encrypted_members_are_rejected():
    batch = read_zip(raw_zip({"name": b"zipcrypto.xls", "flags": 0x1},
                             {"name": b"aes.xls", "method": 99},
                             {"name": b"fine.xls"}))
    assert outcome(batch) == {"zipcrypto.xls": "encrypted", "aes.xls": "encrypted", "fine.xls": "ok"}
    assert "密码" in batch.results[0].message


def test_duplicate_names_are_all_rejected():
    batch = read_zip(raw_zip({"name": K12_NAME.encode("gbk"), "data": XLS},
                             {"name": f"a/{K12_NAME}".upper().encode("gbk"), "data": XLS + b"1"},
                             {"name": UNI_NAME.encode("gbk")},
                             {"name": K12_NAME.encode("gbk"), "data": XLS + b"2"}))
    reasons = [r.reason if isinstance(r, ZipRejection) else "ok" for r in batch.results]
    assert reasons == ["duplicate", "duplicate", "ok", "duplicate"]
    assert "3 个同名文件" in batch.results[0].message


# --- broken archives ------------------------------------------------------------------------------

def test_a_truncated_archive_is_a_batch_failure():
    data = py_zip({K12_NAME: XLS * 20, UNI_NAME: XLS})
    for cut in (len(data) // 2, len(data) - 10, 30):
        batch = read_zip(data[:cut])
        assert batch.failure == BatchFailure("corrupt", batch.failure.message) and batch.results == ()
        assert "损坏" in batch.failure.message


@pytest.mark.parametrize("data, words", [
    (b"", "空的"),
    (new_template(next(iter(demo_registry()))).to_bytes("xls"), "Excel 97-2003"),
    (b"Rar!\x1a\x07\x00" + bytes(100), "RAR"),
    ("学校标识码,学校名称\n1,2\n".encode("gbk"), "CSV"),
])
def test_what_is_no_zip_says_what_it_is(data, words):
    batch = read_zip(data)
    assert not batch.ok and batch.failure.reason in ("not_zip", "empty") and words in batch.failure.message


def test_an_xlsx_uploaded_as_a_batch_is_no_zip():
    batch = read_zip(new_template(next(iter(demo_registry()))).to_bytes("xlsx"))
    assert batch.failure.reason == "not_zip" and "Excel 工作簿" in batch.failure.message


def test_a_corrupt_member_does_not_stop_the_others():
    good = raw_zip({"name": b"a.xls", "data": XLS * 10}, {"name": b"b.xls"})
    body = deflate(XLS * 10)
    bad = good.replace(body, body[:5] + bytes(len(body) - 5), 1)
    assert outcome(read_zip(bad)) == {"a.xls": "corrupt_member", "b.xls": "ok"}


def test_an_unsupported_method_is_rejected_per_member():
    batch = read_zip(raw_zip({"name": b"deflate64.xls", "method": 9}, {"name": b"b.xls"}))
    assert outcome(batch) == {"deflate64.xls": "unsupported_method", "b.xls": "ok"}


def test_a_false_utf8_flag_is_a_batch_failure():
    batch = read_zip(raw_zip({"name": K12_NAME.encode("gbk"), "flags": 0x800}))
    assert batch.failure.reason == "bad_names"


def test_random_damage_never_raises():
    data = bytearray(py_zip({K12_NAME: XLS * 5, UNI_NAME: XLS, "x/" + MIDDLE_NAME: b"text"}))
    rng = random.Random(6)
    for _ in range(300):
        mangled = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        assert isinstance(read_zip(bytes(mangled)), ZipBatch)


# --- limits ---------------------------------------------------------------------------------------

def test_production_limits():
    limits = Limits()
    assert (limits.max_entries, limits.max_members, limits.max_ratio) == (2000, 500, 200)
    assert (limits.max_member_size, limits.max_total_size, limits.ratio_grace) == (50 * MiB, 300 * MiB, MiB)


@pytest.fixture(scope="module")
def bomb():
    """200 MiB of zeros deflated to about 200 KiB, built in a second without holding the zeros."""
    packer, zeros = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(MiB)
    body = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()
    crc = 0
    for _ in range(200):
        crc = zlib.crc32(zeros, crc)
    header = dict(name=b"bomb.xls", data=b"", body=body, size=200 * MiB)
    data = raw_zip(header, {"name": K12_NAME.encode("gbk")})
    # raw_zip wrote the CRC of b""; put the real one in both headers so only the limits can stop it.
    return data.replace(struct.pack("<I", zlib.crc32(b"")) + struct.pack("<I", len(body)),
                        struct.pack("<I", crc) + struct.pack("<I", len(body)))


def test_a_high_ratio_bomb_is_stopped_early(bomb, monkeypatch):
    import staffrec.zipbatch as zipbatch

    inflated, inflate = [], zipbatch.inflate

    def counting(packed, method, dict_limit):
        inflated.append(0)
        for piece in inflate(packed, method, dict_limit):
            inflated[-1] += len(piece)
            yield piece

    monkeypatch.setattr(zipbatch, "inflate", counting)
    batch = read_zip(bomb)
    assert outcome(batch) == {"bomb.xls": "ratio", K12_NAME: "ok"}
    # Stopped at the first piece past the ratio (200 x its ~200 KiB), not after its 200 MiB.
    compressed = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("bomb.xls").compress_size
    assert inflated[0] <= Limits().max_ratio * compressed + 64 * 1024 < 50 * MiB
    assert "压缩比" in batch.results[0].message
    # Without the ratio limit the per-member size stops it (so it really inflates past 50 MiB),
    # and with neither the total does.
    assert outcome(read_zip(bomb, Limits(max_ratio=10**9)))["bomb.xls"] == "member_too_large"
    loose = Limits(max_ratio=10**9, max_member_size=10**10, max_total_size=20 * MiB)
    assert outcome(read_zip(bomb, loose)) == {"bomb.xls": "total_too_large", K12_NAME: "ok"}


def test_a_small_crafted_bomb_with_a_low_limit():
    data = raw_zip({"name": b"zeros.xls", "data": bytes(2 * MiB)}, {"name": b"ok.xls"})
    limits = Limits(max_ratio=50, ratio_grace=64 * 1024)
    assert outcome(read_zip(data, limits)) == {"zeros.xls": "ratio", "ok.xls": "ok"}


def test_real_templates_are_far_below_the_ratio():
    school = next(iter(demo_registry()))
    data = new_template(school).to_bytes("xls")
    batch = read_zip(py_zip({school.file_name(): data}), Limits(ratio_grace=0, max_ratio=20))
    assert batch.members[0].data == data


def test_header_sizes_are_not_trusted():
    # A member declaring 10 bytes yields at most 10, then fails its CRC: never more than declared.
    lying = raw_zip({"name": b"small.xls", "data": XLS * 100, "size": 10}, {"name": b"ok.xls"})
    assert outcome(read_zip(lying)) == {"small.xls": "corrupt_member", "ok.xls": "ok"}
    # A member declaring 4 GiB is cut at the limit by what was really decompressed.
    big = raw_zip({"name": b"big.xls", "data": bytes(3 * MiB), "method": 0, "size": 0xFFFFFFF0})
    batch = read_zip(big, Limits(max_member_size=2 * MiB))
    assert outcome(batch) == {"big.xls": "member_too_large"} and "2 MB" in batch.results[0].message


def test_per_member_and_total_sizes():
    data = py_zip({f"{i}.xls": bytes([i]) * (40 * 1024) for i in range(4)}, zipfile.ZIP_STORED)
    limits = Limits(max_member_size=50 * 1024, max_total_size=100 * 1024)
    assert outcome(read_zip(data, limits)) == {"0.xls": "ok", "1.xls": "ok", "2.xls": "total_too_large",
                                               "3.xls": "total_too_large"}
    sizes = py_zip({"small.xls": bytes(10), "big.xls": bytes(60 * 1024)}, zipfile.ZIP_STORED)
    batch = read_zip(sizes, limits)
    assert outcome(batch) == {"small.xls": "ok", "big.xls": "member_too_large"}
    assert "50 KB" in batch.results[1].message
    assert "100 KB" in read_zip(data, limits).results[2].message


def test_member_count_limits():
    many = py_zip({f"{i}.xls": XLS for i in range(6)})
    assert read_zip(many, Limits(max_members=5)).failure.reason == "too_many_members"
    assert read_zip(many, Limits(max_members=6)).ok
    junk = py_zip({f"__MACOSX/._{i}.xls": b"" for i in range(6)} | {"a.xls": XLS})
    assert read_zip(junk, Limits(max_members=1)).ok  # skipped litter is no member
    assert read_zip(junk, Limits(max_entries=6)).failure.reason == "too_many_members"


def test_the_declared_entry_count_is_checked_before_parsing():
    data = bytearray(py_zip({"a.xls": XLS}))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 60000, 60000)
    batch = read_zip(bytes(data))
    assert batch.failure.reason == "too_many_members" and "60000" in batch.failure.message


# --- the caller's helpers -------------------------------------------------------------------------

def test_kind_of_name(cat):
    assert kind_of_name(K12_NAME, cat).name == "中小学"
    assert kind_of_name(f"新城区/{UNI_NAME}").name == "高校"
    assert kind_of_name("3615000004_包头市第一中等职业学校_中职教职工信息采集模板.xlsx", cat).name == "中职"
    for name in ("readme.txt", "2115000001_x.xls", "2115000001_新城区第一小学_高校教职工信息采集模板.xls", ""):
        assert kind_of_name(name, cat) is None


def test_values_are_frozen():
    member = ZipMember("a.xls", b"x")
    with pytest.raises(AttributeError):
        member.name = "b.xls"
    assert "1 bytes" in repr(member)


# --- fixtures written by Info-ZIP -----------------------------------------------------------------

def fixture(name):
    return read_zip((FIXTURES / name).read_bytes())


def test_fixture_gbk_names():
    batch = fixture("gbk_names_infozip.zip")
    assert outcome(batch) == {f"新城区/{K12_NAME}": "ok", f"新城区/{MIDDLE_NAME}": "ok"}
    assert batch.skipped == ("新城区/",)
    assert all(m.data.startswith(XLS[:8]) for m in batch.members)


def test_fixture_macos_litter():
    batch = fixture("utf8_unflagged_with_macos_litter.zip")
    assert outcome(batch) == {f"上传/{K12_NAME}": "ok"}
    assert set(batch.skipped) == {"__MACOSX/", "__MACOSX/上传/", f"__MACOSX/上传/._{K12_NAME}", "上传/",
                                  "上传/.DS_Store"}


def test_fixture_encrypted():
    assert outcome(fixture("encrypted_zipcrypto.zip")) == {UNI_NAME: "encrypted"}


def test_fixture_mixed_kinds(cat):
    batch = fixture("mixed_kinds_gbk.zip")
    assert [kind_of_name(m.name, cat).name for m in batch.members] == ["中小学", "高校"]


# --- found with the hostile corpus (tests/fixtures/hostile-zips/) ---------------------------------

def traced_peak(function, *args):
    """Return (function(*args), the tracemalloc peak in MiB while it ran)."""
    tracemalloc.start()
    try:
        return function(*args), tracemalloc.get_traced_memory()[1] / MiB
    finally:
        tracemalloc.stop()


def bzip2_bomb(size):
    """A ZIP whose one bzip2 member is `size` bytes of zeros (a few KB), built without holding the zeros."""
    packer, zeros, crc = bz2.BZ2Compressor(9), bytes(16 * MiB), 0
    body = b""
    for _ in range(size // len(zeros)):
        body += packer.compress(zeros)
        crc = zlib.crc32(zeros, crc)
    body += packer.flush()
    data = raw_zip({"name": b"bomb.xls", "data": b"", "body": body, "method": 12, "size": size},
                   {"name": K12_NAME.encode("gbk")})
    return data.replace(struct.pack("<I", zlib.crc32(b"")) + struct.pack("<I", len(body)),
                        struct.pack("<I", crc) + struct.pack("<I", len(body)))


def test_a_bzip2_bomb_is_decompressed_in_bounded_pieces():
    # zipfile handed a whole compressed read to bzip2 at once: 2 GB in memory and 20 s for this file.
    data = bzip2_bomb(512 * MiB)
    assert len(data) < 4096
    batch, peak = traced_peak(read_zip, data)
    assert outcome(batch) == {"bomb.xls": "ratio", K12_NAME: "ok"} and peak < 20
    small = data.replace(struct.pack("<I", 512 * MiB), struct.pack("<I", 1000))  # declared size lies
    batch, peak = traced_peak(read_zip, small)
    assert outcome(batch) == {"bomb.xls": "corrupt_member", K12_NAME: "ok"} and peak < 20


def test_bzip2_and_lzma_members_are_read():
    data = bytes(range(256)) * 400
    for method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        batch = read_zip(py_zip({K12_NAME: data}, method))
        assert batch.members[0].data == data, method


def test_an_lzma_dictionary_is_never_larger_than_a_member_may_be():
    archive = bytearray(py_zip({K12_NAME: XLS * 50}, zipfile.ZIP_LZMA))
    props = archive.find(b"\x5d", 30 + len(K12_NAME.encode()))  # lc=3 lp=0 pb=2, then the dictionary size
    struct.pack_into("<I", archive, props + 1, 0xFFFFFFFF)  # declares a 4 GiB dictionary
    batch = read_zip(bytes(archive))
    assert outcome(batch) == {K12_NAME: "ok"} and batch.members[0].data == XLS * 50


def test_a_truncated_compressed_stream_is_corrupt():
    body = deflate(XLS * 50)
    data = raw_zip({"name": b"a.xls", "data": XLS * 50, "body": body[:len(body) // 2]}, {"name": b"b.xls"})
    assert outcome(read_zip(data)) == {"a.xls": "corrupt_member", "b.xls": "ok"}


def test_a_symlink_entry_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("passwd.xls")
        link.create_system, link.external_attr = 3, (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
        archive.writestr(K12_NAME, XLS)
    batch = read_zip(buffer.getvalue())
    assert outcome(batch) == {"passwd.xls": "symlink", K12_NAME: "ok"}
    assert "符号链接" in batch.results[0].message


def test_split_archive_pieces_say_so():
    whole = py_zip({K12_NAME: XLS})
    assert read_zip(b"PK\x07\x08" + whole).failure.reason == "split"
    last = bytearray(whole)
    struct.pack_into("<HH", last, last.rfind(b"PK\x05\x06") + 4, 1, 1)
    batch = read_zip(bytes(last))
    assert batch.failure.reason == "split" and "分卷" in batch.failure.message


def test_entries_sharing_bytes_are_an_overlap_bomb():
    data = bytearray(raw_zip({"name": b"a.xls"}, {"name": b"b.xls"}))
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, central + 42, 0)  # b.xls's directory entry points at a.xls's header
    batch = read_zip(bytes(data))
    assert batch.failure.reason == "overlapping" and "压缩炸弹" in batch.failure.message


def test_a_lying_end_record_does_not_hide_a_huge_directory():
    # 200,000 bare directory entries (9 MB) behind an end record that says 1: zipfile built an object per
    # entry, 80 MB and 40 s under tracemalloc; the directory is now walked first.
    name = b"a.xls"
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
    one = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0, 0, 0, 0, 0, 0)
    central = (one + name) * 200_000
    data = local + central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    batch, peak = traced_peak(read_zip, data)
    assert batch.failure.reason == "too_many_members" and "2000" in batch.failure.message and peak < 5

def test_a_zip64_end_record_is_walked_too(monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 0)  # zipfile writes ZIP64 records past 65,535 entries
    data = bytearray(py_zip({f"{i}.xls": XLS for i in range(30)}))
    assert b"PK\x06\x06" in data
    # The end record's count as tools write it for ZIP64 ("see the ZIP64 record"): only a walk counts.
    struct.pack_into("<HHII", data, data.rfind(b"PK\x05\x06") + 8, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    data = bytes(data)
    assert read_zip(data, Limits(max_entries=29)).failure.reason == "too_many_members"
    assert len(read_zip(data, Limits(max_entries=30)).members) == 30
