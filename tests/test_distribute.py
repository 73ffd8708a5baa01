import zipfile
from pathlib import Path

import pytest

from staffrec import open_template
from staffrec.cli import main
from staffrec.distribute import distribute, master_bytes, master_file_name, select_schools, write_masters
from staffrec.errors import TemplateError

MASTERS = Path(__file__).resolve().parent.parent / "templates_xls"


def test_select_schools_by_each_scope(registry):
    assert [str(s.id) for s in select_schools(registry, school="4115010126")] == ["4115010126"]
    assert {str(s.id) for s in select_schools(registry, county="150203")} == {"3115000003", "3615000004"}
    assert len(select_schools(registry, city="150100")) == 3
    assert len(select_schools(registry)) == len(registry)
    assert [s.name for s in select_schools(registry, kind="特教")] == ["呼伦贝尔市特殊教育学校"]
    assert select_schools(registry, county="150102", kind="高校") == []


@pytest.mark.parametrize("scope", [{"school": "4115999999"}, {"county": "150100"}, {"city": "150102"}])
def test_unknown_scope_is_a_clear_error(registry, scope):
    with pytest.raises(TemplateError):
        select_schools(registry, **scope)


def test_one_correctly_named_template_per_school_reading_back_its_identity(registry, tmp_path):
    seen = []
    paths = distribute(registry, list(registry), tmp_path, progress=seen.append)
    assert len(paths) == len(registry) == len(seen)
    for school, path in zip(registry, paths):
        assert path.name == school.file_name()
        template = open_template(path)
        assert template.findings == () and template.records == []
        assert (template.school_id, template.school_name) == (school.id, school.name)


def test_zip_per_county_with_utf8_names(registry, tmp_path):
    paths = distribute(registry, select_schools(registry, city="150200"), tmp_path, as_zip=True)
    assert [p.name for p in paths] == ["150203_昆都仑区_教职工信息采集模板.zip"]
    with zipfile.ZipFile(paths[0]) as archive:
        infos = archive.infolist()
        assert sorted(i.filename for i in infos) == sorted(
            s.file_name() for s in registry.in_county("150203")
        )
        assert all(i.flag_bits & 0x800 for i in infos)
        member = open_template(archive.read(infos[0]), name=infos[0].filename)
        assert member.findings == ()


def test_zip_output_is_reproducible(registry, tmp_path):
    first = distribute(registry, list(registry), tmp_path / "a", as_zip=True)
    second = distribute(registry, list(registry), tmp_path / "b", as_zip=True)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_committed_master_templates_equal_a_fresh_generation(cat, tmp_path):
    for kind in cat.kinds.values():
        committed = MASTERS / master_file_name(kind)
        assert committed.read_bytes() == master_bytes(kind), f"regenerate with: staffrec masters ({committed.name})"
    assert sorted(p.name for p in write_masters(tmp_path)) == sorted(p.name for p in MASTERS.glob("*.xls"))


def test_master_template_has_the_kind_but_no_school(cat):
    template = open_template(master_bytes(cat.kind("中职")), name="中职教职工信息采集模板.xls")
    assert template.kind.name == "中职" and template.school_id is None
    assert template.findings == ()


def test_cli_template_command(tmp_path, registry_text, capsys):
    csv_path = tmp_path / "schools.csv"
    csv_path.write_text(registry_text, encoding="utf-8")
    assert main(["template", "--registry", str(csv_path), "--city", "150100", "--out", str(tmp_path / "out")]) == 0
    assert "已为 3 所学校生成模板" in capsys.readouterr().out
    assert len(list((tmp_path / "out").glob("*.xls"))) == 3
    assert main(["template", "--registry", str(csv_path), "--county", "150102", "--kind", "高校", "--out", str(tmp_path)]) == 2
    assert "没有符合条件的学校" in capsys.readouterr().err
    assert main(["template", "--registry", str(csv_path), "--school", "4115999999", "--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit):
        main(["template", "--registry", str(csv_path), "--out", str(tmp_path)])
