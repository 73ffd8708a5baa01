"""The example in examples/hr_export runs end to end: only its planted defects remain, each at its source row."""

import csv
import importlib.util
import io
from pathlib import Path

import pytest

from staffrec import load_registry, validate
from staffrec.migration import migrate
from test_migration_support import TODAY

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hr_export"


def _generator():
    spec = importlib.util.spec_from_file_location("make_export", EXAMPLE / "make_export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    registry = load_registry(EXAMPLE / "schools.csv")
    out = tmp_path_factory.mktemp("example")
    result = migrate(
        EXAMPLE / "hr_export.csv", EXAMPLE / "mapping.toml", "3415020001",
        registry=registry, out=out, today=TODAY,
    )
    return result, registry


def _defects():
    with open(EXAMPLE / "defects.csv", encoding="utf-8") as handle:
        return [(int(r["source_row"]), r["column"], r["expected"]) for r in csv.DictReader(handle)]


def _export_rows():
    text = (EXAMPLE / "hr_export.csv").read_bytes().decode("gbk")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_committed_example_is_what_the_generator_writes(tmp_path):
    _generator().build(tmp_path)
    for name in ("hr_export.csv", "defects.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), (
            f"{name} is stale: run python examples/hr_export/make_export.py"
        )


def test_the_export_is_what_the_issue_asks_for():
    data = (EXAMPLE / "hr_export.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = _export_rows()
    assert len(rows) == 3 + 1000 and rows[2][:3] == ["序号", "工号", "姓名"]


def test_every_defect_is_reported_at_its_source_row_and_nothing_else_is_wrong(run):
    result, _ = run
    defects = _defects()
    assert len(result.records) == 1000
    problems = result.problems()
    for row, column, code in defects:
        assert any(p.source_row == row and p.code == code and p.source_column == column for p in problems), (row, code)
    assert {p.source_row for p in problems if p.is_error} == {row for row, _, _ in defects}
    assert not [p for p in problems if p.origin == "校验" and not p.is_error]


def test_the_written_template_passes_validate_but_for_the_defects(run):
    result, registry = run
    report = validate(result.path, registry=registry, today=TODAY)
    assert report.rows == 1000 and report.counts["warning"] == 0
    assert {result.source_row(f.row) for f in report.findings} == {row for row, _, _ in _defects()}


def test_empty_sex_and_birth_dates_are_derived_and_reported(run):
    result, _ = run
    rows = _export_rows()
    header = rows[2]
    empty = {
        (number, target)
        for number, row in enumerate(rows[3:], start=4)
        for column, target in (("性别", "性别"), ("出生年月日", "出生日期"))
        if row[header.index(column)] == ""
    }
    assert {(i.row, i.target) for i in result.derived} == empty
    assert all(i.column == "公民身份号码" for i in result.derived)
    assert len(empty) > 40


def test_every_other_value_is_the_fictional_persons_own(run):
    result, registry = run
    generator = _generator()
    truth = generator.demo_records(registry.get(generator.SCHOOL_ID), generator.PEOPLE, seed=generator.SEED)
    defect_rows = {row for row, _, _ in _defects()}
    checked = 0
    for record, source_row, person in zip(result.records, result.source_rows, truth):
        if source_row in defect_rows:
            continue
        assert record.as_dict() == person, source_row
        checked += 1
    assert checked == 1000 - len(defect_rows)
