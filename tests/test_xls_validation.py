"""Drop-downs in .xls templates: DV records as Excel writes them, in our templates, and through LibreOffice."""

import shutil
import struct
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlrd
import xlwt

from staffrec import new_template, open_template
from staffrec.catalogue import KIND_NAMES
from staffrec.layout import CODE_SHEET, DATA_SHEET, FIRST_DATA_ROW, LAST_DATA_ROW, ListValidation
from staffrec.xls_validation import (
    BOF,
    BOUNDSHEET,
    DV,
    DVAL,
    ERR_STOP,
    ERR_WARNING,
    EXTERNSHEET,
    LBL,
    SUPBOOK,
    VALTYPE_LIST,
    DvRecord,
    add_validations,
    decode_dv,
    encode_dv,
    encode_dval,
    encode_lbl,
    encode_link_table,
    list_dv,
    list_formula,
    list_values,
    name_formula,
    read_dv_records,
    read_records,
    workbook_stream,
)

EXCEL_DV = Path(__file__).parent / "fixtures" / "excel-dv"
CORPUS = sorted(EXCEL_DV.glob("*.xls"))
SOFFICE_TIMEOUT = 300


def records_of(path, rtype):
    """Return the bodies of the records of one type in an .xls file."""
    return [body for t, body in read_records(workbook_stream(path.read_bytes())) if t == rtype]


def zero_unused(body):
    """Blank the two 'unused' words of a DV body, which Excel fills with leftovers and readers ignore."""
    body, pos = bytearray(body), 4
    for _ in range(4):
        cch, high = struct.unpack_from("<HB", body, pos)
        pos += 3 + cch * (1 + (high & 1))
    for _ in range(2):
        (cce,) = struct.unpack_from("<H", body, pos)
        body[pos + 2 : pos + 4] = b"\0\0"
        pos += 4 + cce
    return bytes(body)


def excel_dv(name, index):
    """Return the body of the index-th DV record of a corpus file."""
    return records_of(EXCEL_DV / name, DV)[index]


# --- record bytes against Excel's ---------------------------------------------------------------


def test_corpus_is_present():
    assert [p.name for p in CORPUS] == ["27933.xls", "32822.xls", "33082.xls", "44201.xls", "unicodeNameRecord.xls"]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_excel_dv_record_reencodes_to_the_same_bytes(path):
    bodies = records_of(path, DV)
    assert bodies
    for body in bodies:
        assert encode_dv(decode_dv(body)) == struct.pack("<HH", DV, len(body)) + zero_unused(body)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_dval_matches_excel_apart_from_the_drop_down_object_id(path):
    (body,) = records_of(path, DVAL)
    ours = encode_dval(len(records_of(path, DV)))
    assert ours[:4] == struct.pack("<HH", DVAL, 18)
    # Excel points idObj at a drop-down object once it made one; a fresh file has none (0xFFFFFFFF).
    assert ours[4:14] + ours[18:] == body[:10] + body[14:]
    assert ours[14:18] == b"\xff\xff\xff\xff"


def test_explicit_list_dv_with_texts_and_two_ranges_is_reproduced_from_parameters():
    dv = DvRecord(
        val_type=VALTYPE_LIST,
        err_style=ERR_STOP,
        str_lookup=True,
        allow_blank=True,
        suppress_combo=False,
        show_prompt=True,
        show_error=True,
        prompt_title="",
        error_title="",
        prompt="Please select your name",
        error="You cannot enter a name. Please select from the dropdown",
        formula1=list_formula(("Karen", "Donna", "Vito", "Other")),
        sqref=((1, 49, 3, 3), (51, 65535, 3, 3)),
    )
    assert encode_dv(dv)[4:] == zero_unused(excel_dv("32822.xls", 0))


def test_layout_list_validation_is_reproduced_byte_for_byte():
    values = ("<1 Week", " 1 Week", " 2 Weeks", " 3 Weeks", " 4 Weeks", " > 4 Weeks")
    spec = ListValidation(2, 65535, 9, values, ("Sheet1", 0, 5, 20), "weeks", "", "", "", "")
    assert encode_dv(list_dv(spec, list_formula(values)))[4:] == zero_unused(excel_dv("33082.xls", 4))


def test_name_sourced_list_dv_is_reproduced_byte_for_byte():
    spec = ListValidation(0, 0, 0, ("x",) * 200, ("Sheet1", 1, 3, 0), "日本語", "", "", "", "")
    assert encode_dv(list_dv(spec, name_formula(2)))[4:] == zero_unused(excel_dv("unicodeNameRecord.xls", 0))


def test_explicit_list_limit_is_excels_255_characters():
    longest = decode_dv(excel_dv("33082.xls", 3))
    assert len("\0".join(list_values(longest))) == 255
    assert list_formula(list_values(longest)) == longest.formula1
    assert list_formula(list_values(longest) + ("x",)) is None
    # Entries Excel could not show or save as "a,b" stay in cells.
    assert list_formula(("1-a,b", "2-c")) is None
    assert list_formula(('1-"a"',)) is None


def test_defined_names_and_link_table_match_excel():
    names = records_of(EXCEL_DV / "unicodeNameRecord.xls", LBL)
    assert encode_lbl("EngName", 0, 1, 3, 1, 1)[4:] == names[0]
    assert encode_lbl("日本語", 0, 1, 3, 0, 0)[4:] == names[1]
    (supbook,) = records_of(EXCEL_DV / "unicodeNameRecord.xls", SUPBOOK)
    (externsheet,) = records_of(EXCEL_DV / "unicodeNameRecord.xls", EXTERNSHEET)
    expected = struct.pack("<HH", SUPBOOK, 4) + supbook + struct.pack("<HH", EXTERNSHEET, 8) + externsheet
    assert encode_link_table(3, [0]) == expected


def test_chinese_texts_are_utf16_and_empty_texts_are_one_nul():
    dv = list_dv(ListValidation(3, 9, 2, ("1-男", "2-女"), (CODE_SHEET, 1, 2, 0), "codes_sex", "性别", "请选择", "", "错"), list_formula(("1-男", "2-女")))
    body = encode_dv(dv)[4:]
    assert body[4:11] == b"\x02\x00\x01" + "性别".encode("utf-16-le")
    assert body[11:15] == b"\x01\x00\x00\x00"
    assert body[4 + 7 + 4 : 4 + 7 + 4 + 3] == b"\x03\x00\x01"
    assert dv.str_lookup and dv.err_style == ERR_STOP and not dv.suppress_combo
    assert decode_dv(body) == dv


def test_excel_text_limits_are_enforced():
    spec = ListValidation(3, 9, 2, ("1-男",), (CODE_SHEET, 1, 1, 0), "codes_sex", "题" * 33, "", "", "")
    with pytest.raises(ValueError, match="prompt title"):
        encode_dv(list_dv(spec, list_formula(spec.values)))
    spec = ListValidation(3, 9, 2, ("1-男",), (CODE_SHEET, 1, 1, 0), "codes_sex", "", "", "", "错" * 226)
    with pytest.raises(ValueError, match="error message"):
        encode_dv(list_dv(spec, list_formula(spec.values)))
    with pytest.raises(ValueError, match="defined name"):
        encode_lbl("1codes", 0, 1, 2, 0, 0)


def test_a_stream_with_names_of_its_own_is_refused():
    stream = workbook_stream((EXCEL_DV / "unicodeNameRecord.xls").read_bytes())
    with pytest.raises(ValueError, match="already has"):
        add_validations(stream, ((), (), ()))


# --- our templates ------------------------------------------------------------------------------


def coded(kind):
    """Return the coded indicators of a kind, in column order."""
    return [i for i in kind.indicators if i.is_coded]


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_template_has_one_drop_down_per_coded_column(cat, school_of_kind, kind_name):
    kind = cat.kind(kind_name)
    data = new_template(school_of_kind(kind_name)).to_bytes("xls")
    book = xlrd.open_workbook(file_contents=data)
    sheets = [s.name for s in book.sheets()]
    dvs = read_dv_records(data)
    assert [len(group) for group in dvs] == [len(coded(kind)), 0, 0, 0]
    assert sheets[0] == DATA_SHEET
    codes = book.sheet_by_name(CODE_SHEET)
    for ind, dv in zip(coded(kind), dvs[0]):
        labels = tuple(c.label for c in cat.table(ind.table).choices(kind.name))
        assert dv.sqref == ((FIRST_DATA_ROW, LAST_DATA_ROW, ind.order - 1, ind.order - 1),)
        assert (dv.val_type, dv.allow_blank, dv.suppress_combo, dv.show_prompt, dv.show_error) == (VALTYPE_LIST, True, False, True, True)
        assert dv.err_style == (ERR_WARNING if ind.type == "multicode" else ERR_STOP)
        assert dv.prompt_title == ind.header[:32]
        assert dv.prompt.startswith("可选多项" if ind.type == "multicode" else "请从下拉列表中选择")
        assert labels[0] in dv.prompt
        assert dv.error_title == "输入值无效" and f"“{ind.header}”" in dv.error
        values = list_values(dv)
        if values is None:
            # A long list names its range on the code sheet; xlrd resolves the name.
            (index,) = struct.unpack("<xI", dv.formula1)
            name = book.name_obj_list[index - 1]
            assert name.name == f"codes_{ind.key}"
            sheet, rlo, rhi, clo, chi = name.area2d()
            assert (sheet.name, chi - clo) == (CODE_SHEET, 1)
            values = tuple(codes.cell_value(r, clo) for r in range(rlo, rhi))
            assert codes.cell_value(0, clo) == ind.header
        assert values == labels
    assert any(list_values(dv) is None for dv in dvs[0]) and any(list_values(dv) for dv in dvs[0])


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_template_still_reads_back_without_findings(cat, school_of_kind, kind_name):
    template = new_template(school_of_kind(kind_name))
    data = template.to_bytes("xls")
    xlrd.open_workbook(file_contents=data, formatting_info=True)
    read = open_template(data, name=template.file_name("xls"))
    assert read.findings == ()
    assert read.kind == cat.kind(kind_name)


def test_template_bytes_are_deterministic(school_of_kind):
    school = school_of_kind("高校")
    assert new_template(school).to_bytes("xls") == new_template(school).to_bytes("xls")


def test_boundsheet_offsets_point_at_each_sheets_bof(school_of_kind):
    stream = workbook_stream(new_template(school_of_kind("中小学")).to_bytes("xls"))
    positions, pos = {}, 0
    for rtype, body in read_records(stream):
        positions[pos] = rtype
        pos += 4 + len(body)
    offsets = [struct.unpack_from("<I", body)[0] for t, body in read_records(stream) if t == BOUNDSHEET]
    assert len(offsets) == 4 and all(positions.get(o) == BOF for o in offsets)


def test_stream_without_validations_is_left_as_xlwt_wrote_it():
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("表一").write(0, 0, "甲")
    book.add_sheet("表二")
    stream = book.get_biff_data()
    assert add_validations(stream, ((), ())) == stream


# --- LibreOffice --------------------------------------------------------------------------------


_CONVERTED = {}


@pytest.fixture
def converted(tmp_path_factory, cat, school_of_kind):
    """Return {kind name: xlsx path}, converting every kind's .xls with LibreOffice once per session."""
    if not _CONVERTED:
        _CONVERTED.update(convert_with_soffice(tmp_path_factory.mktemp("soffice"), cat, school_of_kind))
    return _CONVERTED


def convert_with_soffice(root, cat, school_of_kind):
    """Write one .xls template per kind into `root` and convert them all in one LibreOffice run."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice is required: install it (apt-get install libreoffice-calc-nogui); `soffice` is not on PATH")
    sources = []
    for name in KIND_NAMES:
        school = school_of_kind(name)
        path = root / school.file_name(".xls", cat)
        path.write_bytes(new_template(school).to_bytes("xls"))
        sources.append(str(path))
    # A fresh profile per run: a shared or stale one can make soffice exit without converting.
    command = [
        soffice,
        f"-env:UserInstallation={(root / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(root / "out"),
        *sources,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    result = {name: root / "out" / Path(src).with_suffix(".xlsx").name for name, src in zip(KIND_NAMES, sources)}
    missing = [str(p) for p in result.values() if not p.exists()]
    if done.returncode or missing:
        pytest.fail(f"soffice failed ({done.returncode}), missing {missing}:\n{done.stdout}\n{done.stderr}")
    return result


def allowed_values(book, formula):
    """Return the entries a converted list validation offers: an inline list or a defined name's cells."""
    if formula.startswith('"'):
        return tuple(formula.strip('"').split(","))
    ((sheet, area),) = book.defined_names[formula].destinations
    return tuple(cell.value for (cell,) in book[sheet][area.replace("$", "")])


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_libreoffice_sees_a_list_on_every_coded_column(cat, converted, kind_name):
    kind = cat.kind(kind_name)
    book = openpyxl.load_workbook(converted[kind_name])
    validations = book[DATA_SHEET].data_validations.dataValidation
    by_column = {}
    for dv in validations:
        # LibreOffice's .xlsx export trims the rows the range reaches; column and first row stay.
        ((column, column_to, first_row),) = [(r.min_col, r.max_col, r.min_row) for r in dv.sqref.ranges]
        assert (column_to, first_row) == (column, FIRST_DATA_ROW + 1)
        by_column[column] = dv
    assert sorted(by_column) == [i.order for i in coded(kind)]
    for ind in coded(kind):
        dv = by_column[ind.order]
        labels = tuple(c.label for c in cat.table(ind.table).choices(kind.name))
        assert dv.type == "list" and not dv.showDropDown  # openpyxl's showDropDown True hides the arrow
        assert allowed_values(book, dv.formula1) == labels
        assert dv.promptTitle == ind.header[:32] and labels[0] in dv.prompt and dv.showInputMessage
        assert dv.errorTitle == "输入值无效" and dv.showErrorMessage
        assert dv.errorStyle == ("warning" if ind.type == "multicode" else "stop")
    for other in book.sheetnames[1:]:
        assert not book[other].data_validations.dataValidation
