"""migrate(): columns found or missing, rows tied to the export, refused values, derived values, writing."""

import attrs
import pytest

from staffrec import catalogue, validate
from staffrec.migration import ColumnRule, MigrationError, migrate
from test_migration_support import TODAY, csv_bytes, hr_rows, mapping_for, people


@pytest.fixture
def k12(school_of_kind):
    return school_of_kind("中小学")


def _run(rows, school, registry, mapping=None, **kwargs):
    mapping = mapping or mapping_for(catalogue().kind("中小学"))
    return migrate(csv_bytes(rows, "gbk"), mapping, school, registry=registry, today=TODAY, **kwargs)


def _mapping(school, drop=(), add=(), **changes):
    """The full mapping of the school's kind without the `drop` keys, plus `add` ColumnRules."""
    base = mapping_for(school.kind())
    columns = tuple(r for r in base.columns if r.target not in drop) + tuple(add)
    return attrs.evolve(base, columns=columns, **changes)


def _column(rows, header):
    return rows[1].index(header)


def test_a_missing_mapped_column_is_reported_and_every_row_lacks_it(k12, registry):
    rows = hr_rows(k12.kind(), people(k12))
    rows[1][_column(rows, "专业技术职务")] = "职称（现聘）"
    result = _run(rows, k12, registry)
    [missing] = [i for i in result.issues if i.code == "migrate.column_missing"]
    assert missing.row is None and missing.column == "专业技术职务" and missing.target == "专业技术职务"
    assert "第 2 行" in missing.message
    assert all(r["professional_title"] == "" for r in result.records)
    # The 校验 finds it on every row; the listing names the missing column once.
    assert [(f.row, f.column) for f in result.report.findings if f.code == "cell.required"] == [
        (4, "专业技术职务"), (5, "专业技术职务"), (6, "专业技术职务")
    ]
    assert [p.code for p in result.problems() if p.is_error] == ["migrate.column_missing"]
    assert "职称（现聘）" in result.unmapped_columns
    assert not result.ok


def test_duplicate_headers_are_refused_unless_the_mapping_says_which(k12, registry):
    records = people(k12)
    rows = hr_rows(k12.kind(), records)
    for number, row in enumerate(rows):
        row.append("备注" if number == 1 else ("内部备注" if number > 1 else ""))
    result = _run(rows, k12, registry)
    [duplicate] = [i for i in result.issues if i.code == "migrate.column_duplicate"]
    assert "出现了 2 次" in duplicate.message and f"{len(rows[1])}" in duplicate.message
    mapping = _mapping(k12, drop=("remark",), add=(ColumnRule("备注", 2, "remark"),))
    result = _run(rows, k12, registry, mapping=mapping)
    assert [r["remark"] for r in result.records] == ["内部备注"] * 3
    assert result.unmapped_columns == ("备注",)


def test_an_indicator_of_another_kind_is_ignored_with_a_note(k12, registry):
    rows = hr_rows(k12.kind(), people(k12))
    for number, row in enumerate(rows):
        row.append("院系" if number == 1 else "")
    result = _run(rows, k12, registry, mapping=_mapping(k12, add=(ColumnRule("院系", 1, "department"),)))
    [note] = [i for i in result.issues if i.code == "migrate.not_in_kind"]
    assert note.level == "warning" and "中小学" in note.message
    assert result.ok


def test_rows_are_numbered_as_in_the_export_and_blank_rows_skipped(k12, registry):
    records = people(k12, 4)
    rows = hr_rows(k12.kind(), records, titles=("标题", "副标题"))
    rows.insert(5, [""] * len(rows[2]))  # a blank line between departments
    rows[6][rows[2].index("政治面貌")] = "入党积极分子"
    result = _run(rows, k12, registry)
    assert result.source_rows == (4, 5, 7, 8)
    [issue] = result.errors
    assert (issue.row, issue.column, issue.value, issue.code) == (7, "政治面貌", "入党积极分子", "migrate.code_unknown")
    [problem] = [p for p in result.problems() if p.is_error]
    assert (problem.source_row, problem.template_row) == (7, 6)
    assert result.template_row(7) == 6 and result.source_row(6) == 7
    # The refused value is written as typed, so the 校验 of the template shows it too (listed once above).
    assert result.records[2]["political_status"] == "入党积极分子"
    assert [f.row for f in result.report.errors] == [6]


def test_derived_values_are_reported_at_their_row(k12, registry):
    records = people(k12)
    rows = hr_rows(k12.kind(), records)
    rows[3][_column(rows, "性别")] = ""
    rows[4][_column(rows, "出生日期")] = ""
    result = _run(rows, k12, registry)
    assert [r.as_dict() for r in result.records] == records
    assert [(i.row, i.column, i.target) for i in result.derived] == [(4, "身份证件号", "性别"), (5, "身份证件号", "出生日期")]
    assert result.ok


def test_constants_fill_every_row_and_a_bad_one_stops_the_run(k12, registry):
    records = people(k12)
    rows = hr_rows(k12.kind(), records)
    position = _column(rows, "国籍/地区")
    for row in rows:
        del row[position]
    mapping = _mapping(k12, drop=("nationality",), constants=(("nationality", "中国"),))
    result = _run(rows, k12, registry, mapping=mapping)
    assert all(r["nationality"] == "156-中国" for r in result.records) and result.ok
    with pytest.raises(MigrationError, match="火星"):
        _run(rows, k12, registry, mapping=_mapping(k12, drop=("nationality",), constants=(("nationality", "火星"),)))


def test_dry_run_writes_nothing_and_out_writes_the_correctly_named_template(tmp_path, k12, registry):
    rows = hr_rows(k12.kind(), people(k12))
    dry = _run(rows, k12, registry)
    assert dry.path is None and dry.template.source == k12.file_name()
    out = tmp_path / "new" / "dir"
    written = _run(rows, k12, registry, out=out, fmt="xlsx")
    assert written.path == out / k12.file_name(".xlsx")
    assert [p.name for p in out.iterdir()] == [k12.file_name(".xlsx")]
    again = validate(written.path, registry=registry, today=TODAY)
    assert again.valid and again.rows == 3 and written.ok


def test_the_school_is_taken_from_the_registry(k12, registry):
    rows = hr_rows(k12.kind(), people(k12))
    assert _run(rows, str(k12.id), registry).school == k12
    with pytest.raises(MigrationError, match="不在学校名单中"):
        _run(rows, "2115009999", registry)
    with pytest.raises(MigrationError, match="--registry"):
        migrate(csv_bytes(rows, "gbk"), mapping_for(k12.kind()), str(k12.id))


def test_report_rows_for_a_spreadsheet(k12, registry):
    rows = hr_rows(k12.kind(), people(k12))
    rows[2][_column(rows, "民族")] = "穿青人"
    table = _run(rows, k12, registry).to_rows()
    assert table[0][:5] == ("源文件行号", "源文件列", "模板行号", "模板列", "内容")
    assert table[1][:8] == (3, "民族", 4, "民族", "穿青人", "无法转换", "迁移", "migrate.code_unknown")
