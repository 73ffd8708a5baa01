import datetime

import openpyxl
import pytest

from staffrec import new_template, open_template
from staffrec.checks import validate
from staffrec.cli import main
from staffrec.demo_staff import demo_records
from staffrec.idcard import make_id_number
from staffrec.normalize import Change, normalize
from staffrec.records import Record

SIGNOFF = {"entered_by": "李明", "checked_by": "王芳", "phone": "0471-1234567"}
SEX = {"1": "1-男", "2": "2-女"}
SEX_COLUMN, ID_COLUMN, BIRTH_COLUMN, ETHNICITY_COLUMN = 3, 7, 8, 11


def person(base, sex, birth, sequence):
    """Return a demo row made consistent with a chosen sex and birth date (ID number built to match)."""
    row = dict(base)
    row.update(
        sex=SEX[sex],
        birth_date=birth.isoformat(),
        id_number=make_id_number("150102", birth, sequence, sex),
        work_start="2008-09",
        school_start="2010-09",
        grassroots="0-否",
        grassroots_start="",
        grassroots_end="",
    )
    return row


def id_ending_in_x(birth, sex):
    """Return a valid ID number of this birth date and sex whose check character is X."""
    for sequence in range(1000):
        number = make_id_number("150102", birth, sequence, sex)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def as_typed(template, row):
    """Append a row exactly as a clerk typed it (new_template would store canonical values)."""
    template.add(Record(template.kind.keys, tuple(row.get(k, "") for k in template.kind.keys)))


@pytest.fixture
def school(school_of_kind):
    return school_of_kind("中小学")


@pytest.fixture
def rows(school, cat):
    bases = demo_records(school, 6, seed=1, catalogue=cat)
    born = datetime.date(1985, 3, 12)
    people = [person(base, "1", born, 10 + 2 * i) for i, base in enumerate(bases)]
    people[0]["sex"] = "男"
    people[1]["sex"] = "1"
    people[1]["birth_date"] = "1985.3.12"
    people[2]["id_number"] = id_ending_in_x(born, "1").lower()
    people[4]["sex"] = "男性"
    people[4]["birth_date"] = "1985-02-30"
    people[5]["sex"] = "2"  # a variant, but the ID number says 男: the cell has an error
    return people


@pytest.fixture
def source(tmp_path, school, cat, rows):
    """A filled .xlsx with variants in rows 4-6, a date and a number cell in row 7, errors in rows 8-9."""
    template = new_template(school, signoff=SIGNOFF, catalogue=cat)
    for row in rows:
        as_typed(template, row)
    path = template.save(tmp_path, fmt="xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["教职工基础信息"]
    sheet.cell(7, BIRTH_COLUMN).value = datetime.datetime(1985, 3, 12)
    sheet.cell(7, ETHNICITY_COLUMN).value = int(rows[3]["ethnicity"].partition("-")[0])
    book.save(path)
    return path


def test_source_has_the_planted_variants_and_errors(source, registry):
    codes = {(f.row, f.column, f.code) for f in validate(source, registry=registry).findings}
    assert {(4, "性别", "cell.variant"), (5, "性别", "cell.variant"), (5, "出生日期", "cell.variant")} <= codes
    assert {(6, "身份证件号", "id.lowercase_x"), (7, "出生日期", "cell.variant"), (7, "民族", "cell.variant")} <= codes
    assert {(8, "性别", "code.unknown"), (8, "出生日期", "date.invalid"), (9, "性别", "id.sex_mismatch")} <= codes


def test_normalize_rewrites_variants_into_the_schools_template(source, tmp_path, registry, rows):
    path, changes = normalize(source, tmp_path / "out", registry=registry)
    assert path.name == "2115000001_新城区第一小学_中小学教职工信息采集模板.xls"
    read = open_template(path)
    assert read.format == "xls" and {k: v for k, v in read.signoff.items() if v} == SIGNOFF
    values = [r.as_dict() for r in read.records]
    assert values[0]["sex"] == "1-男"
    assert values[1]["sex"] == "1-男" and values[1]["birth_date"] == "1985-03-12"
    assert values[2]["id_number"] == id_ending_in_x(datetime.date(1985, 3, 12), "1")
    assert values[3]["birth_date"] == "1985-03-12" and values[3]["ethnicity"] == rows[3]["ethnicity"]
    assert read.records[3].cell("birth_date").kind.value == "text"
    assert read.records[3].cell("ethnicity").kind.value == "text"
    assert (values[4]["sex"], values[4]["birth_date"]) == ("男性", "1985-02-30")
    assert values[5]["sex"] == "2"
    assert Change(4, "性别", "男", "1-男", "cell.variant") in changes
    assert Change(5, "出生日期", "1985.3.12", "1985-03-12", "cell.variant") in changes
    assert {(c.row, c.column) for c in changes} == {
        (4, "性别"), (5, "性别"), (5, "出生日期"), (6, "身份证件号"), (7, "出生日期"), (7, "民族"),
    }


def test_normalized_copy_keeps_variants_only_where_a_cell_has_an_error(source, tmp_path, registry):
    path, _ = normalize(source, tmp_path / "out", registry=registry)
    report = validate(path, registry=registry)
    left = [(f.row, f.column) for f in report.findings if f.code in ("cell.variant", "id.lowercase_x")]
    assert left == [(9, "性别")]
    assert {(f.row, f.column, f.code) for f in report.errors} == {
        (8, "性别", "code.unknown"), (8, "出生日期", "date.invalid"), (9, "性别", "id.sex_mismatch"),
    }


def test_clean_variants_give_a_valid_copy(tmp_path, school, cat, registry, rows):
    template = new_template(school, signoff=SIGNOFF, catalogue=cat)
    for row in rows[:4]:
        as_typed(template, row)
    source = template.save(tmp_path)
    path, changes = normalize(source, tmp_path / "out", registry=registry)
    assert len(changes) == 4
    assert validate(path, registry=registry).counts == {"error": 0, "warning": 0}


def anonymous_file(tmp_path, cat):
    """Write a workbook with the right header but no stamp and no school id in its name."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([i.header for i in cat.kind("中小学").indicators])
    sheet.append(["张三", "", "男"])
    path = tmp_path / "data.xlsx"
    book.save(path)
    return path


def test_file_without_school_identity_is_refused(tmp_path, cat):
    assert normalize(anonymous_file(tmp_path, cat), tmp_path / "out") == (None, [])
    assert not (tmp_path / "out").exists()


def test_cli_normalize_lists_changes_and_exit_codes(source, tmp_path, registry_text, rows, school, cat, capsys):
    schools = tmp_path / "schools.csv"
    schools.write_text(registry_text, encoding="utf-8")
    assert main(["normalize", str(source), "--out", str(tmp_path / "out"), "--registry", str(schools)]) == 1
    out = capsys.readouterr().out
    assert "第 4 行“性别”列：“男” → “1-男”" in out
    assert "第 7 行“出生日期”列：“1985-03-12”（日期单元格） → “1985-03-12”" in out
    assert "仍有 3 个错误" in out and "男性" in out
    assert (tmp_path / "out" / "2115000001_新城区第一小学_中小学教职工信息采集模板.xls").is_file()

    clean = new_template(school, signoff=SIGNOFF, catalogue=cat)
    as_typed(clean, rows[0])
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    assert main(["normalize", str(clean.save(clean_dir)), "--out", str(tmp_path / "out2")]) == 0
    assert "校验无错误" in capsys.readouterr().out


def test_cli_normalize_refusals_and_bad_invocations(tmp_path, source, cat, capsys):
    assert main(["normalize", str(anonymous_file(tmp_path, cat)), "--out", str(tmp_path / "none")]) == 1
    assert "无法确定文件属于哪所学校" in capsys.readouterr().out
    assert main(["normalize", str(tmp_path / "missing.xls"), "--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["normalize", str(source)])
    assert exit_info.value.code == 2
    html = tmp_path / "page.xls"
    html.write_bytes(b"<html><table><tr><td>1</td></tr></table></html>")
    assert main(["normalize", str(html), "--out", str(tmp_path / "none")]) == 1
    assert "不能自动规范" in capsys.readouterr().out and not (tmp_path / "none").exists()


def test_cli_normalize_never_overwrites_its_source(tmp_path, school, cat, rows, capsys):
    template = new_template(school, signoff=SIGNOFF, catalogue=cat)
    as_typed(template, rows[0])
    source = template.save(tmp_path)
    before = source.read_bytes()
    assert main(["normalize", str(source), "--out", str(tmp_path)]) == 2
    assert "覆盖原文件" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_remaining_errors_name_the_original_row_when_rows_moved(source, tmp_path, capsys):
    book = openpyxl.load_workbook(source)
    book["教职工基础信息"].insert_rows(5, 2)  # two blank rows the copy will not keep
    book.save(source)
    assert main(["normalize", str(source), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "第 7 行“出生日期”列：“1985.3.12” → “1985-03-12”" in out  # changes name the original rows
    assert "第 8 行（原文件第 10 行）“性别”列：“性别”的“男性”" in out
