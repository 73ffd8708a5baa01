"""The CI dependency audit fails only for known vulnerabilities that have a fix, and prints them all."""

import importlib.util
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "tools" / "audit_gate.py"
spec = importlib.util.spec_from_file_location("audit_gate", PATH)
audit_gate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_gate)


def vuln(ident, fixes):
    return {"id": ident, "fix_versions": fixes, "aliases": ["CVE-1"], "description": "A flaw.\nMore."}


def test_a_fixable_vulnerability_fails():
    report = {"dependencies": [{"name": "flask", "version": "0.1", "vulns": [vuln("PYSEC-1", ["3.1.1"])]}]}
    lines, status = audit_gate.verdict(report)
    assert status == 1 and "flask 0.1: PYSEC-1 (CVE-1) fix: 3.1.1" in "\n".join(lines) and "    A flaw." in lines


def test_unfixed_vulnerabilities_and_skips_are_printed_but_pass():
    report = {"dependencies": [
        {"name": "x", "version": "1", "vulns": [vuln("GHSA-2", [])]},
        {"name": "y", "version": "2", "vulns": []},
        {"name": "staffrec", "skip_reason": "editable"},
    ]}
    lines, status = audit_gate.verdict(report)
    assert status == 0 and "fix: no fix yet" in "\n".join(lines) and "skipped: editable" in "\n".join(lines)
    assert lines[0].startswith("pip-audit: 2 packages audited, 1 skipped, 1 known vulnerabilities (0 with a fix)")


def test_nothing_audited_is_said_loudly():
    lines, status = audit_gate.verdict({"dependencies": [{"name": "a", "skip_reason": "not found"}]})
    assert status == 0 and lines[-1].startswith("WARNING: no package could be audited")
