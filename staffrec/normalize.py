"""Rewriting the unambiguous variants of a filled template into canonical form, in the school's own template."""

import sys
from pathlib import Path

import attrs

from .catalogue import catalogue as default_catalogue
from .cells import CellKind
from .checks import validate
from .errors import StaffrecError
from .findings import ERROR, finding_type
from .layout import FIRST_DATA_ROW
from .reader import open_template
from .records import Record
from .template import Template
from .values import canonical_value

# The warnings whose cell holds one unambiguous value written another way.
FIXABLE = ("cell.variant", "id.lowercase_x")
STORED_TEXT = {CellKind.NUMBER.value: "（数字单元格）", CellKind.DATE.value: "（日期单元格）"}
NO_IDENTITY = finding_type(
    "normalize.no_identity",
    ERROR,
    "无法确定文件属于哪所学校（模板标识和文件名中都没有有效的学校标识码），不能自动规范。",
    "请使用下发的本校采集模板，把数据复制过去后再规范。",
)
NOT_IN_REGISTRY = finding_type(
    "normalize.not_in_registry",
    ERROR,
    "学校标识码 {school_id} 不在学校名单中，不能自动规范。",
    "请使用下发的本校采集模板，把数据复制过去后再规范。",
)
NOT_TEMPLATE = finding_type(
    "normalize.not_template",
    ERROR,
    "文件无法读取为采集模板，不能自动规范。",
    "请先按校验结果改正文件，再规范。",
)


class OverwriteError(StaffrecError):
    """The normalised copy would replace the file it was made from."""


@attrs.frozen
class Change:
    """One cell rewritten: its Excel row and column header in the original file, old and new text."""

    row: int
    column: str
    old: str
    new: str
    code: str
    stored: str = CellKind.TEXT.value

    def describe(self):
        """Say the change in Chinese: row, column, old → new."""
        how = STORED_TEXT.get(self.stored, "")
        return f"第 {self.row} 行“{self.column}”列：“{self.old}”{how} → “{self.new}”"


@attrs.frozen
class Plan:
    """What normalising a file gives: the rewritten template (None when refused) and its changes."""

    template: Template | None
    changes: tuple
    report: object
    refusal: object = None
    source_rows: tuple = ()

    def source_row(self, row):
        """Return the original file's row of a row of the normalised copy, or None."""
        index = row - FIRST_DATA_ROW - 1 if row else -1
        return self.source_rows[index] if 0 <= index < len(self.source_rows) else None


def _as_read(cell, text):
    """Return a cell's text as typed: the raw text of a text cell, else the reader's text."""
    if cell is not None and cell.kind is CellKind.TEXT:
        return cell.raw
    return text


def _fixes(report, catalogue, template):
    """Return {(row, header): Change} for every fixable cell that carries no error."""
    errors = {(f.row, f.column) for f in report.findings if f.is_error}
    records = {record.row: record for record in template.records}
    fixes = {}
    for f in report.findings:
        place = (f.row, f.column)
        record = records.get(f.row)
        indicator = template.kind.by_header(f.column) if f.column else None
        if f.code not in FIXABLE or place in errors or record is None or indicator is None:
            continue
        text = record[indicator.key]
        if f.code == "id.lowercase_x":
            new = text[:-1] + "X"
        else:
            new = canonical_value(indicator, text, catalogue)
        cell = record.cell(indicator.key)
        old = _as_read(cell, text)
        stored = cell.kind if cell is not None else CellKind.TEXT
        # A date or number cell is rewritten as text even when it shows the canonical text already.
        if new is not None and (new != old or stored is not CellKind.TEXT):
            fixes[place] = Change(f.row, indicator.header, old, new, f.code, stored.value)
    return fixes


def _rewritten(template, fixes):
    """Return the records with fixed cells replaced and every other cell as it was typed."""
    records = []
    for record in template.records:
        values = []
        for indicator, text in zip(template.kind.indicators, record.values):
            change = fixes.get((record.row, indicator.header))
            values.append(change.new if change else _as_read(record.cell(indicator.key), text))
        records.append(Record(template.kind.keys, tuple(values)))
    return records


def plan_normalize(source, registry=None, catalogue=None):
    """Read and check a file (path or bytes) and work out its normalised template; never writes."""
    catalogue = catalogue or default_catalogue()
    template = open_template(source, catalogue=catalogue)
    report = validate(template, registry=registry, limit=sys.maxsize, catalogue=catalogue)
    if template.kind is None:
        return Plan(None, (), report, NOT_TEMPLATE(file=template.source))
    if template.school_id is None:
        return Plan(None, (), report, NO_IDENTITY(file=template.source))
    if registry is not None and registry.get(template.school_id) is None:
        return Plan(None, (), report, NOT_IN_REGISTRY(file=template.source, school_id=template.school_id))
    fixes = _fixes(report, catalogue, template)
    fixed = Template(
        template.school_id,
        template.school_name,
        template.kind,
        records=_rewritten(template, fixes),
        signoff=dict(template.signoff),
        catalogue=catalogue,
    )
    changes = tuple(sorted(fixes.values(), key=lambda c: (c.row, template.kind.by_header(c.column).order)))
    return Plan(fixed, changes, report, source_rows=tuple(r.row for r in template.records))


def write_plan(plan, source, out_dir):
    """Write the plan's template as .xls, the format schools hand in, into `out_dir`; return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / plan.template.file_name("xls")
    if isinstance(source, (str, Path)) and target.resolve() == Path(source).resolve():
        raise OverwriteError(f"规范后的文件会覆盖原文件 {target}，请另选输出目录。")
    return plan.template.save(target, "xls")


def normalize(path, out_dir, registry=None):
    """Write the normalised template of `path` into `out_dir`; return (its path or None, changes)."""
    plan = plan_normalize(path, registry=registry)
    if plan.template is None:
        return None, []
    return write_plan(plan, path, out_dir), list(plan.changes)


@attrs.frozen
class Outcome:
    """A normalisation as the command line shows it: the plan, the file written and its own check."""

    source: str
    plan: Plan
    path: Path | None = None
    after: object = None

    @property
    def ok(self):
        """Tell whether a copy was written and it has no errors left."""
        return self.after is not None and self.after.valid


def normalize_file(path, out_dir, registry=None):
    """Normalise `path` into `out_dir` and check the written copy (same registry)."""
    plan = plan_normalize(path, registry=registry)
    if plan.template is None:
        return Outcome(Path(path).name, plan)
    written = write_plan(plan, path, out_dir)
    return Outcome(Path(path).name, plan, written, validate(written, registry=registry))


def _where(finding, plan):
    """Say where a finding of the written copy is, with the original row when it differs."""
    if finding.row is None:
        return f"“{finding.column}”：" if finding.column else ""
    source = plan.source_row(finding.row)
    origin = f"（原文件第 {source} 行）" if source not in (None, finding.row) else ""
    column = f"“{finding.column}”列" if finding.column else ""
    return f"第 {finding.row} 行{origin}{column}："


def outcome_lines(outcome):
    """Return the Chinese listing of one normalisation."""
    plan = outcome.plan
    if outcome.path is None:
        lines = [f"{outcome.source}：{plan.refusal.message}未写入任何文件。"]
        lines += [f"  [错误] {f.message}" for f in plan.report.errors if f.row is None]
        return lines
    count = f"改正 {len(plan.changes)} 处写法" if plan.changes else "没有需要改正的写法"
    lines = [f"{outcome.source}：{count}，已写入 {outcome.path}。"]
    lines += [f"  {c.describe()}" for c in plan.changes]
    errors = outcome.after.errors
    if errors:
        lines.append(f"规范后的文件仍有 {outcome.after.counts[ERROR]} 个错误，需要人工改正（行号为新文件中的行号）：")
        lines += [f"  [错误] {_where(f, plan)}{f.message}" for f in errors]
    else:
        lines.append("规范后的文件校验无错误。")
    return lines
