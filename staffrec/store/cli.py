"""The store's commands: staffrec db init, db check, user add, ingest, duplicates."""

import getpass
import sys
from pathlib import Path

from ..progress import ProgressBar
from ..registry import load_registry
from ..review import Tier
from . import Store
from .consistency import check_consistency
from .db import require_schema

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _store(args, ready=True):
    """Open the store the options name; commands other than `db init` need its tables."""
    store = Store(args.db, args.files)
    if ready:
        require_schema(store.engine)
    return store


def _cmd_db_init(args):
    store = _store(args, ready=False)
    registry = load_registry(args.registry) if args.registry else None
    added, changed = store.init(registry)
    print(f"数据库已就绪。学校名单：新增 {added} 所，更新 {changed} 所。")
    return EXIT_OK


def _cmd_db_check(args):
    store = _store(args)
    problems = check_consistency(store.engine, store.files, unnamed_files=args.unnamed, verify_files=not args.quick)
    for problem in problems:
        print(problem)
    print(f"发现 {len(problems)} 处不一致。" if problems else "数据库与文件库一致。")
    return EXIT_FINDINGS if problems else EXIT_OK


def _cmd_user_add(args):
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            print("staffrec：标准输入中没有密码。", file=sys.stderr)
            return EXIT_USAGE
    elif args.password:
        password = getpass.getpass("密码：")
    user = _store(args).add_user(args.name, args.tier, args.territory, password, args.display_name)
    print(f"已添加用户 {user.name}（{user.tier_label}，管辖范围 {user.territory}）。")
    return EXIT_OK


def result_lines(result):
    """Return the Chinese result line of one file and its reasons and warnings."""
    where = f"{result.container} → {result.name}" if result.container else result.name
    if result.accepted:
        version = f"，第 {result.version} 版" if result.version else "（仅检查，未入库）"
        lines = [f"[接收] {where}：学校 {result.school_id}{version}。"]
    else:
        lines = [f"[拒收] {where}："]
        lines += [f"    {message}" for message in result.messages]
    lines += [f"    [提示] 第 {f.row} 行：{f.message}" for f in result.duplicates]
    return lines


def _cmd_ingest(args):
    store = _store(args)
    user = store.user(args.as_user)
    uploads = [(path.name, path.read_bytes()) for path in args.paths]
    bar = ProgressBar(0, "入库")
    results = store.ingest(
        uploads,
        user,
        dry_run=args.dry_run,
        progress=lambda done, total: bar(total=total),
        on_result=lambda result: print("\n".join(result_lines(result)), flush=True),
        worker=True,
    )
    accepted = sum(r.accepted for r in results)
    print(f"共 {len(results)} 个文件：接收 {accepted} 个，拒收 {len(results) - accepted} 个。")
    return EXIT_OK if accepted == len(results) else EXIT_FINDINGS


def _cmd_duplicates(args):
    store = _store(args)
    pairs = store.duplicates(args.as_user)
    for p in pairs:
        print(f"{p.id_number}：学校 {p.school_id} 第 {p.row_number} 行，与 {p.other_name}（{p.other_id}）第 {p.other_row} 行重复")
    print(f"共 {len({p.id_number for p in pairs})} 个身份证件号在两所以上学校重复。")
    return EXIT_OK if not pairs else EXIT_FINDINGS


def _with_store_options(parser):
    parser.add_argument("--db", help="数据库 URL（默认 $STAFFREC_DATABASE_URL 或 sqlite:///instance/staffrec.db）")
    parser.add_argument("--files", type=Path, help="文件库目录（默认 $STAFFREC_FILES 或 instance/files）")
    return parser


def add_store_parsers(commands, parser_class):
    """Register db, user, ingest and duplicates on the top-level subcommands."""
    db = commands.add_parser("db", help="数据库")
    db_commands = db.add_subparsers(dest="db_command", required=True, parser_class=parser_class, metavar="操作")
    init = _with_store_options(db_commands.add_parser("init", help="建立数据库表，并导入或更新学校名单"))
    init.add_argument("--registry", type=Path, help="学校名单 CSV")
    init.set_defaults(handler=_cmd_db_init)
    check = _with_store_options(db_commands.add_parser(
        "check", help="检查数据库与文件库是否一致（只读；退出码：0 一致，1 有不一致）"))
    check.add_argument("--quick", action="store_true", help="不重新计算文件的 SHA-256，只核对大小")
    check.add_argument("--unnamed", action="store_true", help="也报告没有版本记录引用的文件和临时文件")
    check.set_defaults(handler=_cmd_db_check)

    user = commands.add_parser("user", help="用户")
    user_commands = user.add_subparsers(dest="user_command", required=True, parser_class=parser_class, metavar="操作")
    add = _with_store_options(user_commands.add_parser("add", help="添加用户"))
    add.add_argument("name", help="用户名")
    add.add_argument("--tier", required=True, choices=[t.value for t in Tier], help="层级")
    add.add_argument("--territory", required=True, help="管辖范围：旗县代码、盟市代码、自治区代码或学校标识码")
    add.add_argument("--display-name", help="显示名称")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password", action="store_true", help="交互输入密码")
    secret.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    add.set_defaults(handler=_cmd_user_add)

    ingest = _with_store_options(commands.add_parser("ingest", help="上传入库：单个文件或 ZIP 批量（退出码：0 全部接收，1 有拒收）"))
    ingest.add_argument("paths", nargs="+", type=Path, metavar="文件")
    ingest.add_argument("--as", dest="as_user", required=True, metavar="用户", help="以此用户身份上传")
    ingest.add_argument("--dry-run", action="store_true", help="只检查，不入库")
    ingest.set_defaults(handler=_cmd_ingest)

    dups = _with_store_options(commands.add_parser("duplicates", help="列出全区重复的身份证件号"))
    dups.add_argument("--as", dest="as_user", metavar="用户", help="只列出该用户管辖范围内的学校")
    dups.set_defaults(handler=_cmd_duplicates)
