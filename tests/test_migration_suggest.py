"""suggest_mapping(): columns recognised from headers, values needing aliases, date forms to declare."""

from staffrec.migration import migrate, parse_mapping, suggest_mapping
from test_migration_support import TODAY, csv_bytes, hr_rows, people, xlsx_bytes


def _rows_with(kind, records, header_changes=(), cell_changes=()):
    rows = hr_rows(kind, records)
    for old, new in header_changes:
        rows[1][rows[1].index(old)] = new
    for row, header, value in cell_changes:
        rows[row][rows[1].index(header)] = value
    return rows


def test_headers_are_recognised_by_template_name_key_and_common_spelling(school_of_kind):
    school = school_of_kind("高校")
    kind = school.kind()
    rows = _rows_with(kind, people(school), header_changes=(
        ("身份证件号", "身份证号码（18位）"), ("专业技术职务", "职称"), ("所在二级单位", "department"), ("学缘结构", "籍贯"),
    ))
    for row in rows:
        row.append("")
    rows[1][-1] = "工资卡号"
    suggestion = suggest_mapping(xlsx_bytes({"封面": [["人事系统"]], "在职": rows}), kind=kind)
    columns = {g.column: g.key for g in suggestion.columns}
    assert columns["身份证号码（18位）"] == "id_number"
    assert columns["职称"] == "professional_title" and columns["department"] == "department"
    assert columns["工资卡号"] is None
    # Two columns that look like one indicator: the second is left for the user to decide.
    [second] = [g for g in suggestion.columns if g.column == "籍贯#2"]
    assert second.key is None and "请选定一列" in second.note
    assert [i.key for i in suggestion.missing] == ["academic_origin"]
    text = suggestion.to_toml()
    assert 'sheet = "在职"' in text and "按高校教职工信息采集模板" in text
    assert '"籍贯#2" = ""' in text
    assert parse_mapping(text).targets()


def test_date_forms_are_proposed_only_when_one_order_fits(school_of_kind):
    school = school_of_kind("中小学")
    kind = school.kind()
    records = people(school, 3)
    ambiguous = _rows_with(kind, records, cell_changes=((2, "出生日期", "03/04/1985"), (3, "出生日期", "05/06/1990")))
    suggestion = suggest_mapping(csv_bytes(ambiguous, "utf-8"), kind=kind)
    assert suggestion.dates == (("birth_date", ("03/04/1985", "05/06/1990"), ""),)
    assert "日、月顺序无法判断" in suggestion.to_toml()
    settled = _rows_with(kind, records, cell_changes=((2, "出生日期", "23/04/1985"), (3, "出生日期", "05/06/1990")))
    suggestion = suggest_mapping(csv_bytes(settled, "utf-8"), kind=kind)
    assert suggestion.dates == (("birth_date", ("23/04/1985", "05/06/1990"), "D/M/YYYY"),)


def test_a_suggestion_completed_by_the_user_migrates(school_of_kind, registry):
    school = school_of_kind("中小学")
    records = people(school, 3)
    rows = _rows_with(school.kind(), records, header_changes=(("是否在编", "编制"),),
                      cell_changes=[(row, "编制", "在编") for row in (2, 3, 4)])
    data = csv_bytes(rows, "gb18030")
    text = suggest_mapping(data).to_toml()
    assert '# "在编" = ""  # 出现 3 次' in text
    for old, new in (('# "在编" = ""', '"在编" = "是"'), ('# entered_by = ""', 'entered_by = "李明"'),
                     ('# checked_by = ""', 'checked_by = "王芳"')):
        text = text.replace(old, new)
    result = migrate(data, parse_mapping(text), school, registry=registry, today=TODAY)
    assert [r.as_dict() for r in result.records] == records
    assert result.ok, result.problems()
