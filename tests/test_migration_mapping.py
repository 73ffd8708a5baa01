"""The mapping file: what it may say, and the Chinese errors for what it must not."""

import re

import pytest

from staffrec.migration import MigrationError, load_mapping, parse_mapping

FULL = """
[source]
encoding = "gbk"
sheet = 2
header_row = 3

[columns]
"姓名" = "name"
"性别" = "性别"
"备注" = ""
"备注#2" = "remark"

[constants]
"国籍/地区" = 156
id_type = "1"

[dates]
birth_date = "DD/MM/YYYY"
"*" = ["MM/YYYY", "YYYY年M月"]

[aliases.political_status]
"党员(预备)" = "02"

[signoff]
"录入人" = "李明"
checked_by = "王芳"
"""


def test_a_full_mapping(cat):
    mapping = parse_mapping(FULL, catalogue=cat)
    assert (mapping.encoding, mapping.sheet, mapping.header_row) == ("gbk", 2, 3)
    assert [(r.spelled, r.target) for r in mapping.columns] == [
        ("姓名", "name"), ("性别", "sex"), ("备注", None), ("备注#2", "remark")
    ]
    assert mapping.columns[3].source == "备注" and mapping.columns[3].occurrence == 2
    assert mapping.constants == (("nationality", "156"), ("id_type", "1"))
    assert [f.pattern for f in mapping.date_forms("birth_date")] == ["DD/MM/YYYY", "MM/YYYY", "YYYY年M月"]
    assert [f.pattern for f in mapping.date_forms("work_start")] == ["MM/YYYY", "YYYY年M月"]
    assert mapping.aliases_for("political_status") == (("党员(预备)", "02"),)
    assert dict(mapping.signoff) == {"entered_by": "李明", "checked_by": "王芳"}
    assert mapping.targets() == ("name", "sex", "remark")


@pytest.mark.parametrize(
    "text,message",
    [
        ('[columns]\n姓名 = "name"\n', "第 2 行第 1 列格式有误"),
        ('[columns]\n"姓名" = name\n', "第 2 行"),
        ('[colums]\n"姓名" = "name"\n', "不认识的一节：colums"),
        ('[columns]\n"姓名" = "nam"\n', "“nam”不是任何采集模板的指标"),
        ('[columns]\n"姓名" = "name"\n"名字" = "姓名"\n', "一个指标只能来自一列"),
        ('[columns]\n"国籍" = "nationality"\n[constants]\nnationality = "156"\n', "只能二选一"),
        ('[columns]\n"姓名" = 1.5\n', "应为文字"),
        ('[dates]\nbirth_date = "DD/MM/YY"\n', "两位年份"),
        ('[dates]\nbirth_date = "YYYY-MM-MM"\n', "重复"),
        ('[aliases]\nsex = "1"\n', "按指标分节"),
        ('[signoff]\n"审核人" = "张三"\n', "不是签字栏的项目"),
        ('[source]\nheader = 3\n', "没有“header”这一项"),
        ('[source]\nheader_row = 0\n', "header_row"),
        ("columns = 3\n", "应为 [columns] 一节"),
    ],
)
def test_mistakes_are_explained_in_chinese(cat, text, message):
    with pytest.raises(MigrationError, match=re.escape(message)):
        parse_mapping(text, catalogue=cat)


def test_mapping_files_saved_by_notepad(tmp_path, cat):
    text = '[columns]\n"姓名" = "name"\n'
    for name, data in (("bom.toml", b"\xef\xbb\xbf" + text.encode()), ("ansi.toml", text.encode("gbk"))):
        path = tmp_path / name
        path.write_bytes(data)
        assert load_mapping(path, catalogue=cat).targets() == ("name",)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'[columns]\n"\xff\xff" = "name"\n')
    with pytest.raises(MigrationError, match="不是文本文件"):
        load_mapping(bad, catalogue=cat)
