"""The result of checking one file: counts, findings in reading order, and exports."""

import heapq

import attrs

from ..findings import ERROR, WARNING

ROW_HEADER = ("文件", "行号", "列", "填写内容", "级别", "代码", "问题及修改方法")
SEVERITY_TEXT = {ERROR: "错误", WARNING: "警告"}
DEFAULT_LIMIT = 1000


@attrs.frozen
class Report:
    """What checking one file found; `counts` cover every finding, `findings` at most `limit`."""

    file: str | None
    kind: str | None
    school_id: str | None
    rows: int
    findings: tuple
    counts: dict
    truncated: bool = False

    @property
    def valid(self):
        """Tell whether the file has no errors (warnings allowed)."""
        return self.counts[ERROR] == 0

    @property
    def errors(self):
        """The error findings kept in the report."""
        return tuple(f for f in self.findings if f.is_error)

    def codes(self):
        """Return the finding codes in report order (handy in scripts and tests)."""
        return [f.code for f in self.findings]

    def to_dict(self):
        """Return the report in the CLI's JSON shape."""
        return {
            "file": self.file,
            "valid": self.valid,
            "kind": self.kind,
            "school_id": self.school_id,
            "rows": self.rows,
            "counts": dict(self.counts),
            "truncated": self.truncated,
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "row": f.row,
                    "column": f.column,
                    "value": f.value,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }

    def to_rows(self):
        """Return a header row and one row per finding, for CSV or spreadsheet downloads."""
        rows = [ROW_HEADER]
        for f in self.findings:
            rows.append(
                (
                    f.file or self.file or "",
                    "" if f.row is None else f.row,
                    f.column or "",
                    f.value or "",
                    SEVERITY_TEXT[f.severity],
                    f.code,
                    f.message,
                )
            )
        return rows


def build_report(context, findings, limit=DEFAULT_LIMIT):
    """Count every finding and keep the first `limit` by row then column, in that order.

    `findings` is consumed as a stream: only the `limit` findings that sort first are held (a heap),
    never all of them, so a file giving millions of findings costs memory for `limit` only. The
    order is sorted()'s, ties kept in stream order (heapq.nsmallest is documented equivalent to
    sorted(findings, key=key)[:limit]).
    """
    if limit < 0:
        raise ValueError(f"limit must be zero or more, not {limit}")
    counts, column_order = {ERROR: 0, WARNING: 0}, {}

    def key(f):
        order = column_order.get(f.column)
        if order is None:
            order = column_order[f.column] = context.column_order(f.column)
        return (f.row is not None, f.row or 0, order)

    def counted(stream):
        for f in stream:
            counts[f.severity] += 1
            yield f

    stream = counted(findings)
    kept = heapq.nsmallest(limit, stream, key=key)
    for _ in stream:  # nsmallest(0, ...) reads nothing: count the rest all the same
        pass
    template = context.template
    return Report(
        file=template.source,
        kind=template.kind.name if template.kind else None,
        school_id=str(template.school_id) if template.school_id else None,
        rows=len(template.records),
        findings=tuple(kept),
        counts=counts,
        truncated=counts[ERROR] + counts[WARNING] > limit,
    )

