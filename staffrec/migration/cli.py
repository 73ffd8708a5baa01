"""`staffrec migrate`: an HR export into the school's template, or `--suggest` a mapping for it."""

import csv
import io
import sys
from pathlib import Path

from ..annotate import escape_formula
from ..files import atomic_write
from ..registry import load_registry
from .csv_text import delimiter_name
from .issues import MigrationError

EXIT_OK, EXIT_FINDINGS = 0, 1
DEFAULT_LIMIT = 200


def _where(problem):
    """Say where a problem is, as the user finds it: export row and column, and the template row."""
    parts = []
    if problem.source_row:
        parts.append(f"源文件第 {problem.source_row} 行")
    if problem.source_column:
        parts.append(f"“{problem.source_column}”列")
    elif problem.template_column:
        parts.append(f"“{problem.template_column}”")
    if problem.template_row and problem.origin == "校验":
        parts.append(f"（模板第 {problem.template_row} 行）")
    return "".join(parts)


def result_lines(result, limit=DEFAULT_LIMIT):
    """Return the Chinese listing of a migration: what was read, what was done, and every problem."""
    export, table, figures = result.export, result.table, result.counts()
    if export.encoding:
        what = f"文本表格（{delimiter_name(export.delimiter)}分隔，{export.encoding_label} 编码）"
    else:
        what = export.description + (f"，工作表“{table.sheet}”" if len(export.sheets) > 1 else "")
    lines = [
        f"导出文件：{export.name or ''}，{what}，表头在第 {table.header_row} 行。",
        f"迁移到：{result.school.name}（{result.school.id}），{result.template.kind.template_name}。",
        f"转换 {figures['rows']} 条记录：取用 {figures['mapped_values']} 个值，推出 {figures['derived']} 个值，"
        f"无法转换 {figures['not_taken']} 处，提示 {figures['notes']} 处。",
    ]
    if result.unmapped_columns:
        lines.append(f"映射文件未提及、已忽略的源列：{'、'.join(result.unmapped_columns)}。")
    verdict = "通过" if result.report.valid else "未通过"
    lines.append(
        f"迁移结果校验{verdict}：错误 {figures['check_errors']} 个，警告 {figures['check_warnings']} 个。"
    )
    problems = result.problems()
    for problem in problems[:limit]:
        where = _where(problem)
        lines.append(f"  [{problem.origin}·{problem.level_text}] {where + '：' if where else ''}{problem.message}")
    if len(problems) > limit:
        lines.append(f"  ……共 {len(problems)} 条，只列出前 {limit} 条；完整清单请用 --report 写入 CSV。")
    return lines


def _write_report(result, path):
    """Write every problem as a CSV Excel opens directly (UTF-8 with BOM)."""
    text = io.StringIO()
    # Export values come from another system: neutralise formula-leading text (OWASP CSV injection).
    rows = ([escape_formula(v) if isinstance(v, str) else v for v in row] for row in result.to_rows())
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    atomic_write(path, text.getvalue().encode("utf-8-sig"))


def _school_kind(args, registry):
    """Return the template kind of --school, or None when no school was named."""
    if not args.school:
        return None
    school = registry.get(args.school) if registry else None
    if school is None:
        raise MigrationError(f"学校标识码 {args.school} 不在学校名单中（--suggest 指定 --school 时须同时给出 --registry）。")
    return school.kind()


def _cmd_suggest(args):
    """Print a suggested mapping, or write it to a new --mapping file."""
    from .suggest import suggest_mapping

    registry = load_registry(args.registry) if args.registry else None
    suggestion = suggest_mapping(args.export, kind=_school_kind(args, registry), encoding=args.encoding)
    text = suggestion.to_toml()
    if args.mapping is None:
        sys.stdout.write(text)
        return EXIT_OK
    if args.mapping.exists():
        raise MigrationError(f"映射文件 {args.mapping} 已存在，为免覆盖您的修改，未写入。请换一个文件名或先删除它。")
    atomic_write(args.mapping, text.encode("utf-8"))
    recognised = sum(1 for g in suggestion.columns if g.key)
    print(f"已写入映射建议 {args.mapping}：{len(suggestion.columns)} 列中识别出 {recognised} 列，请逐项核对后再迁移。")
    return EXIT_OK


def _cmd_migrate(args):
    """Run a migration (or --suggest) and print what it did and found."""
    if args.suggest:
        return _cmd_suggest(args)
    missing = [flag for flag, value in (("--mapping", args.mapping), ("--registry", args.registry),
                                        ("--school", args.school)) if not value]
    if not args.out and not args.dry_run:
        missing.append("--out（或 --dry-run）")
    if missing:
        raise MigrationError(f"迁移须指定 {'、'.join(missing)}；只想生成映射建议请用 --suggest。")
    from .migrate import migrate

    registry = load_registry(args.registry)
    signoff = {k: v for k, v in (("entered_by", args.entered_by), ("checked_by", args.checked_by)) if v}
    result = migrate(
        args.export, args.mapping, args.school, registry=registry, out=None if args.dry_run else args.out,
        overwrite=args.force,
        fmt=args.format, signoff=signoff, encoding=args.encoding,
    )
    print("\n".join(result_lines(result, args.limit)))
    if args.report:
        _write_report(result, args.report)
        print(f"问题清单已写入 {args.report}。")
    print(f"已写入模板：{result.path}" if result.path else "试运行（--dry-run），未写入模板。")
    return EXIT_OK if result.ok else EXIT_FINDINGS


def add_migrate_parser(commands):
    """Register `staffrec migrate` on the subcommands of the main parser."""
    parser = commands.add_parser(
        "migrate", help="把人事系统导出的表格按映射文件迁移到本校采集模板（退出码：0 无问题，1 有问题，2 调用有误）"
    )
    parser.add_argument("export", type=Path, metavar="导出文件", help="人事系统导出的 .xls、.xlsx 或 .csv")
    parser.add_argument("--suggest", action="store_true", help="根据导出文件的表头生成映射建议（写入 --mapping 指定的新文件，否则输出到屏幕）")
    parser.add_argument("--mapping", type=Path, metavar="映射文件", help="映射文件（TOML）")
    parser.add_argument("--registry", type=Path, metavar="学校名单", help="学校名单 CSV")
    parser.add_argument("--school", metavar="学校标识码", help="本校学校标识码")
    parser.add_argument("--out", type=Path, metavar="目录", help="模板写入此目录（文件名按规范自动生成）")
    parser.add_argument("--dry-run", action="store_true", help="只转换和校验，不写模板")
    parser.add_argument("--force", action="store_true", help="覆盖 --out 目录中该校已有的模板")
    parser.add_argument("--format", choices=("xls", "xlsx"), default="xls", help="模板格式（默认 xls）")
    parser.add_argument("--encoding", metavar="编码", help="文本导出文件的编码（默认自动识别），如 gbk、utf-8、utf-16")
    parser.add_argument("--entered-by", metavar="姓名", help="录入人（覆盖映射文件 [signoff] 中的值）")
    parser.add_argument("--checked-by", metavar="姓名", help="校验人（覆盖映射文件 [signoff] 中的值）")
    parser.add_argument("--report", type=Path, metavar="CSV", help="把全部问题写入此 CSV 文件")
    parser.add_argument("--limit", type=int, metavar="条数", default=DEFAULT_LIMIT, help=f"屏幕上最多列出的问题数（默认 {DEFAULT_LIMIT}）")
    parser.set_defaults(handler=_cmd_migrate)
    return parser
