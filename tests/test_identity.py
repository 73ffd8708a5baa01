import re

import pytest

from staffrec.errors import FileNameError, SchoolIdError
from staffrec.identity import SchoolId, TemplateFileName


def test_higher_education_id_from_the_plan(cat):
    school_id = SchoolId.parse("4115010126")
    assert (school_id.category, school_id.province, school_id.sequence) == ("41", "15", "010126")
    assert school_id.national_code == "10126"
    assert school_id.kind().name == "高校"
    assert str(school_id) == "4115010126"


@pytest.mark.parametrize(
    "name, school_id, school_name, kind",
    [
        ("4115010126_内蒙古大学_高校教职工信息采集模板.xls", "4115010126", "内蒙古大学", "高校"),
        ("2115000001_新城区第一小学_中小学教职工信息采集模板.xls", "2115000001", "新城区第一小学", "中小学"),
        ("3115000003_昆都仑区育才民办学校_中小学教职工信息采集模板.xls", "3115000003", "昆都仑区育才民办学校", "中小学"),
        ("3215000010_某职业初中_中小学教职工信息采集模板.xls", "3215000010", "某职业初中", "中小学"),
        ("3415000002_土默特左旗第一中学_中小学教职工信息采集模板.xls", "3415000002", "土默特左旗第一中学", "中小学"),
        ("3715000011_某工读学校_中小学教职工信息采集模板.xls", "3715000011", "某工读学校", "中小学"),
        ("3615000004_包头市第一中等职业学校_中职教职工信息采集模板.xls", "3615000004", "包头市第一中等职业学校", "中职"),
        ("5115000005_呼伦贝尔市特殊教育学校_特教教职工信息采集模板.xls", "5115000005", "呼伦贝尔市特殊教育学校", "特教"),
        ("4215012345_某成人高校_高校教职工信息采集模板.xls", "4215012345", "某成人高校", "高校"),
        ("4115010126_内蒙古大学_高校教职工信息采集模板.xlsx", "4115010126", "内蒙古大学", "高校"),
        ("C:\\上传\\4115010126_内蒙古大学_高校教职工信息采集模板.XLS", "4115010126", "内蒙古大学", "高校"),
        ("/tmp/x/2115000001_名称_含_下划线_中小学教职工信息采集模板.xls", "2115000001", "名称_含_下划线", "中小学"),
    ],
)
def test_file_name_round_trip(cat, name, school_id, school_name, kind):
    parsed = TemplateFileName.parse(name)
    assert str(parsed.school_id) == school_id
    assert parsed.school_name == school_name
    assert parsed.template_name == cat.kind(kind).template_name
    rebuilt = TemplateFileName.for_school(parsed.school_id, parsed.school_name, cat.kind(kind), parsed.extension)
    assert TemplateFileName.parse(str(rebuilt)) == parsed
    assert str(rebuilt).endswith(name.rsplit("\\", 1)[-1].rsplit("/", 1)[-1][-5:].lower())


MALFORMED = [
    ("", "name_empty"),
    ("   ", "name_empty"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板", "extension"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板.csv", "extension"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板.xlsb", "extension"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板.et", "extension"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板.zip", "extension"),
    ("4115010126_内蒙古大学.xls", "parts"),
    ("4115010126.xls", "parts"),
    ("内蒙古大学高校教职工信息采集模板.xls", "parts"),
    ("411501012_内蒙古大学_高校教职工信息采集模板.xls", "id_format"),
    ("41150101266_内蒙古大学_高校教职工信息采集模板.xls", "id_format"),
    ("41150A0126_内蒙古大学_高校教职工信息采集模板.xls", "id_format"),
    ("_内蒙古大学_高校教职工信息采集模板.xls", "id_format"),
    ("４１１５０１０１２６_内蒙古大学_高校教职工信息采集模板.xls", "id_full_width"),
    ("9915000001_某学校_中小学教职工信息采集模板.xls", "id_category_unknown"),
    ("0015000001_某学校_中小学教职工信息采集模板.xls", "id_category_unknown"),
    ("1115000001_某幼儿园_中小学教职工信息采集模板.xls", "id_category_not_collected"),
    ("2215000001_某成人小学_中小学教职工信息采集模板.xls", "id_category_not_collected"),
    ("9315000001_某培训机构_中职教职工信息采集模板.xls", "id_category_not_collected"),
    ("4115110126_某大学_高校教职工信息采集模板.xls", "id_higher_ed"),
    ("4115010126__高校教职工信息采集模板.xls", "school_name_empty"),
    ("4115010126_内蒙古大学_中小学教职工信息采集模板.xls", "template_mismatch"),
    ("2115000001_新城区第一小学_高校教职工信息采集模板.xls", "template_mismatch"),
    ("3615000004_包头市第一中等职业学校_中小学教职工信息采集模板.xls", "template_mismatch"),
    ("4115010126_内蒙古大学_高校模板.xls", "template_unknown"),
    ("4115010126_内蒙古大学_.xls", "template_unknown"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板(1).xls", "copy_suffix"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板 (2).xls", "copy_suffix"),
    ("4115010126_内蒙古大学_高校教职工信息采集模板 - 副本.xls", "copy_suffix"),
]


@pytest.mark.parametrize("name, reason", MALFORMED)
def test_malformed_file_names_give_a_distinct_reason(cat, name, reason):
    with pytest.raises(FileNameError) as info:
        TemplateFileName.parse(name)
    assert info.value.reason == reason
    assert re.search(r"[\u4e00-\u9fff]", str(info.value)), "the message is Chinese"


def test_there_are_more_than_twenty_malformed_cases():
    assert len(MALFORMED) >= 20 and len({reason for _, reason in MALFORMED}) >= 10


def test_messages_name_what_is_wrong_in_chinese():
    with pytest.raises(FileNameError, match="应使用“高校教职工信息采集模板”"):
        TemplateFileName.parse("4115010126_内蒙古大学_中小学教职工信息采集模板.xls")
    with pytest.raises(FileNameError, match="10位数字"):
        TemplateFileName.parse("411501012_内蒙古大学_高校教职工信息采集模板.xls")
    with pytest.raises(FileNameError, match=r"多了“\(1\)”"):
        TemplateFileName.parse("4115010126_内蒙古大学_高校教职工信息采集模板(1).xls")


def test_file_name_error_is_a_value_error_chained_from_the_id_error():
    with pytest.raises(ValueError) as info:
        TemplateFileName.parse("1115000001_某幼儿园_中小学教职工信息采集模板.xls")
    assert isinstance(info.value.__cause__, SchoolIdError)


def test_school_id_parse_errors():
    for text, reason in [("12345", "id_format"), ("9915000001", "id_category_unknown"), ("4115999999", "id_higher_ed")]:
        with pytest.raises(SchoolIdError) as info:
            SchoolId.parse(text)
        assert info.value.reason == reason
