"""Converting cells: every alias family, ambiguity, code/name conflicts, dates, ID numbers and derivation."""

import csv

import pytest

from staffrec.cells import Cell, CellKind, make_cell
from staffrec.errors import CatalogueError
from staffrec.migration import MigrationError, builtin_aliases, parse_mapping
from staffrec.migration.aliases import parse_aliases
from staffrec.migration.convert import Converter
from staffrec.migration.derive import derivable
from staffrec.paths import codes_dir
from staffrec.values import code_row


def _converter(cat, kind="中小学", toml=""):
    return Converter(cat.kind(kind), parse_mapping(toml, catalogue=cat), cat, builtin_aliases())


def _convert(cat, key, text, kind="中小学", toml="", stored=CellKind.TEXT):
    converter = _converter(cat, kind, toml)
    return converter.convert(cat.kind(kind).indicator(key), make_cell(text, stored))


def _code(cat, key, text, kind="中小学", toml=""):
    value, problems = _convert(cat, key, text, kind, toml)
    assert not problems, (text, [(p.code, params) for p, params in problems])
    return ",".join(part.partition("-")[0] for part in value.split(","))


# (indicator, kind, spellings, code): full and short names, names without 族, codes without zeros, …
FAMILIES = [
    ("sex", "中小学", ["男", "1", "1-男", "男性", "M", "m", "Male", "１"], "1"),
    ("sex", "中小学", ["女", "女性", "F", "female"], "2"),
    ("ethnicity", "中小学", ["汉", "汉族", "1", "01", "01-汉族", "01 汉族", "[01]汉族", "汉族(01)", "1-汉族"], "01"),
    ("ethnicity", "中小学", ["蒙古", "蒙", "蒙古族", "2"], "02"),
    ("ethnicity", "中小学", ["达斡尔", "鄂温克族", "鄂伦春", "回", "满"], None),
    ("political_status", "中小学", ["中共党员", "党员", "共产党员", "中国共产党党员", "1", "01"], "01"),
    ("political_status", "中小学", ["共青团员", "团员", "中国共产主义青年团团员", "3"], "03"),
    ("political_status", "中小学", ["群众", "普通群众", "13"], "13"),
    ("political_status", "中小学", ["民盟", "中国民主同盟盟员", "民盟盟员"], "05"),
    ("political_status", "中小学", ["九三", "九三学社"], None),
    ("marital_status", "中小学", ["已婚", "20"], "20"),
    ("marital_status", "中小学", ["离异", "离婚"], "40"),
    ("health", "中小学", ["健康", "良好", "健康或良好", "1"], "1"),
    ("id_type", "中小学", ["身份证", "居民身份证", "二代身份证", "1"], "1"),
    ("id_type", "中小学", ["护照", "A"], "A"),
    ("nationality", "中小学", ["中国", "156", "CN", "chn", "中华人民共和国", "156-中国"], "156"),
    ("education", "中小学", ["本科", "大学本科", "大本", "大学本科毕业", "21"], "21"),
    ("education", "中小学", ["大专", "专科", "大学专科毕业"], "31"),
    ("education", "中小学", ["硕士研究生", "硕士", "硕士研究生毕业"], "14"),
    ("education", "中小学", ["博士研究生", "博士"], "11"),
    ("education", "中小学", ["中专", "中师", "中等专科毕业"], "41"),
    ("degree_level", "中小学", ["学士", "学士学位", "4"], "4"),
    ("degree_level", "中小学", ["无", "无学位", "0"], "0"),
    ("degree", "中小学", ["教育学学士", "教育学学士学位", "404"], "404"),
    ("degree", "中小学", ["教育硕士", "教育硕士专业学位"], "342"),
    ("staff_source", "中小学", ["系统内调入", "系统内", "31"], "31"),
    ("staff_source", "中小学", ["城镇应届毕业生", "城镇应届"], "11"),
    ("staff_source", "高校", ["社会招聘专业技术人员", "51"], "51"),
    ("staff_source", "高校", ["军转干部", "军转干部安置"], "21"),
    ("staff_category", "中小学", ["专任教师", "11"], "11"),
    ("staff_category", "中小学", ["教辅", "教辅人员"], "12"),
    ("established_post", "中小学", ["是", "1", "Y", "yes", "有", "√", "TRUE"], "1"),
    ("established_post", "中小学", ["否", "0", "N", "无", "×", "FALSE"], "0"),
    ("employment_form", "中小学", ["人事代理", "代理"], "1"),
    ("employment_form", "中小学", ["劳务派遣", "派遣"], "2"),
    ("contract", "中小学", ["聘用合同", "聘用"], "1"),
    ("contract", "中小学", ["未签合同", "未签", "无"], "0"),
    ("post_category", "中小学", ["教师岗位", "教师岗", "教师", "11"], "11"),
    ("post_category", "中小学", ["管理岗位", "管理岗", "2"], "2"),
    ("post_grade", "中小学", ["专业技术岗位十级", "专技十级", "专技10级", "专业技术10级", "110"], "110"),
    ("post_grade", "中小学", ["管理七级", "管理岗位7级", "207"], "207"),
    ("post_grade", "中小学", ["技术工三级", "工勤技能三级", "高级工", "303"], "303"),
    ("post_grade", "中小学", ["普通工", "普工"], "306"),
    ("professional_title", "中小学", ["中学一级教师", "中学一级", "中一", "053", "53"], "053"),
    ("professional_title", "中小学", ["小学高级教师", "小高", "413"], "413"),
    ("professional_title", "中小学", ["馆员", "馆员（图书）", "馆员(图书)"], "643"),
    ("professional_title", "中小学", ["无", "未评", "无职称", "999"], "999"),
    ("it_skill", "中小学", ["熟练", "2", "2-熟练"], "2"),
    ("free_normal", "中小学", ["地方公费师范生", "地方免费师范生", "2"], "2"),
    ("free_normal", "中小学", ["部属公费师范生", "部属师范大学免费师范生"], "1"),
    ("grassroots", "中小学", ["特岗", "特岗计划", "特岗教师", "1"], "1"),
    ("grassroots", "中小学", ["三支一扶", "高校毕业生“三支一扶”计划"], "3"),
    ("grassroots", "中小学", ["无", "否", "未参加"], "0"),
    ("mental_health_teacher", "中小学", ["兼职", "兼职心理健康教育教师"], "2"),
    ("academic_origin", "高校", ["境外", "境外院校或机构", "国外"], "3"),
    ("supervisor", "高校", ["博导", "博士生导师"], "1"),
    ("supervisor", "高校", ["博导、硕导", "博士、硕士生导师"], "3"),
    ("enterprise_practice", "中职", ["3年以上", "3年及以上", "4"], "4"),
]


@pytest.mark.parametrize("key,kind,spellings,code", FAMILIES, ids=lambda v: v if isinstance(v, str) else None)
def test_alias_families(cat, key, kind, spellings, code):
    for text in spellings:
        found = _code(cat, key, text, kind)
        if code is not None:
            assert found == code, text


def test_multicode_parts_are_converted_one_by_one(cat):
    value, problems = _convert(cat, "political_status", "民盟、团员")
    assert not problems and value == "05-民盟盟员,03-共青团员"
    assert _convert(cat, "political_status", "党员，党员")[0] == "01-中共党员"


@pytest.mark.parametrize(
    "key,text,candidates",
    [
        ("professional_title", "讲师", ["013-讲师（高校）", "023-讲师（中专）", "033-讲师（技校）"]),
        ("professional_title", "一级教师", ["053-中学一级教师", "414-小学一级教师"]),
        ("education", "研究生", ["11-博士研究生毕业", "14-硕士研究生毕业"]),
        ("political_status", "无", ["12-无党派民主人士", "13-群众"]),
        ("political_status", "无党派", ["12-无党派民主人士", "13-群众"]),
        ("marital_status", "单身", ["10-未婚", "30-丧偶", "40-离婚"]),
        ("mental_health_teacher", "是", ["1-专职心理健康教育教师", "2-兼职心理健康教育教师"]),
    ],
)
def test_a_value_that_maps_to_two_codes_is_reported_not_mapped(cat, key, text, candidates):
    value, problems = _convert(cat, key, text)
    assert value == text
    [(problem, params)] = problems
    assert problem.code == "migrate.code_ambiguous"
    assert params["candidates"] == "、".join(candidates)


def test_the_users_alias_settles_an_ambiguous_value(cat):
    toml = '[aliases.political_status]\n"无" = "13"\n[aliases."专业技术职务"]\n"一级教师" = "中学一级教师"\n'
    assert _code(cat, "political_status", "无", toml=toml) == "13"
    assert _code(cat, "professional_title", "一级教师", toml=toml) == "053"


def test_the_users_alias_wins_over_a_code(cat):
    # An HR system whose own sex codes are 0 = 女, 1 = 男.
    toml = '[aliases.sex]\n"0" = "2"\n'
    assert _code(cat, "sex", "0", toml=toml) == "2"
    assert _code(cat, "sex", "0") == "0"


def test_a_wrong_user_alias_is_a_mapping_error(cat):
    with pytest.raises(MigrationError, match="不是“民族”中的代码"):
        _converter(cat, toml='[aliases.ethnicity]\n"穿青人" = "99"\n')
    with pytest.raises(MigrationError, match="不是代码项"):
        _converter(cat, toml='[aliases.name]\n"张三" = "1"\n')


@pytest.mark.parametrize("text", ["入党积极分子", "外星人", "99"])
def test_unknown_values_are_reported(cat, text):
    value, [(problem, _)] = _convert(cat, "political_status", text)
    assert problem.code == "migrate.code_unknown" and value == text


def test_code_and_name_that_disagree_are_reported(cat):
    value, [(problem, params)] = _convert(cat, "ethnicity", "01-蒙古族")
    assert problem.code == "migrate.code_conflict" and params["label"] == "01-汉族"
    assert _convert(cat, "ethnicity", "02 蒙古")[0] == "02-蒙古族"


def test_dates_in_known_and_declared_forms(cat):
    assert _convert(cat, "birth_date", "1985.3.12")[0] == "1985-03-12"
    assert _convert(cat, "birth_date", "1985年3月12日")[0] == "1985-03-12"
    value, [(problem, _)] = _convert(cat, "birth_date", "12/03/1985")
    assert problem.code == "migrate.date_invalid" and value == "12/03/1985"
    declared = '[dates]\nbirth_date = "DD/MM/YYYY"\n'
    assert _convert(cat, "birth_date", "12/03/1985", toml=declared)[0] == "1985-03-12"
    assert _convert(cat, "birth_date", "31/02/1985", toml=declared)[1][0][0].code == "migrate.date_invalid"
    every = '[dates]\n"*" = ["MM/YYYY", "M/D/YYYY"]\n'
    assert _convert(cat, "school_start", "09/2008", toml=every)[0] == "2008-09"
    assert _convert(cat, "birth_date", "3/12/1985", toml=every)[0] == "1985-03-12"


def test_year_months_ending_in_dot_one_are_never_guessed(cat):
    value, [(problem, params)] = _convert(cat, "work_start", "2008.1")
    assert problem.code == "migrate.yearmonth_ambiguous" and params["year"] == "2008" and value == ""
    assert _convert(cat, "work_start", "2008.2")[0] == "2008-02"
    assert _convert(cat, "work_start", "2008.10")[0] == "2008-10"
    declared = '[dates]\nwork_start = "YYYY.M"\n'
    assert _convert(cat, "work_start", "2008.1", toml=declared)[0] == "2008-01"
    # Stored as a number, the trailing zero of October is gone whatever the mapping says.
    value, [(problem, _)] = _convert(cat, "work_start", 2008.1, toml=declared, stored=CellKind.NUMBER)
    assert problem.code == "migrate.yearmonth_ambiguous"


def test_id_numbers(cat):
    assert _convert(cat, "id_number", "11010519491231002x")[0] == "11010519491231002X"
    assert _convert(cat, "id_number", "１１０１０５１９４９１２３１００２Ｘ")[0] == "11010519491231002X"
    value, [(problem, _)] = _convert(cat, "id_number", 1.10105194912310e17, stored=CellKind.NUMBER)
    assert problem.code == "migrate.id_number_cell"
    assert _convert(cat, "id_number", "1.10105E+17")[1][0][0].code == "migrate.id_number_cell"


def test_alignment_spaces_in_names_are_removed_and_reported(cat):
    value, [(problem, params)] = _convert(cat, "name", "王\u3000芳")
    assert value == "王芳" and problem.code == "migrate.name_spaces"
    assert _convert(cat, "name", "Anna Petrova") == ("Anna Petrova", ())


def test_sex_and_birth_are_derived_from_a_valid_resident_id_only_when_empty(cat):
    base = {"id_type": "1-居民身份证", "id_number": "11010519491231002X", "sex": "", "birth_date": ""}
    assert derivable(base, cat) == {"sex": "2-女", "birth_date": "1949-12-31"}
    assert derivable({**base, "sex": "1-男"}, cat) == {"birth_date": "1949-12-31"}
    assert derivable({**base, "id_type": "A-护照"}, cat) == {}
    assert derivable({**base, "id_type": ""}, cat) == {}
    assert derivable({**base, "id_number": "110105194912310021"}, cat) == {}


def test_shipped_aliases_are_consistent(cat):
    with open(codes_dir() / "aliases.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tables = {ind.table for kind in cat.kinds.values() for ind in kind.indicators if ind.is_coded}
    covered = {row["table"] for row in rows}
    # 信息技术应用能力 has no spelling beyond its names (精通, 熟练, …), which need no alias.
    assert tables - covered == {"it_skill"}
    listed = {}
    for row in rows:
        if row["table"] == "header":
            continue
        table = cat.table(row["table"])
        assert table.is_selectable(row["code"]), row
        # An alias that is a code or name of the table already would never be used.
        assert code_row(table, row["alias"]) is None, row
        listed.setdefault((row["table"], row["alias"]), set()).add(row["code"])
    book = builtin_aliases()
    for (table, alias), codes in listed.items():
        # No spelling of one code, folded, collides with another code's name.
        assert set(book.codes(table, alias)) == codes, (table, alias)


def test_every_code_table_resolves_its_own_codes_and_names(cat):
    converter = _converter(cat, "高校")
    for kind in cat.kinds.values():
        converter = _converter(cat, kind.name)
        for ind in (i for i in kind.indicators if i.is_coded):
            for row in cat.table(ind.table).choices(kind.name):
                forms = {row.code, row.name, row.label, row.code.lstrip("0") or "0"}
                for text in forms:
                    value, problems = converter.convert(ind, Cell(text, CellKind.TEXT))
                    assert not problems and value == row.label, (kind.name, ind.key, text)


def test_a_broken_alias_file_names_the_line(cat):
    with pytest.raises(CatalogueError, match="line 3"):
        parse_aliases([{"table": "sex", "alias": "男性", "code": "1"}, {"table": "sex", "alias": "x", "code": "7"}], cat)
    with pytest.raises(CatalogueError, match="no indicator"):
        parse_aliases([{"table": "header", "alias": "工号", "code": "nope"}], cat)
