"""`make demo`: build a demo region with uploads at every review state, then serve the portal locally.

    python -m portal.demo [--out demo] [--host 127.0.0.1] [--port 5000] [--build-only]

Everything under the demo folder that this module makes is rebuilt from scratch on every run. The
accounts get fixed demo passwords, printed on the console: this is a local demonstration only.
"""

import argparse
import os
import secrets
import shutil
import sys
from pathlib import Path

from staffrec.catalogue import catalogue as default_catalogue
from staffrec.demo import demo_registry
from staffrec.demo_staff import demo_records
from staffrec.distribute import zip_bytes
from staffrec.records import Record
from staffrec.registry import save_registry
from staffrec.review import Action, State, Tier
from staffrec.store import Store
from staffrec.template import new_template

HOST = "127.0.0.1"
DEFAULT_PORT = 5000
SIGNOFF = {"entered_by": "李明", "checked_by": "王芳", "principal": "赵强", "phone": "0471-6600000", "filled_on": "2026-09-01"}

# name, tier, territory, display name, password: one county, its city, the region, the info centre.
USERS = (
    ("xincheng", "county", "150102", "新城区审核员", "xincheng-demo"),
    ("hohhot", "city", "150100", "呼和浩特市审核员", "hohhot-demo"),
    ("region", "region", "150000", "自治区审核员", "region-demo"),
    ("infocentre", "info_centre", "150000", "信息中心上传员", "infocentre-demo"),
)
COUNTY, CITY, REGION, INFO_CENTRE = (u[0] for u in USERS)

# The demo schools of 新城区 (and one 高校 the info centre uploads), with the staff each file holds.
AT_COUNTY = ("2115000001", "2115000002")  # 实验小学 (with warnings), 第一小学
AT_CITY = "3415000001"  # 新城区高级中学
AT_REGION = "3615000001"  # 第一中等职业学校
RETURNED = "3615000002"  # 第二中等职业学校: the region returned it
REPORTED = "5115000001"  # 特殊教育学校
REJECTED = "3715000001"  # 工读学校: its upload has errors
HIGHER_ED = "4115018101"  # 内蒙古青城理工大学
STAFF = {"中小学": 30, "中职": 40, "特教": 20, "高校": 80}
RETURN_REASON = "部分教职工的岗位等级与专业技术职务不对应，请学校核对后重新上传。"

# Files of the demo folder this module makes; a rebuild removes these and nothing else.
MADE = ("staffrec.db", "staffrec.db-wal", "staffrec.db-shm", "files", "uploads", "schools.csv")


def _records(school, seed, taken_ids):
    return demo_records(school, STAFF[school.kind().name], seed=seed, taken_ids=taken_ids)


def _good(school, taken_ids, catalogue, seed=0):
    """A file every check passes."""
    return new_template(school, _records(school, seed, taken_ids), signoff=SIGNOFF, catalogue=catalogue)


def _with_warnings(school, taken_ids, catalogue):
    """A file the 校验 accepts, with warnings: bare codes and dotted dates a clerk typed by hand."""
    template = _good(school, taken_ids, catalogue)
    keys = template.kind.keys
    for index in (2, 5, 9):
        row = dict(template.records[index].as_dict())
        row["sex"] = row["sex"].split("-", 1)[1]  # 男 instead of 1-男
        row["ethnicity"] = row["ethnicity"].split("-", 1)[0].lstrip("0")  # 1 instead of 01-汉族
        row["birth_date"] = row["birth_date"].replace("-", ".")  # 1985.03.12
        template.records[index] = Record(keys, tuple(row[k] for k in keys))
    return template


def _with_errors(school, taken_ids, catalogue):
    """A file the 校验 refuses: a wrong ID check digit, a missing required item, a date that is no date."""
    template = _good(school, taken_ids, catalogue)
    keys = template.kind.keys
    changes = {
        1: {"id_number": lambda v: v[:17] + ("0" if v[17] != "0" else "1")},
        4: {"ethnicity": lambda v: ""},
        7: {"work_start": lambda v: v[:4] + "-13"},
    }
    for index, change in changes.items():
        row = dict(template.records[index].as_dict())
        for key, edit in change.items():
            row[key] = edit(row[key])
        template.records[index] = Record(keys, tuple(row[k] for k in keys))
    return template


def _zip(templates):
    return zip_bytes((template.file_name(), template.to_bytes()) for template in templates)


def _clean(out):
    """Remove what an earlier run made, so the demo starts from scratch."""
    for name in MADE:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _report(echo, results):
    for result in results:
        if result.accepted:
            warnings = result.report.counts["warning"] if result.report else 0
            extra = f"，{warnings} 条警告" if warnings else ""
            echo(f"  接收：{result.name}（第 {result.version} 版{extra}）")
        else:
            echo(f"  拒收：{result.name}")
            for message in result.messages[:5]:
                echo(f"    - {message}")


def _review(store, echo, user, school_ids, action, reason=None):
    results = store.review(user, school_ids, action, reason=reason)
    for result in results:
        if not result.ok:
            raise RuntimeError(f"demo review {action} of {result.school_id} by {user} failed: {result.error}")
    note = f"（{reason}）" if reason else ""
    echo(f"{user} {Action(action).label} {len(results)} 所学校：{'、'.join(school_ids)}{note}")


def build(out, echo=print):
    """Build the demo region under `out`; return the portal configuration that serves it."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    catalogue = default_catalogue()
    registry = demo_registry()
    registry_path = save_registry(registry, out / "schools.csv")
    echo(f"演示学校名单：{registry_path}（{len(registry)} 所学校）")

    database = out / "staffrec.db"
    store = Store(f"sqlite:///{database.resolve()}", out / "files", catalogue=catalogue)
    store.init(registry)
    echo(f"数据库：{database}；文件库：{out / 'files'}")
    for name, tier, territory, display, password in USERS:
        store.add_user(name, tier, territory, password=password, display_name=display)

    taken_ids = set()
    school = registry.get
    k12 = [
        _with_warnings(school(AT_COUNTY[0]), taken_ids, catalogue),
        *(_good(school(i), taken_ids, catalogue) for i in (AT_COUNTY[1], AT_CITY)),
        _with_errors(school(REJECTED), taken_ids, catalogue),
    ]
    vocational = [_good(school(i), taken_ids, catalogue) for i in (AT_REGION, RETURNED)]
    special = _good(school(REPORTED), taken_ids, catalogue)
    fixed = _good(school(REJECTED), taken_ids, catalogue, seed=1)
    university = _good(school(HIGHER_ED), taken_ids, catalogue)

    # The files themselves, to try the upload page with. A ZIP holds one template kind only.
    uploads = out / "uploads"
    uploads.mkdir()
    county_uploads = [
        ("新城区_中小学.zip", _zip(k12)),
        ("新城区_中职.zip", _zip(vocational)),
        (special.file_name(), special.to_bytes()),
    ]
    for name, data in county_uploads:
        (uploads / name).write_bytes(data)
    fixed.save(uploads / "修改后")
    university.save(uploads)

    for name, data in county_uploads:
        echo(f"新城区教育局上传 {name}：")
        _report(echo, store.ingest([(name, data)], COUNTY))
    echo("自治区教育网络信息中心上传高校文件：")
    _report(echo, store.ingest([(university.file_name(), university.to_bytes())], INFO_CENTRE))

    _review(store, echo, COUNTY, [AT_CITY, AT_REGION, RETURNED, REPORTED], "approve")
    _review(store, echo, CITY, [AT_REGION, RETURNED, REPORTED], "approve")
    _review(store, echo, REGION, [REPORTED], "approve")
    _review(store, echo, REGION, [RETURNED], "return", reason=RETURN_REASON)

    echo("各校当前状态：")
    for school_id in (*AT_COUNTY, AT_CITY, AT_REGION, RETURNED, REPORTED, REJECTED, HIGHER_ED):
        state = State(store.state_of(school_id)).label
        echo(f"  {school_id} {school(school_id).name}：{state}")
    echo(f"可在上传页试传的文件：{uploads}（修改后/ 里是工读学校改正后的文件）")
    store.engine.dispose()
    return {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{database.resolve()}",
        "FILES": str((out / "files").resolve()),
        # Plain http on 127.0.0.1: the demo only. Production keeps the secure cookie flags.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }


def print_accounts(echo=print):
    """List the demo accounts and their (fixed, public) demo passwords."""
    echo("演示账号（密码仅供本机演示）：")
    for name, tier, territory, display, password in USERS:
        echo(f"  {Tier(tier).label} {display}（{territory}）：用户名 {name}  密码 {password}")


def serve(config, host=HOST, port=DEFAULT_PORT, echo=print):
    """Serve the portal over the demo store with waitress until interrupted."""
    from . import create_app, serving

    serving.serve(create_app(config), host, port, threads=8, announce=echo,
                  message="演示门户：http://{host}:{port}/ （按 Ctrl+C 停止）")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m portal.demo", description="构建演示数据并在本机启动门户。")
    parser.add_argument("--out", default="demo", help="演示数据目录（默认 demo）")
    parser.add_argument("--host", default=HOST, help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT), help="端口（默认 5000 或 $PORT）")
    parser.add_argument("--build-only", action="store_true", help="只构建演示数据，不启动门户")
    args = parser.parse_args(argv)
    config = build(args.out)
    print_accounts()
    if args.build_only:
        return 0
    try:
        serve(config, args.host, args.port)
    except OSError as exc:
        print(f"无法在 {args.host}:{args.port} 启动门户：{exc}。可换一个端口，例如 PORT=5001 make demo。", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
