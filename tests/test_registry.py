import pytest

from staffrec.errors import RegistryError
from staffrec.registry import HEADER, load_registry, parse_registry, registry_csv, save_registry


def test_registry_loads_schools_with_their_kind_and_territory(registry, cat):
    assert len(registry) == 6
    uni = registry.get("4115010126")
    assert (uni.name, uni.county, uni.kind().name) == ("内蒙古大学", "150105", "高校")
    assert registry.get("3115000003").is_private
    assert not registry.get("2115000001").is_private
    assert {s.name for s in registry.in_county("150203")} == {"昆都仑区育才民办学校", "包头市第一中等职业学校"}
    assert len(registry.in_city("150100")) == 3
    assert [s.name for s in registry.of_kind("特教")] == ["呼伦贝尔市特殊教育学校"]
    assert uni.file_name() == "4115010126_内蒙古大学_高校教职工信息采集模板.xls"


def test_save_and_load_round_trip(registry, registry_text, tmp_path):
    path = save_registry(registry, tmp_path / "schools.csv")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)
    assert text == registry_text
    again = load_registry(path)
    assert list(again) == list(registry)


def test_registry_saved_by_chinese_excel_as_gbk_loads(registry_text, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes(registry_text.replace("\n", "\r\n").encode("gbk"))
    assert load_registry(path).get("4115010126").name == "内蒙古大学"


def test_registry_with_bom_loads(registry_text, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes(registry_text.encode("utf-8-sig"))
    assert len(load_registry(path)) == 6


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("2115000009,某小学,21,150199,1", "旗县"),
        ("2115000009,某小学,21,150100,1", "旗县"),
        ("2115000009,某小学,31,150102,1", "不一致"),
        ("2115000009,某小学,21,150102,3", "办学性质"),
        ("2115000001,重复小学,21,150102,1", "重复"),
        ("1115000009,某幼儿园,11,150102,1", "不采集"),
        ("2111000009,北京某小学,21,150102,1", "省份码"),
        ("211500009,某小学,21,150102,1", "10位"),
        ("2115000009,,21,150102,1", "学校名称为空"),
        ("2115000009,某_小学,21,150102,1", "不允许"),
        ("2115000009,某小学,21,150102", "应有 5 列"),
    ],
)
def test_every_faulty_line_is_reported(registry_text, line, fragment):
    with pytest.raises(RegistryError) as info:
        parse_registry(registry_text + line + "\n")
    assert fragment in str(info.value)
    assert [number for number, _ in info.value.problems] == [8]


def test_all_problems_are_listed_at_once(registry_text):
    bad = registry_text + "2115000009,某小学,21,150199,1\n" + "2115000010,某小学,21,150102,7\n"
    with pytest.raises(RegistryError) as info:
        parse_registry(bad)
    assert [number for number, _ in info.value.problems] == [8, 9]


def test_wrong_header_is_rejected():
    with pytest.raises(RegistryError, match="表头"):
        parse_registry("id,name,category,county,ownership\n")


def test_unreadable_file_is_a_registry_error(tmp_path):
    with pytest.raises(RegistryError, match="无法读取"):
        load_registry(tmp_path / "missing.csv")


def test_registry_csv_is_stable(registry):
    assert registry_csv(registry) == registry_csv(parse_registry(registry_csv(registry)))
