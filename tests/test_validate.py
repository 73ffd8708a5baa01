"""The whole 校验 on real files: one of every defect, a large clean file, and the CLI contract."""

import datetime
import io
import json

import pytest
import xlwt

from staffrec import new_template
from staffrec.checks import validate
from staffrec.cli import main
from staffrec.demo_staff import demo_records
from staffrec.idcard import check_character, make_id_number
from staffrec.layout import STAMP_SHEET, stamp_values

DAY = datetime.date(2026, 9, 15)
SCHOOL = "2115000001"


def lower_x_id():
    """Return a valid ID number whose check character is X."""
    for sequence in range(1, 999):
        number = make_id_number("150102", datetime.date(1988, 6, 1), sequence, "1")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character found")


def defects(base):
    """Return (changes, expected (code, column)) for one row each; changes may hold raw numbers/dates."""
    x_id = lower_x_id()
    bad_check = base[1]["id_number"][:17] + ("0" if check_character(base[1]["id_number"][:17]) != "0" else "1")
    return [
        ({}, []),
        ({"education_institution": ""}, [("cell.required", "获得最高学历的院校或机构")]),
        ({"ethnicity": "1"}, [("cell.variant", "民族")]),
        ({"ethnicity": "99"}, [("code.unknown", "民族")]),
        ({"education": "20-大学本科教育"}, [("code.group", "最高学历")]),
        ({"remark": "备" * 201}, [("text.too_long", "备注")]),
        ({"name": "张 三"}, [("text.name_spaces", "姓名")]),
        ({"school_start": "2030-01"}, [("date.future", "进本校年月")]),
        ({"id_number": 150102198503121000.0}, [("id.number_cell", "身份证件号")]),
        ({"id_number": bad_check}, [("id.check_digit", "身份证件号")]),
        (
            {"id_number": x_id.lower(), "birth_date": "1988-06-01", "sex": "1-男", "work_start": "2010-09", "school_start": "2012-09"},
            [("id.lowercase_x", "身份证件号")],
        ),
        ({"sex": "9-未说明的性别"}, [("id.sex_mismatch", "性别")]),
        (
            {k: base[0][k] for k in ("id_number", "birth_date", "sex", "work_start", "school_start")},
            [("id.duplicate", "身份证件号")],
        ),
        ({"ethnicity": ""}, [("row.required_if", "民族")]),
        ({"political_status": "01-中共党员,13-群众"}, [("row.political_exclusive", "政治面貌")]),
        ({"employment_form": "1-人事代理"}, [("row.empty_if", "用人形式")]),
        (
            {"degree_level": "3-硕士", "degree": "404-教育学学士学位", "degree_institution": "北疆师范大学"},
            [("row.degree_level", "最高学位名称")],
        ),
        ({"post_category": "11-教师岗位", "post_grade": "205-管理岗位五级"}, [("row.post_grade", "岗位等级")]),
        ({"school_start": "1970-01"}, [("row.date_order", "进本校年月")]),
        ({"staff_category": "55-代课教师"}, [("scope.category", "教职工类别")]),
        ({"established_post": "0-否"}, [("scope.public_not_established", "是否在编")]),
        ({"school_start": 2015.1}, [("yearmonth.ambiguous", "进本校年月")]),
        ({"birth_date": "date"}, [("cell.variant", "出生日期")]),
    ]


def defect_workbook(registry, cat):
    """Write, with xlwt as another program would, a template holding one defect per row."""
    school = registry.get(SCHOOL)
    kind = cat.kind("中小学")
    base = demo_records(school, 23, seed=3)
    for person in base:
        person.update(established_post="1-是", employment_form="")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("教职工基础信息")
    sheet.write(0, 0, "中小学教职工信息采集模板")
    for col, text in enumerate(["录入人：", "李明", "校验人：", "李明"]):
        sheet.write(1, col, text)
    for col, ind in enumerate(kind.indicators):
        sheet.write(2, col, ind.header_label)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    expected = [(None, "校验人", "signoff.same_person")]
    for index, (person, (changes, found)) in enumerate(zip(base, defects(base))):
        row = 3 + index
        person = dict(person, **changes)
        for col, key in enumerate(kind.keys):
            value = person[key]
            if value == "date":
                sheet.write(row, col, datetime.date.fromisoformat(base[index]["birth_date"]), date_style)
            elif value != "":
                sheet.write(row, col, value)
        expected += [(row + 1, column, code) for code, column in found]
    stamp = book.add_sheet(STAMP_SHEET)
    for r, (label, value) in enumerate(stamp_values(school.id, school.name, kind)):
        stamp.write(r, 0, label)
        stamp.write(r, 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), school.file_name(), expected


def test_one_of_every_defect_gives_exactly_the_expected_findings(registry, cat):
    data, name, expected = defect_workbook(registry, cat)
    report = validate(data, name=name, registry=registry, today=DAY)
    got = [(f.row, f.column, f.code) for f in report.findings]
    order = {ind.header: ind.order for ind in cat.kind("中小学").indicators}
    expected.sort(key=lambda e: (e[0] is not None, e[0] or 0, order.get(e[1], 10_000)))
    assert got == expected
    assert report.counts == {
        "error": sum(1 for f in report.findings if f.severity == "error"),
        "warning": sum(1 for f in report.findings if f.severity == "warning"),
    }
    assert report.counts["warning"] == 3 and not report.valid
    assert all(f.message and f.file == name for f in report.findings)


def test_a_clean_5000_row_file_gives_no_findings(tmp_path, registry):
    school = registry.get("4115010126")
    people = demo_records(school, 5000, seed=11)
    path = new_template(school, people, signoff={"entered_by": "李明", "checked_by": "王芳"}).save(tmp_path)
    report = validate(path, registry=registry, today=DAY)
    assert (report.rows, report.codes(), report.valid) == (5000, [], True)


def test_the_report_caps_findings_but_counts_them_all(registry, cat):
    data, name, expected = defect_workbook(registry, cat)
    report = validate(data, name=name, registry=registry, today=DAY, limit=5)
    assert report.truncated and len(report.findings) == 5
    assert sum(report.counts.values()) == len(expected)
    rows = report.to_rows()
    assert rows[0] == ("文件", "行号", "列", "填写内容", "级别", "代码", "问题及修改方法")
    assert len(rows) == 6 and rows[1][4] == "错误"


def _shuffled_findings(cat, count, seed=3):
    """`count` findings over rows and columns (ties included, some without a row), in no order."""
    import random

    from staffrec.findings import Finding

    kind = cat.kind("中小学")
    headers = [ind.header_label for ind in kind.indicators[:6]] + [None, "不是表头"]
    rng = random.Random(seed)
    return [
        Finding(f"code.{i % 7}", ("error", "warning")[i % 3 == 0], f"问题 {i}", None,
                rng.choice([None, *range(4, 40)]), rng.choice(headers), str(i))
        for i in range(count)
    ]


def _report_of(cat, findings, limit):
    from staffrec.checks.context import CheckContext
    from staffrec.checks.report import build_report
    from staffrec.template import Template

    template = Template(cat.kind("中小学"), "", None, source="x.xls", findings=(), catalogue=cat)
    context = CheckContext(template, cat, None, DAY)
    return context, build_report(context, iter(findings), limit)


@pytest.mark.parametrize("limit", [0, 1, 2, 50, 999, 1000, 1001, 5000])
def test_the_report_keeps_the_first_findings_in_order_and_counts_all(cat, limit):
    findings = _shuffled_findings(cat, 1000)
    context, report = _report_of(cat, findings, limit)
    # What the report gave before it stopped holding every finding: sort all, keep the first `limit`.
    expected = sorted(findings, key=lambda f: (f.row is not None, f.row or 0, context.column_order(f.column)))
    assert report.findings == tuple(expected[:limit])
    assert report.counts == {"error": sum(f.is_error for f in findings), "warning": sum(not f.is_error for f in findings)}
    assert report.truncated == (limit < 1000)
    assert report.to_rows()[1:] == _report_rows(expected[:limit])


def _report_rows(findings):
    return [(f.file or "x.xls", "" if f.row is None else f.row, f.column or "", f.value or "",
             "错误" if f.is_error else "警告", f.code, f.message) for f in findings]


def test_the_report_holds_only_the_findings_it_keeps(cat):
    """Millions of findings cost memory for `limit` only (a file with a finding in every cell)."""
    import tracemalloc

    from staffrec.findings import Finding

    def stream(count):
        for i in range(count):
            yield Finding("cell.required", "error", "“姓名”未填写。", None, 4 + i // 40, "姓名", None)

    tracemalloc.start()
    try:
        _, report = _report_of(cat, stream(300_000), 1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.counts["error"] == 300_000 and report.truncated and len(report.findings) == 1000
    assert [f.row for f in report.findings] == [4 + i // 40 for i in range(1000)]
    assert peak < 5 * 2**20  # holding them all (as sorted() did) takes about 60 MB


def test_cli_json_contract_and_exit_codes(tmp_path, registry, registry_text, cat, capsys):
    data, name, expected = defect_workbook(registry, cat)
    bad = tmp_path / name
    bad.write_bytes(data)
    school = registry.get("4115010126")
    good = new_template(school, demo_records(school, 3), signoff={"entered_by": "甲", "checked_by": "乙"}).save(tmp_path)
    csv_path = tmp_path / "schools.csv"
    csv_path.write_text(registry_text, encoding="utf-8")

    assert main(["validate", str(good), "--registry", str(csv_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["valid"] is True
    assert main(["validate", str(good), str(bad), "--registry", str(csv_path), "--json"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in reports] == [good.name, bad.name]
    first, second = reports
    assert set(first) == {"file", "valid", "kind", "school_id", "rows", "counts", "truncated", "findings"}
    assert (first["valid"], first["kind"], first["school_id"], first["rows"]) == (True, "高校", "4115010126", 3)
    assert second["valid"] is False and second["counts"]["error"] == len(expected) - 3
    finding = second["findings"][0]
    assert set(finding) == {"code", "severity", "row", "column", "value", "message"}
    assert (finding["row"], finding["column"], finding["code"]) == (None, "校验人", "signoff.same_person")
    assert (12, "身份证件号", "id.number_cell") in [(f["row"], f["column"], f["code"]) for f in second["findings"]]


def test_cli_readable_listing(tmp_path, registry, cat, capsys):
    data, name, _ = defect_workbook(registry, cat)
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "校验未通过" in out and "第 12 行“身份证件号”列" in out and "[警告]" in out


def test_cli_bad_invocation(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert main(["validate", str(tmp_path / "x.xls"), "--registry", str(tmp_path / "none.csv")]) == 2


def test_a_negative_limit_is_refused(registry, cat, capsys):
    data, name, _ = defect_workbook(registry, cat)
    with pytest.raises(ValueError):
        validate(data, name=name, limit=-1)
    with pytest.raises(SystemExit) as info:
        main(["validate", "x.xls", "--limit", "-1"])
    assert info.value.code == 2
