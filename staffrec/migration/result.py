"""What a migration gives back: records, the per-row report, the 校验 of the result, all tied to source rows."""

import attrs

from ..findings import ERROR as FINDING_ERROR
from ..layout import FIRST_DATA_ROW
from .issues import DERIVED, ERROR, LEVEL_TEXT, WARNING

ROW_HEADER = ("源文件行号", "源文件列", "模板行号", "模板列", "内容", "级别", "来源", "代码", "说明")
ORIGIN_MIGRATE, ORIGIN_CHECK = "迁移", "校验"
_FINDING_LEVEL_TEXT = {ERROR: "错误", WARNING: "警告"}


@attrs.frozen
class Problem:
    """One line of the combined report: a migration issue or a 校验 finding, placed at its source row."""

    source_row: int | None
    source_column: str | None
    template_row: int | None
    template_column: str | None
    value: str | None
    level: str
    code: str
    message: str
    origin: str

    @property
    def is_error(self):
        """Tell whether the template needs fixing here."""
        return self.level == ERROR

    @property
    def level_text(self):
        """The level in Chinese, as listings show it."""
        table = LEVEL_TEXT if self.origin == ORIGIN_MIGRATE else _FINDING_LEVEL_TEXT
        return table.get(self.level, self.level)


@attrs.frozen
class MigrationResult:
    """Records in the school's template, where each came from, what could not be taken, and the 校验."""

    school: object
    export: object
    table: object
    template: object
    source_rows: tuple
    issues: tuple
    report: object
    sources: dict = attrs.field(factory=dict, repr=False)
    unmapped_columns: tuple = ()
    mapped_values: int = 0
    path: object = None

    @property
    def records(self):
        """The records written (or that would be written) to the template."""
        return self.template.records

    @property
    def errors(self):
        """The migration issues whose value was not taken."""
        return tuple(i for i in self.issues if i.level == ERROR)

    @property
    def derived(self):
        """The values derived from others (性别, 出生日期 from the ID number)."""
        return tuple(i for i in self.issues if i.level == DERIVED)

    @property
    def ok(self):
        """Tell whether every value was taken and the template passes the 校验."""
        return not self.errors and self.report.valid

    def source_row(self, template_row):
        """Return the export row a template row came from, or None."""
        index = template_row - FIRST_DATA_ROW - 1 if template_row else -1
        return self.source_rows[index] if 0 <= index < len(self.source_rows) else None

    def template_row(self, source_row):
        """Return the template row an export row went to, or None."""
        try:
            return FIRST_DATA_ROW + 1 + self.source_rows.index(source_row)
        except ValueError:
            return None

    def problems(self):
        """Return migration issues and 校验 findings together, by source row; each problem is listed once."""
        lines = [
            Problem(i.row, i.column, self.template_row(i.row) if i.row else None, i.target, i.value,
                    i.level, i.code, i.message, ORIGIN_MIGRATE)
            for i in self.issues
        ]
        kind = self.template.kind
        # A value migration refused, or a column it could not find, is explained there already;
        # the 校验 findings on it would say it again, a column's on every row.
        refused = {(p.template_row, p.template_column) for p in lines if p.is_error and p.template_row}
        lost_columns = {i.target for i in self.issues if i.is_error and i.row is None}
        for f in self.report.findings:
            if (f.row, f.column) in refused or (f.row and f.column in lost_columns):
                continue
            indicator = kind.by_header(f.column) if f.column else None
            column = self.sources.get(indicator.key) if indicator else None
            lines.append(
                Problem(self.source_row(f.row), column, f.row, f.column, f.value,
                        ERROR if f.severity == FINDING_ERROR else WARNING, f.code, f.message, ORIGIN_CHECK)
            )
        return sorted(lines, key=lambda p: (p.source_row is not None, p.source_row or 0))

    def counts(self):
        """Return the figures of the run: rows, values taken, derived, issues and 校验 findings."""
        return {
            "rows": len(self.records),
            "mapped_values": self.mapped_values,
            "derived": len(self.derived),
            "not_taken": len(self.errors),
            "notes": sum(1 for i in self.issues if i.level == WARNING),
            "check_errors": self.report.counts["error"],
            "check_warnings": self.report.counts["warning"],
        }

    def to_rows(self):
        """Return a header row and one row per problem, for a CSV the user opens in Excel."""
        rows = [ROW_HEADER]
        for p in self.problems():
            rows.append(
                tuple("" if v is None else v for v in (
                    p.source_row, p.source_column, p.template_row, p.template_column, p.value,
                    p.level_text, p.origin, p.code, p.message,
                ))
            )
        return rows
