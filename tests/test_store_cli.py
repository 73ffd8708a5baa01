import io

from staffrec import new_template
from staffrec.cli import main
from staffrec.demo_staff import demo_records


def run(monkeypatch, tmp_path, *argv, stdin=""):
    monkeypatch.setenv("STAFFREC_DATABASE_URL", f"sqlite:///{tmp_path}/s.db")
    monkeypatch.setenv("STAFFREC_FILES", str(tmp_path / "files"))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(list(argv))


def test_db_user_ingest_and_duplicates(monkeypatch, tmp_path, registry, registry_text, capsys):
    csv_path = tmp_path / "schools.csv"
    csv_path.write_text(registry_text, encoding="utf-8")
    assert run(monkeypatch, tmp_path, "db", "init", "--registry", str(csv_path)) == 0
    assert "新增 6 所" in capsys.readouterr().out
    assert run(monkeypatch, tmp_path, "user", "add", "xc", "--tier", "county", "--territory", "150102", "--password-stdin", stdin="s3cret\n") == 0
    assert "旗县教育局" in capsys.readouterr().out
    assert run(monkeypatch, tmp_path, "user", "add", "bad", "--tier", "county", "--territory", "150100") == 2
    assert "管辖范围" in capsys.readouterr().err

    school = registry.get("2115000001")
    good = new_template(school, demo_records(school, 3), signoff={"entered_by": "甲", "checked_by": "乙"}).save(tmp_path)
    bad = tmp_path / "3615000004_包头市第一中等职业学校_中职教职工信息采集模板.xls"
    bad.write_bytes(b"<html></html>")
    assert run(monkeypatch, tmp_path, "ingest", str(good), "--as", "xc", "--dry-run") == 0
    assert "仅检查" in capsys.readouterr().out
    assert run(monkeypatch, tmp_path, "ingest", str(good), str(bad), "--as", "xc") == 1
    out = capsys.readouterr().out
    assert "[接收]" in out and "第 1 版" in out and "[拒收]" in out and "接收 1 个，拒收 1 个" in out
    assert run(monkeypatch, tmp_path, "duplicates", "--as", "xc") == 0
    assert "共 0 个身份证件号" in capsys.readouterr().out
    assert run(monkeypatch, tmp_path, "ingest", str(good), "--as", "nobody") == 2
    assert "没有名为" in capsys.readouterr().err


def test_database_problems_are_chinese_messages_not_tracebacks(monkeypatch, tmp_path, capsys):
    assert run(monkeypatch, tmp_path, "ingest", "x.xls", "--as", "a") == 2
    assert "尚未初始化" in capsys.readouterr().err
    assert main(["db", "init", "--db", "notaurl"]) == 2
    assert "数据库出错" in capsys.readouterr().err
    assert main(["db", "init", "--db", "mysql://u@127.0.0.1/x"]) == 2
    assert "不支持的数据库" in capsys.readouterr().err
    assert main(["db", "init", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert "数据库出错" in err and "Traceback" not in err
    assert run(monkeypatch, tmp_path, "db", "init") == 0
    assert run(monkeypatch, tmp_path, "user", "add", "x", "--tier", "region", "--territory", "150000", "--password-stdin", stdin="\n") == 2
    assert "没有密码" in capsys.readouterr().err


def test_db_check_reports_a_damaged_store(monkeypatch, tmp_path, registry, registry_text, capsys):
    csv_path = tmp_path / "schools.csv"
    csv_path.write_text(registry_text, encoding="utf-8")
    run(monkeypatch, tmp_path, "db", "init", "--registry", str(csv_path))
    run(monkeypatch, tmp_path, "user", "add", "xc", "--tier", "county", "--territory", "150102")
    school = registry.get("2115000001")
    good = new_template(school, demo_records(school, 3), signoff={"entered_by": "甲", "checked_by": "乙"}).save(tmp_path)
    run(monkeypatch, tmp_path, "ingest", str(good), "--as", "xc")
    capsys.readouterr()
    assert run(monkeypatch, tmp_path, "db", "check") == 0
    assert "数据库与文件库一致" in capsys.readouterr().out
    stored = next(p for p in (tmp_path / "files").rglob("*") if p.is_file())
    stored.write_bytes(stored.read_bytes() + b"x")
    assert run(monkeypatch, tmp_path, "db", "check") == 1
    out = capsys.readouterr().out
    assert "发现 1 处不一致" in out and "Traceback" not in out
