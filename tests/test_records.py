import datetime

import pytest

from staffrec.codes import Code
from staffrec.errors import RecordError
from staffrec.records import build_record


def test_keys_and_headers_address_the_same_column(cat):
    kind = cat.kind("中职")
    by_key = build_record(kind, {"name": "张三", "dual_qualified": "是"}, cat)
    by_header = build_record(kind, {"*姓名": "张三", "是否“双师型”教师": "1-是"}, cat)
    assert by_key == by_header
    assert by_key["dual_qualified"] == "1-是"
    assert by_key["remark"] == ""
    assert list(by_key.as_dict()) == list(kind.keys)


def test_python_values_become_cell_text(cat):
    kind = cat.kind("高校")
    record = build_record(
        kind,
        {
            "birth_date": datetime.date(1985, 3, 12),
            "work_start": datetime.datetime(2008, 9, 1),
            "sex": Code("2", "女"),
            "political_status": ["01", "03"],
            "id_number": 150102198503121234,
            "former_name": None,
        },
        cat,
    )
    assert record["birth_date"] == "1985-03-12"
    assert record["work_start"] == "2008-09"
    assert record["sex"] == "2-女"
    assert record["political_status"] == "01-中共党员,03-共青团员"
    assert record["id_number"] == "150102198503121234"
    assert record["former_name"] == ""


def test_a_float_year_month_is_never_guessed(cat):
    record = build_record(cat.kind("高校"), {"work_start": 2008.1}, cat)
    assert record["work_start"] == "2008.1"


def test_values_that_cannot_be_told_are_kept_as_typed_for_the_checks(cat):
    record = build_record(cat.kind("高校"), {"sex": "男性", "birth_date": "1985-02-30"}, cat)
    assert (record["sex"], record["birth_date"]) == ("男性", "1985-02-30")


def test_unknown_column_is_a_programmer_error(cat):
    with pytest.raises(RecordError, match="手机"):
        build_record(cat.kind("高校"), {"手机": "1"}, cat)
    with pytest.raises(ValueError):
        build_record(cat.kind("中小学"), {"dual_qualified": "1"}, cat)


def test_record_access(cat):
    record = build_record(cat.kind("特教"), {"name": "乌云"}, cat)
    assert "sped_start" in record and "department" not in record
    assert record.get("department", "-") == "-"
    assert record.cell("name") is None
    with pytest.raises(KeyError):
        record["department"]
