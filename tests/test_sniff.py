"""Tests for telling an upload's real format from its bytes."""

import io
import random
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlrd
import xlwt
from xlwt.CompoundDoc import XlsDoc

from staffrec.sniff import Sniffed, biff_has_filepass, is_workbook, sniff

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def fixture(name):
    return (FORMATS / name).read_bytes()


def xlwt_workbook():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("教职工")
    sheet.write(0, 0, "姓名")
    sheet.write(1, 0, "张三")
    return book


def cfb(stream):
    """Wrap a BIFF stream into a compound file the way xlwt does."""
    out = io.BytesIO()
    XlsDoc().save(out, stream)
    return out.getvalue()


def xlwt_bytes():
    out = io.BytesIO()
    xlwt_workbook().save(out)
    return out.getvalue()


def rename_stream(data, old, new):
    """Rename a directory entry in place, keeping its tree links and sectors."""
    at = data.rindex(old.encode("utf-16-le") + b"\0\0")
    assert at % 128 == 0, "matched inside a stream, not a directory entry"
    name = (new.encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
    return data[:at] + name + struct.pack("<H", len(new) * 2 + 2) + data[at + 66:]


def zip_bytes(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def record(rtype, body=b""):
    return struct.pack("<HH", rtype, len(body)) + body


BOF8 = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0600))
# FILEPASS for RC4 encryption: type 1, version 1.1, then salt, verifier and its hash.
FILEPASS = record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
EOF = record(0x000A)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("profiles.xls", "xls"),
        ("44201.xls", "xls"),
        ("invalid_formula.xls", "xls"),  # written by WPS Office
        ("corrupted_error.xls", "xls"),  # its directory is sound; the damage is for the reader to report
        ("biff4_no_format_no_window2.xls", "biff_old"),
        ("sample.xlsx", "xlsx"),
        ("sample.xlsb", "xlsb"),
        ("sample.ods", "ods"),
        ("encrypted_password_123456.xlsx", "ooxml_encrypted"),
    ],
)
def test_real_files(name, expected):
    assert sniff(fixture(name)).format == expected


def test_descriptions_name_the_real_thing():
    assert sniff(fixture("profiles.xls")).description == "Excel 97-2003 工作簿（.xls）"
    assert sniff(fixture("sample.xlsx")).description == "Excel 工作簿（.xlsx）"
    assert "Excel 4.0" in sniff(fixture("biff4_no_format_no_window2.xls")).description
    assert "密码" in sniff(fixture("encrypted_password_123456.xlsx")).description


def test_xlwt_output_is_xls():
    found = sniff(xlwt_bytes())
    assert found == Sniffed("xls", "Excel 97-2003 工作簿（.xls）")
    assert is_workbook(found)


def test_openpyxl_output_is_xlsx():
    book = openpyxl.Workbook()
    book.active["A1"] = "姓名"
    out = io.BytesIO()
    book.save(out)
    found = sniff(out.getvalue())
    assert found.format == "xlsx"
    assert is_workbook(found)


def test_is_workbook_only_for_xls_and_xlsx():
    others = ("sample.xlsb", "sample.ods", "biff4_no_format_no_window2.xls", "encrypted_password_123456.xlsx")
    for name in others:
        assert not is_workbook(sniff(fixture(name)))


def test_encrypted_xls():
    stream = xlwt_workbook().get_biff_data()
    cut = 4 + struct.unpack_from("<H", stream, 2)[0]
    data = cfb(stream[:cut] + FILEPASS + stream[cut:])
    with pytest.raises(xlrd.XLRDError, match="encrypted"):  # the reader agrees it is locked
        xlrd.open_workbook(file_contents=data)
    found = sniff(data)
    assert found.format == "xls_encrypted"
    assert "密码" in found.description
    assert not is_workbook(found)


@pytest.mark.parametrize(
    "stream, expected",
    [
        (BOF8 + FILEPASS + record(0x0042, b"\xb0\x04") + EOF, True),
        (BOF8 + record(0x00E1, b"\0\0") + FILEPASS + EOF, True),
        (BOF8 + record(0x0042, b"\xb0\x04") + EOF, False),
        (BOF8 + EOF + BOF8 + FILEPASS, False),  # only the globals count
        (record(0x0042, b"\xb0\x04") + FILEPASS, False),  # no BOF: not a workbook stream
        (BOF8[:10], False),
        (b"", False),
    ],
)
def test_filepass_detection(stream, expected):
    assert biff_has_filepass(stream) is expected


def test_other_compound_files():
    data = xlwt_bytes()
    word = sniff(rename_stream(data, "Workbook", "WordDocument"))
    assert word.format == "ole_other" and "Word" in word.description
    assert sniff(rename_stream(data, "Workbook", "PowerPoint Document")).format == "ole_other"
    other = sniff(rename_stream(data, "Workbook", "Contents"))
    assert other == Sniffed("ole_other", "不含 Excel 工作簿的 OLE 复合文档")
    assert sniff(rename_stream(data, "Workbook", "EncryptedPackage")).format == "ooxml_encrypted"
    book = sniff(rename_stream(data, "Workbook", "Book"))
    assert book.format == "xls" and "5.0/95" in book.description


def test_small_workbook_stream_in_the_mini_stream():
    # profiles.xls keeps its 204-byte SummaryInformation in 64-byte mini sectors: call it the workbook.
    data = rename_stream(fixture("profiles.xls"), "Workbook", "Spare")
    data = rename_stream(data, "\x05SummaryInformation", "Workbook")
    assert sniff(data).format == "xls"
    locked = (BOF8 + FILEPASS)[:64]  # one mini sector: FILEPASS's header is all the check needs
    for at in [m.start() for m in re.finditer(b"\xfe\xff\x00\x00", data)]:  # property-set headers
        data = data[:at] + locked + data[at + 64:]
    assert sniff(data).format == "xls_encrypted"


@pytest.mark.parametrize("size", [8, 512, 1000, 4096])
def test_truncated_xls_is_damaged(size):
    assert sniff(fixture("profiles.xls")[:size]).format == "ole_damaged"


def test_truncated_xlsx_is_damaged_zip():
    found = sniff(fixture("sample.xlsx")[:1000])
    assert found.format == "zip_damaged"
    assert ".xlsx" in found.description


@pytest.mark.parametrize("data", [b"", b" ", b"\r\n\t  \n", b"\0" * 4096])
def test_empty(data):
    assert sniff(data) == Sniffed("empty", "空文件")


@pytest.mark.parametrize(
    "data, description",
    [
        (b"<html><body><table><tr><td>a</td></tr></table></body></html>", "网页格式的表格（HTML）"),
        (b"\xef\xbb\xbf<!DOCTYPE html>\n<html><head><title>x</title></head></html>", "网页文件（HTML）"),
        (
            b'<html xmlns:o="urn:schemas-microsoft-com:office:office"\r\n'
            b'xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n'
            b"<head></head><body><table></table></body></html>",
            "Excel 另存为的网页文件（HTML）",
        ),
        (b'<?xml version="1.0"?>\n<!-- export -->\n<html xmlns="http://www.w3.org/1999/xhtml"/>', "网页文件（HTML）"),
        (
            b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n"
            b'Content-Type: multipart/related; boundary="----=_NextPart"\r\n\r\n',
            "单个文件网页（MHTML）",
        ),
        (b"From: <Saved by Windows Internet Explorer 8>\r\nMIME-Version: 1.0\r\n", "单个文件网页（MHTML）"),
        ('<meta charset="gbk"><table><tr><td>张三</td></tr></table>'.encode("gbk"), "网页格式的表格（HTML）"),
    ],
)
def test_html(data, description):
    found = sniff(data)
    assert (found.format, found.description) == ("html", description)


SPREADSHEET_ML = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="教职工"><Table>
  <Row><Cell><Data ss:Type="String">姓名</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>
"""


def test_spreadsheet_ml():
    assert sniff(SPREADSHEET_ML.encode("utf-8")).format == "xml_spreadsheet"
    assert sniff(SPREADSHEET_ML.encode("utf-16")).format == "xml_spreadsheet"


def test_plain_xml():
    assert sniff(b'<?xml version="1.0"?>\n<staff><name>x</name></staff>').format == "xml"
    assert sniff(b"<staff><name>x</name></staff>").format == "xml"


@pytest.mark.parametrize(
    "data, expected, encoding, label",
    [
        ("姓名,性别\n张三,男\n".encode("gbk"), "csv", "gbk", "GBK"),
        ("姓名,性别\r\n张三,男\r\n".encode("utf-8-sig"), "csv", "utf-8-sig", "UTF-8 带 BOM"),
        ("姓名,性别\n张三,男\n".encode("utf-8"), "csv", "utf-8", "UTF-8"),
        ("姓名\t性别\r\n张三\t男\r\n".encode("utf-16"), "csv", "utf-16", "UTF-16 LE"),  # Excel 'Unicode text'
        ("name\tsex\nzhang\tm\n".encode("utf-16-le"), "csv", "utf-16-le", "UTF-16 LE"),
        ("请按模板填写教职工信息。\n谢谢！\n".encode("gbk"), "text", "gbk", "GBK"),
        ("备注：😀\n".encode("gb18030"), "text", "gb18030", "GB18030"),
        ("hello world\nsecond line\n".encode("utf-16-be"), "text", "utf-16-be", "UTF-16 BE"),
        ("\ufeff请填写".encode("utf-16-be"), "text", "utf-16", "UTF-16 BE"),
        (b"just one line, with a comma", "text", "utf-8", "UTF-8"),
    ],
)
def test_text_and_csv(data, expected, encoding, label):
    found = sniff(data)
    assert (found.format, found.encoding) == (expected, encoding)
    assert f"{label} 编码" in found.description


def test_gbk_csv_description():
    found = sniff("姓名,性别\n张三,男\n".encode("gbk"))
    assert found.description == "CSV 表格文本（逗号分隔，GBK 编码）"


def test_long_gbk_csv_cut_mid_character():
    # The odd first byte makes the 256 KiB look-ahead end inside a two-byte character.
    data = b"x" + "姓名,性别\n".encode("gbk") + "张三,男\n".encode("gbk") * 100_000
    found = sniff(data)
    assert (found.format, found.encoding) == ("csv", "gbk")


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", "image"),
        (b"GIF89a\x01\0\x01\0", "image"),
        (b"BM" + struct.pack("<IHHII", 70, 0, 0, 54, 40) + bytes(56), "image"),
        (b"Rar!\x1a\x07\x01\0", "rar"),
        (b"7z\xbc\xaf\x27\x1c\0\x04", "7z"),
    ],
)
def test_magic_numbers(data, expected):
    assert sniff(data).format == expected


def test_random_bytes_are_unknown():
    data = random.Random(20240901).randbytes(4096)
    assert sniff(data) == Sniffed("unknown", "无法识别的二进制文件")


def test_zip_of_templates():
    data = zip_bytes({"一中/教职工信息.xls": xlwt_bytes(), "二中/教职工信息.xls": xlwt_bytes()})
    assert sniff(data) == Sniffed("zip", "ZIP 压缩包（内含 2 个 Excel 文件）")


def test_other_zips():
    assert sniff(zip_bytes({"readme.txt": "hi"})) == Sniffed("zip", "ZIP 压缩包")
    assert sniff(zip_bytes({})).format == "zip"
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = f'<Types><Override PartName="/word/document.xml" ContentType="{word}"/></Types>'
    # The content type alone tells a .docx, whatever its parts are called.
    assert sniff(zip_bytes({"[Content_Types].xml": types, "word/main.xml": "<w:document/>"})).format == "docx"
    empty_types = {"[Content_Types].xml": "<Types/>"}
    assert sniff(zip_bytes({**empty_types, "ppt/presentation.xml": "<p/>"})).format == "pptx"
    assert sniff(zip_bytes({**empty_types, "visio/document.xml": "<v/>"})).format == "ooxml"
    odt = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
    assert sniff(odt).format == "odf"


def test_accepts_any_bytes_like():
    data = fixture("sample.xlsx")
    assert sniff(bytearray(data)).format == sniff(memoryview(data)).format == "xlsx"


ALL_FIXTURES = sorted(path.name for path in FORMATS.iterdir() if path.is_file())


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_never_raises_on_fixtures(name):
    data = fixture(name)
    found = sniff(data)
    assert isinstance(found, Sniffed) and found.format and found.description
    # Cut and scrambled copies must not raise either.
    rng = random.Random(name)
    for size in (1, 7, 100, 511, 513, len(data) // 2, len(data) - 1):
        assert sniff(data[:size]).description
    for _ in range(20):
        mangled = bytearray(data[:65536])
        for _ in range(16):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        assert sniff(bytes(mangled)).description
