"""`staffrec migrate` and `staffrec migrate --suggest` on the command line."""

from pathlib import Path

import pytest

from staffrec.cli import main
from staffrec.migration import parse_mapping
from test_migration_support import SIGNOFF, csv_bytes, hr_rows, people

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hr_export"


@pytest.fixture
def clean(tmp_path, registry_text, school_of_kind):
    """A clean K-12 export, its mapping and the registry, as files."""
    school = school_of_kind("中小学")
    kind = school.kind()
    export = tmp_path / "导出.csv"
    export.write_bytes(csv_bytes(hr_rows(kind, people(school)), "gbk"))
    mapping = tmp_path / "映射.toml"
    lines = ["[columns]"] + [f'"{ind.header}" = "{ind.key}"' for ind in kind.indicators]
    mapping.write_text("\n".join(lines) + "\n" + SIGNOFF, encoding="utf-8")
    registry = tmp_path / "schools.csv"
    registry.write_text(registry_text, encoding="utf-8")
    return dict(export=str(export), mapping=str(mapping), registry=str(registry), school=str(school.id), dir=tmp_path)


def _args(clean, *more):
    return ["migrate", clean["export"], "--mapping", clean["mapping"], "--registry", clean["registry"],
            "--school", clean["school"], *more]


def test_dry_run_of_a_clean_export(clean, capsys):
    assert main(_args(clean, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "文本表格（逗号分隔，GBK/GB18030 编码），表头在第 2 行" in out
    assert "转换 3 条记录" in out and "校验通过" in out and "未写入模板" in out
    assert not list(clean["dir"].glob("*.xls"))


def test_migrate_writes_the_template_and_a_report(clean, capsys):
    out_dir = clean["dir"] / "out"
    report = clean["dir"] / "问题清单.csv"
    assert main(_args(clean, "--out", str(out_dir), "--format", "xlsx", "--report", str(report))) == 0
    [written] = list(out_dir.iterdir())
    assert written.name == "2115000001_新城区第一小学_中小学教职工信息采集模板.xlsx"
    assert f"已写入模板：{written}" in capsys.readouterr().out
    assert report.read_bytes().startswith(b"\xef\xbb\xbf" + "源文件行号".encode())
    assert main(["validate", "--registry", clean["registry"], str(written)]) == 0


def test_findings_exit_1_and_name_the_source_row(tmp_path, capsys):
    args = ["migrate", str(EXAMPLE / "hr_export.csv"), "--mapping", str(EXAMPLE / "mapping.toml"),
            "--registry", str(EXAMPLE / "schools.csv"), "--school", "3415020001", "--dry-run", "--limit", "1000"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "[迁移·无法转换] 源文件第 60 行“党派”列：“入党积极分子”" in out
    assert "[校验·错误] 源文件第 425 行“公民身份号码”列（模板第 425 行）" in out
    assert "[迁移·推出]" in out


def test_bad_invocations_exit_2(clean, capsys):
    assert main(["migrate", clean["export"], "--out", "x"]) == 2
    assert "须指定 --mapping、--registry、--school" in capsys.readouterr().err
    assert main(_args(clean)) == 2
    assert "--out（或 --dry-run）" in capsys.readouterr().err
    assert main(_args({**clean, "school": "2115009999"}, "--dry-run")) == 2
    assert "不在学校名单中" in capsys.readouterr().err
    Path(clean["mapping"]).write_text('[columns]\n姓名 = "name"\n', encoding="utf-8")
    assert main(_args(clean, "--dry-run")) == 2
    assert "第 2 行第 1 列格式有误" in capsys.readouterr().err
    assert main(["migrate", str(clean["dir"] / "none.csv"), "--suggest"]) == 2
    assert "无法访问" in capsys.readouterr().err


def test_suggest_proposes_the_examples_mapping(capsys):
    assert main(["migrate", str(EXAMPLE / "hr_export.csv"), "--suggest"]) == 0
    text = capsys.readouterr().out
    suggested = parse_mapping(text)
    example = parse_mapping((EXAMPLE / "mapping.toml").read_text(encoding="utf-8"))
    assert dict((r.spelled, r.target) for r in suggested.columns) == dict((r.spelled, r.target) for r in example.columns)
    assert [f.pattern for f in suggested.date_forms("school_start")] == ["M/YYYY"]
    assert '# nationality = "156"' in text and '# id_type = "1"' in text
    assert '# "在编" = ""  # 出现 1000 次' in text
    assert "“一级教师”可以对应多个代码" in text


def test_suggest_writes_a_new_file_and_never_overwrites(clean, capsys):
    target = clean["dir"] / "建议.toml"
    args = ["migrate", clean["export"], "--suggest", "--mapping", str(target),
            "--registry", clean["registry"], "--school", clean["school"]]
    assert main(args) == 0
    assert "识别出" in capsys.readouterr().out
    assert "按中小学教职工信息采集模板" in target.read_text(encoding="utf-8")
    assert main(["migrate", clean["export"], "--suggest", "--mapping", str(target)]) == 2
    assert "已存在" in capsys.readouterr().err


def test_signoff_given_on_the_command_line_wins(clean, capsys):
    assert main(_args(clean, "--dry-run", "--entered-by", "张三", "--checked-by", "张三")) == 1
    assert "录入人与校验人是同一人（张三）" in capsys.readouterr().out


def test_guessing_aliases_are_gone(cat):
    import csv

    from staffrec.paths import codes_dir

    rows = list(csv.DictReader(open(codes_dir() / "aliases.csv", encoding="utf-8")))
    single = {(r["table"], r["alias"]) for r in rows}
    for gone in [("professional_title", "未聘"), ("staff_category", "科研人员"), ("degree", "哲学博士")]:
        assert gone not in single
