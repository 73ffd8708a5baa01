"""migrate(): an export and a mapping become records in the school's own template, nothing guessed."""

import sys
from pathlib import Path

from ..catalogue import catalogue as default_catalogue
from ..cells import CellKind, make_cell
from ..checks import validate
from ..records import Record
from ..template import new_template
from ..text import header_key
from . import issues as found
from .aliases import builtin_aliases
from .convert import Converter, kept_when_refused
from .derive import derivable
from .issues import ERROR, MigrationError
from .mapping import Mapping, load_mapping
from .result import MigrationResult
from .source import Export, read_export
from .table import HEADER_SCAN_ROWS, locate_table


def _school(school, registry, catalogue):
    """Return the School to migrate into: a School, or a 学校标识码 looked up in the registry."""
    if not isinstance(school, (str, int)):
        return school
    if registry is None:
        raise MigrationError("按学校标识码迁移时须给出学校名单（--registry）。")
    found_school = registry.get(str(school).strip())
    if found_school is None:
        raise MigrationError(f"学校标识码 {school} 不在学校名单中。")
    return found_school


def _bind(table, mapping, kind):
    """Pair the mapping's columns with header positions; return (bound, issues, sources)."""
    bound, issues, sources = [], [], {}
    for rule in mapping.columns:
        if rule.target is None:
            continue
        indicator = kind.indicator(rule.target)
        where = dict(column=rule.spelled, target=indicator.header if indicator else rule.target)
        if indicator is None:
            issues.append(found.NOT_IN_KIND(kind=kind.name, what=f"源列“{rule.spelled}”", **where))
            continue
        positions = table.positions(rule.source)
        if len(positions) > 1 and rule.occurrence == 1:
            places = "、".join(str(p + 1) for p in positions)
            issues.append(found.COLUMN_DUPLICATE(count=len(positions), positions=places, **where))
        elif len(positions) < rule.occurrence:
            issues.append(found.COLUMN_MISSING(header_row=table.header_row, **where))
        else:
            bound.append((indicator, positions[rule.occurrence - 1], rule.spelled))
            sources[indicator.key] = rule.spelled
    return bound, issues, sources


def _constants(mapping, kind, converter):
    """Convert the mapping's constants once; return (values, issues). One that cannot be converted stops the run."""
    values, issues = {}, []
    for key, text in mapping.constants:
        indicator = kind.indicator(key)
        if indicator is None:
            issues.append(found.NOT_IN_KIND(target=key, kind=kind.name, what="[constants] 中的常量"))
            continue
        value, problems = converter.convert(indicator, make_cell(text, CellKind.TEXT))
        if any(problem.level == ERROR for problem, _ in problems):
            problem, params = problems[0]
            why = problem(value=text, target=indicator.header, **params).message
            raise MigrationError(f"映射文件 [constants] 中“{indicator.header}”的值“{text}”无法使用：{why}")
        values[key] = value
    return values, issues


def _unmapped(table, mapping):
    """Return the header texts the mapping does not mention at all."""
    named = set()
    for rule in mapping.columns:
        positions = table.positions(rule.source)
        if rule.occurrence == 1:
            named.update(positions)
        elif len(positions) >= rule.occurrence:
            named.add(positions[rule.occurrence - 1])
    return tuple(text for position, text in enumerate(table.header) if text and position not in named)


def _header_score(mapping):
    """Return a function counting the mapping's source columns a row of header texts holds."""
    wanted = {header_key(rule.source) for rule in mapping.columns}
    return lambda texts: len(wanted & {header_key(t) for t in texts if t})


def _convert_row(number, cells, bound, constants, kind, converter, catalogue):
    """Return (values by key, issues, values taken) of one export row."""
    values = dict.fromkeys(kind.keys, "")
    values.update(constants)
    issues, taken = [], 0
    for indicator, position, column in bound:
        cell = cells[position] if position < len(cells) else None
        if cell is None or cell.text == "":
            continue
        text, problems = converter.convert(indicator, cell)
        refused = False
        for problem, params in problems:
            issues.append(problem(row=number, column=column, value=cell.text, target=indicator.header, **params))
            refused = refused or problem.level == ERROR
        if refused and not kept_when_refused(indicator, text, catalogue):
            text = ""
        taken += not refused
        values[indicator.key] = text
    for key, text in derivable(values, catalogue).items():
        values[key] = text
        id_column = next((c for i, _, c in bound if i.key == "id_number"), None)
        issues.append(found.DERIVED_FROM_ID(
            row=number, column=id_column, value=values["id_number"], target=kind.indicator(key).header, result=text
        ))
    return values, issues, taken


def migrate(export, mapping, school, *, registry=None, out=None, fmt="xls", signoff=None, encoding=None,
            today=None, catalogue=None, aliases=None, overwrite=False):
    """Migrate an export (path, bytes or Export) with a mapping (path or Mapping) into a school's template.

    The template is written to the directory `out` only when it is given (an existing template of the
    school there is replaced only with `overwrite`); the result always carries the records, the per-row
    report and the 校验 findings of the result.
    """
    catalogue = catalogue or default_catalogue()
    school = _school(school, registry, catalogue)
    kind = school.kind(catalogue)
    if kind is None:
        raise MigrationError(f"学校 {school.id} 的学校类别不在本次采集范围内，没有采集模板。")
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping, catalogue)
    if not isinstance(export, Export):
        export = read_export(export, encoding=encoding or mapping.encoding, delimiter=mapping.delimiter)
    table = locate_table(export, _header_score(mapping), sheet=mapping.sheet, header_row=mapping.header_row)
    if table is None:
        raise MigrationError(f"在导出文件的前 {HEADER_SCAN_ROWS} 行中找不到表头：没有一行含映射文件 [columns] 中的列名。")
    bound, issues, sources = _bind(table, mapping, kind)
    converter = Converter(kind, mapping, catalogue, aliases or builtin_aliases())
    constants, constant_issues = _constants(mapping, kind, converter)
    issues.extend(constant_issues)
    template = new_template(school, signoff={**dict(mapping.signoff), **dict(signoff or {})}, catalogue=catalogue)
    source_rows, taken_total = [], 0
    for number, cells in table.rows:
        if all(p >= len(cells) or cells[p].text == "" for _, p, _ in bound):
            continue
        values, row_issues, taken = _convert_row(number, cells, bound, constants, kind, converter, catalogue)
        template.add(Record(kind.keys, tuple(values[key] for key in kind.keys)))
        source_rows.append(number)
        issues.extend(row_issues)
        taken_total += taken
    path = None
    if out is not None:
        target = Path(out) / template.file_name(fmt)
        if target.exists() and not overwrite:
            # It may hold corrections made by hand since the last migration.
            raise MigrationError(f"{target} 已存在，未覆盖。确认要用本次迁移结果替换它时请加 --force。")
        Path(out).mkdir(parents=True, exist_ok=True)
        path = template.save(target, fmt)
        report = validate(path, registry=registry, today=today, limit=sys.maxsize, catalogue=catalogue)
    else:
        template.source = template.file_name(fmt)
        report = validate(template, registry=registry, today=today, limit=sys.maxsize, catalogue=catalogue)
    return MigrationResult(
        school=school, export=export, table=table, template=template, source_rows=tuple(source_rows),
        issues=tuple(issues), report=report, sources=sources, unmapped_columns=_unmapped(table, mapping),
        mapped_values=taken_total, path=path,
    )

