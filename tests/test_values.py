import pytest

from staffrec.values import (
    canonical_code,
    canonical_date,
    canonical_multicode,
    canonical_value,
    canonical_yearmonth,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1985-03-12", "1985-03-12"),
        ("1985-3-2", "1985-03-02"),
        ("1985.03.12", "1985-03-12"),
        ("1985/3/12", "1985-03-12"),
        ("19850312", "1985-03-12"),
        ("1985年3月12日", "1985-03-12"),
        ("１９８５-03-12", "1985-03-12"),
        ("1985-03-12 00:00:00", "1985-03-12"),
        ("1985-02-30", None),
        ("1985-13-01", None),
        ("85-03-12", None),
        ("1985-03", None),
        ("明年", None),
    ],
)
def test_canonical_date(text, expected):
    assert canonical_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2008-09", "2008-09"),
        ("2008.9", "2008-09"),
        ("2008.1", None),
        ("2008.10", "2008-10"),
        ("2008.09", "2008-09"),
        ("2008.9", "2008-09"),
        ("2008.1", None),
        ("2008.10", "2008-10"),
        ("2008.9", "2008-09"),
        ("2008.1", None),
        ("2008.10", "2008-10"),
        ("2008年9月", "2008-09"),
        ("2008年09", "2008-09"),
        ("2008-09-01", "2008-09"),
        ("2008-13", None),
        ("2008-00", None),
        ("2008", None),
    ],
)
def test_canonical_yearmonth(text, expected):
    assert canonical_yearmonth(text) == expected


@pytest.mark.parametrize(
    "table, text, expected",
    [
        ("sex", "1-男", "1-男"),
        ("sex", "1", "1-男"),
        ("sex", "男", "1-男"),
        ("sex", " 男 ", "1-男"),
        ("sex", "1-女", None),
        ("sex", "男性", None),
        ("ethnicity", "1", "01-汉族"),
        ("ethnicity", "1-汉族", "01-汉族"),
        ("ethnicity", "０２", "02-蒙古族"),
        ("ethnicity", "02－蒙古族", "02-蒙古族"),
        ("professional_title", "11", "011-教授"),
        ("nationality", "156", "156-中国"),
        ("id_type", "A", "A-护照"),
        ("education", "99", None),
    ],
)
def test_canonical_code(cat, table, text, expected):
    assert canonical_code(cat.table(table), text) == expected


def test_leading_zero_restore_needs_a_single_candidate(cat):
    # "1" could be 01 or 001 in a table holding both; such a table must not guess.
    from staffrec.codes import Code, CodeTable

    table = CodeTable("t", "t", [Code("01", "甲"), Code("001", "乙")])
    assert canonical_code(table, "1") is None


def test_canonical_multicode(cat):
    table = cat.table("political_status")
    assert canonical_multicode(table, "01-中共党员,03-共青团员") == "01-中共党员,03-共青团员"
    assert canonical_multicode(table, "中共党员，群众") == "01-中共党员,13-群众"
    assert canonical_multicode(table, "1、3") == "01-中共党员,03-共青团员"
    assert canonical_multicode(table, "01,火星人") is None


def test_canonical_value_by_indicator_type(cat):
    kind = cat.kind("中小学")
    assert canonical_value(kind.indicator("name"), "\u3000张三 ", cat) == "张三"
    assert canonical_value(kind.indicator("birth_date"), "1985.3.12", cat) == "1985-03-12"
    assert canonical_value(kind.indicator("work_start"), "2008年9月", cat) == "2008-09"
    assert canonical_value(kind.indicator("sex"), "", cat) == ""
    assert canonical_value(kind.indicator("political_status"), "群众", cat) == "13-群众"
