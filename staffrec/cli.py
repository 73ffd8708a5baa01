"""The `staffrec` command line; messages are Simplified Chinese, exit 2 means a bad invocation."""

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from .catalogue import KIND_NAMES
from .errors import StaffrecError
from .progress import ProgressBar
from .migration.cli import add_migrate_parser
from .reader import open_template
from .registry import load_registry, save_registry
from .store.cli import add_store_parsers

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _count(text):
    """Parse a whole number of zero or more for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"“{text}”不能是负数")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are Chinese and exit 2."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：参数错误：{message}\n")


def _cmd_registry_demo(args):
    from .demo import demo_registry

    registry = demo_registry(seed=args.seed, per_county=args.per_county)
    save_registry(registry, args.out)
    print(f"已生成演示学校名单 {args.out}：{len(registry)} 所学校。")
    return EXIT_OK


def _cmd_registry_check(args):
    registry = load_registry(args.path)
    kinds = {}
    for school in registry:
        kinds[school.kind().name] = kinds.get(school.kind().name, 0) + 1
    summary = "，".join(f"{name} {count} 所" for name, count in kinds.items())
    print(f"{args.path}：学校名单无误，共 {len(registry)} 所学校（{summary}）。")
    return EXIT_OK


def describe_template(template):
    """Return Chinese lines saying what was read from one file and what was found."""
    head = f"{template.source}："
    if template.kind is None:
        head += "无法读取为采集模板。"
    else:
        school = f"{template.school_name}（{template.school_id}）" if template.school_id else "学校不明"
        head += f"{school}，{template.kind.template_name}，{len(template.records)} 条记录。"
    lines = [head]
    for finding in template.findings:
        where = f"第 {finding.row} 行 " if finding.row else ""
        level = "错误" if finding.is_error else "提示"
        lines.append(f"  [{level}] {where}{finding.message}")
    return lines


def _validation_lines(report):
    """Return the readable Chinese listing of one report."""
    verdict = "通过" if report.valid else "未通过"
    head = (
        f"{report.file}：校验{verdict}，{report.rows} 条记录，"
        f"错误 {report.counts['error']} 个，警告 {report.counts['warning']} 个。"
    )
    lines = [head]
    for f in report.findings:
        where = "".join(
            part for part in (f"第 {f.row} 行" if f.row else "", f"“{f.column}”列" if f.column else "") if part
        )
        level = "错误" if f.is_error else "警告"
        lines.append(f"  [{level}] {where + '：' if where else ''}{f.message}")
    if report.truncated:
        lines.append(f"  ……问题太多，只列出前 {len(report.findings)} 个。")
    return lines


def _cmd_validate(args):
    import json

    from .checks import validate

    registry = load_registry(args.registry) if args.registry else None
    reports = [validate(path, registry=registry, limit=args.limit) for path in args.paths]
    if args.annotate:
        from .annotate import write_annotated

        for path, report in zip(args.paths, reports):
            write_annotated(path, report, args.annotate)
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            print("\n".join(_validation_lines(report)))
    return EXIT_OK if all(r.valid for r in reports) else EXIT_FINDINGS


def _cmd_normalize(args):
    from .normalize import normalize_file, outcome_lines

    registry = load_registry(args.registry) if args.registry else None
    outcome = normalize_file(args.path, args.out, registry=registry)
    print("\n".join(outcome_lines(outcome)))
    return EXIT_OK if outcome.ok else EXIT_FINDINGS


def _cmd_read(args):
    status = EXIT_OK
    for path in args.paths:
        template = open_template(path)
        print("\n".join(describe_template(template)))
        if any(f.is_error for f in template.findings):
            status = EXIT_FINDINGS
    return status


def _cmd_template(args):
    from .distribute import distribute, select_schools

    registry = load_registry(args.registry)
    schools = select_schools(registry, school=args.school, county=args.county, city=args.city, kind=args.kind)
    if not schools:
        print("没有符合条件的学校，未生成模板。", file=sys.stderr)
        return EXIT_USAGE
    paths = distribute(
        registry, schools, args.out, fmt=args.format, as_zip=args.zip, progress=ProgressBar(len(schools), "生成模板")
    )
    what = f"{len(paths)} 个压缩包" if args.zip else f"{len(paths)} 个模板"
    print(f"已为 {len(schools)} 所学校生成模板，写入 {args.out}：{what}。")
    return EXIT_OK


def _cmd_masters(args):
    from .distribute import write_masters

    for path in write_masters(args.out):
        print(f"已写入总模板：{path}")
    return EXIT_OK


def _cmd_demo(args):
    from .demo_run import run_demo

    run_demo(Path(args.out), per_county=args.per_county, echo=print)
    return EXIT_OK


def build_parser():
    """Build the argument parser of every subcommand."""
    parser = _Parser(prog="staffrec", description="教职工基础信息采集：模板、校验与审核。")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="命令")

    demo = commands.add_parser("demo", help="生成演示地区：学校名单与若干学校已填报的模板，并读回核对")
    demo.add_argument("--out", default="demo", help="输出目录（默认 demo）")
    demo.add_argument("--per-county", type=int, default=4, help="每个旗县的中小学数量（默认 4）")
    demo.set_defaults(handler=_cmd_demo)

    template = commands.add_parser("template", help="按学校名单为学校生成空白采集模板（分发用）")
    template.add_argument("--registry", required=True, type=Path, help="学校名单 CSV")
    scope = template.add_mutually_exclusive_group(required=True)
    scope.add_argument("--school", help="一所学校的学校标识码")
    scope.add_argument("--county", help="旗县（市、区）代码：该旗县的全部学校")
    scope.add_argument("--city", help="盟市代码：该盟市的全部学校")
    scope.add_argument("--all", action="store_true", help="名单中的全部学校")
    template.add_argument("--kind", choices=KIND_NAMES, help="只生成这一类模板")
    template.add_argument("--out", required=True, type=Path, help="输出目录")
    template.add_argument("--zip", action="store_true", help="每个旗县打包成一个 ZIP")
    template.add_argument("--format", choices=("xls", "xlsx"), default="xls", help="文件格式（默认 xls）")
    template.set_defaults(handler=_cmd_template)

    masters = commands.add_parser("masters", help="由 codes/ 生成四类总模板")
    masters.add_argument("--out", default=Path("templates_xls"), type=Path, help="输出目录（默认 templates_xls）")
    masters.set_defaults(handler=_cmd_masters)

    validate = commands.add_parser("validate", help="校验采集模板（退出码：0 无错误，1 有错误，2 调用有误）")
    validate.add_argument("paths", nargs="+", type=Path, metavar="文件")
    validate.add_argument("--registry", type=Path, help="学校名单 CSV：核对学校标识、名称、办学性质")
    validate.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    validate.add_argument("--annotate", type=Path, metavar="目录", help="把标注了问题的副本写入此目录")
    validate.add_argument("--limit", type=_count, default=1000, help="每个文件最多列出的问题数（默认 1000）")
    validate.set_defaults(handler=_cmd_validate)
    add_migrate_parser(commands)

    normalize = commands.add_parser(
        "normalize", help="把可确定的不规范写法改为规范写法，重新生成本校模板（退出码：0 无错误，1 仍有错误，2 调用有误）"
    )
    normalize.add_argument("path", type=Path, metavar="文件")
    normalize.add_argument("--out", required=True, type=Path, metavar="目录", help="规范后的模板写入此目录")
    normalize.add_argument("--registry", type=Path, help="学校名单 CSV：核对学校标识、名称、办学性质")
    normalize.set_defaults(handler=_cmd_normalize)

    add_store_parsers(commands, _Parser)

    read = commands.add_parser("read", help="读取采集模板，显示学校、模板类别、记录数和读取时发现的问题")
    read.add_argument("paths", nargs="+", metavar="文件")
    read.set_defaults(handler=_cmd_read)

    registry = commands.add_parser("registry", help="学校名单")
    registry_commands = registry.add_subparsers(dest="registry_command", required=True, parser_class=_Parser, metavar="操作")
    make = registry_commands.add_parser("demo", help="生成演示学校名单")
    make.add_argument("--out", required=True, type=Path, help="输出的 CSV 文件")
    make.add_argument("--per-county", type=int, default=4, help="每个旗县的中小学数量（默认 4）")
    make.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
    make.set_defaults(handler=_cmd_registry_demo)
    check = registry_commands.add_parser("check", help="检查学校名单 CSV")
    check.add_argument("path", type=Path)
    check.set_defaults(handler=_cmd_registry_check)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except StaffrecError as exc:
        print(f"staffrec：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"staffrec：数据库出错，操作未完成（{detail}）。请检查数据库地址、服务是否运行，或先运行 staffrec db init。", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"staffrec：无法访问 {exc.filename or ''}：{exc.strerror}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
