#!/usr/bin/env python3
"""Run pip-audit on this environment, print its report, and fail only for vulnerabilities that have a fix."""

import json
import subprocess
import sys

COMMAND = [sys.executable, "-m", "pip_audit", "--format", "json", "--skip-editable", "--progress-spinner", "off", "--desc", "on"]


def verdict(report):
    """Return (lines to print, exit status) for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d]
    found = [(d, v) for d in audited for v in d.get("vulns", [])]
    fixable = [(d, v) for d, v in found if v.get("fix_versions")]
    lines = [f"pip-audit: {len(audited)} packages audited, {len(skipped)} skipped, {len(found)} known vulnerabilities "
             f"({len(fixable)} with a fix)"]
    for d, v in found:
        fix = ", ".join(v.get("fix_versions") or []) or "no fix yet"
        lines.append(f"  {d['name']} {d.get('version', '')}: {v['id']} ({', '.join(v.get('aliases', []))}) fix: {fix}")
        if v.get("description"):
            lines.append("    " + v["description"].strip().splitlines()[0][:200])
    for d in skipped:
        lines.append(f"  skipped: {d['skip_reason']}")
    if deps and not audited:
        lines.append("WARNING: no package could be audited (is PyPI's vulnerability data reachable?)")
    return lines, 1 if fixable else 0


def main():
    """Run the audit and exit 1 for fixable vulnerabilities, 2 when pip-audit itself failed."""
    run = subprocess.run(COMMAND, capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        sys.stderr.write(run.stderr)
        print(f"pip-audit failed (exit {run.returncode}); see above.")
        return 2
    lines, status = verdict(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
