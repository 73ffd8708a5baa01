import pytest

from staffrec import new_template
from staffrec.cli import main


def test_demo_builds_a_registry_and_reads_templates_back(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--per-county", "1"]) == 0
    output = capsys.readouterr().out
    assert "演示学校名单" in output and "与写入内容一致" in output and "不一致" not in output
    assert (tmp_path / "schools.csv").is_file()
    names = sorted(p.name for p in (tmp_path / "templates").iterdir())
    assert len(names) == 6
    assert {n.rsplit("_", 1)[1] for n in names} == {
        "中小学教职工信息采集模板.xls", "中职教职工信息采集模板.xls", "特教教职工信息采集模板.xls",
        "高校教职工信息采集模板.xls", "高校教职工信息采集模板.xlsx",
    }


def test_registry_demo_and_check(tmp_path, capsys):
    path = tmp_path / "schools.csv"
    assert main(["registry", "demo", "--out", str(path), "--per-county", "1"]) == 0
    assert main(["registry", "check", str(path)]) == 0
    assert "学校名单无误" in capsys.readouterr().out


def test_registry_check_lists_faulty_lines_and_exits_2(tmp_path, registry_text, capsys):
    path = tmp_path / "schools.csv"
    path.write_text(registry_text + "2115000009,某小学,21,150199,1\n", encoding="utf-8")
    assert main(["registry", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "第 8 行" in err and "Traceback" not in err


def test_read_reports_identity_and_findings(tmp_path, school_of_kind, capsys):
    good = new_template(school_of_kind("高校"), [{"name": "乌云"}]).save(tmp_path)
    bad = tmp_path / "4115010126_内蒙古大学_高校教职工信息采集模板(1).xls"
    bad.write_bytes(b"<html><table></table></html>")
    assert main(["read", str(good)]) == 0
    assert "内蒙古大学（4115010126），高校教职工信息采集模板，1 条记录" in capsys.readouterr().out
    assert main(["read", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[错误]" in out and "HTML" in out


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["read", str(tmp_path / "nope.xls")]) == 2
    assert "无法访问" in capsys.readouterr().err


def test_bad_invocation_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "参数错误" in capsys.readouterr().err
