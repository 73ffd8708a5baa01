from pathlib import Path

import pytest

# Importing these registers every finding type, whatever other tests imported before.
import staffrec.checks.validate  # noqa: F401
import staffrec.normalize  # noqa: F401
import staffrec.read_findings  # noqa: F401
import staffrec.store.duplicates  # noqa: F401
from staffrec.findings import Finding, finding_type, finding_types

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_finding_code_is_documented_in_the_readme():
    codes = [code for code in finding_types() if not code.startswith("name.")]
    assert len(codes) > 50
    assert [code for code in codes if f"`{code}`" not in README] == []
    assert "`name.<reason>`" in README


def test_every_message_and_hint_is_chinese():
    for code, kind in finding_types().items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in kind.template + kind.hint), code


def test_a_code_is_registered_once():
    with pytest.raises(ValueError):
        finding_type("cell.required", "error", "again")


def test_finding_severity_is_checked():
    with pytest.raises(ValueError):
        Finding("x", "fatal", "msg")
