"""The demo run behind `make demo`: a demo registry, filled templates, and reading them back."""

from .demo import demo_registry
from .demo_staff import demo_records
from .reader import open_template
from .registry import save_registry
from .template import new_template

SIGNOFF = {"entered_by": "李明", "checked_by": "王芳", "principal": "赵强", "phone": "0471-6600000", "filled_on": "2026-09-01"}
STAFF_PER_KIND = {"中小学": 40, "中职": 60, "特教": 25, "高校": 300}


def demo_schools(registry):
    """Pick one public school of each kind and one private school, in registry order."""
    picked, kinds = [], set()
    for school in registry:
        kind = school.kind().name
        if kind not in kinds and not school.is_private:
            kinds.add(kind)
            picked.append(school)
    picked.append(next(s for s in registry if s.is_private))
    return picked


def run_demo(out, per_county=4, echo=print):
    """Write the demo region under `out` and report each step through `echo`."""
    out.mkdir(parents=True, exist_ok=True)
    registry = demo_registry(per_county=per_county)
    registry_path = save_registry(registry, out / "schools.csv")
    regions = registry.regions
    echo(
        f"演示学校名单：{registry_path}（{len(registry)} 所学校，"
        f"{len(regions.cities())} 个盟市，{len(regions.counties())} 个旗县）"
    )
    folder = out / "templates"
    folder.mkdir(exist_ok=True)
    written, taken_ids = [], set()
    for school in demo_schools(registry):
        kind = school.kind()
        for fmt in ("xls", "xlsx") if kind.name == "高校" else ("xls",):
            template = new_template(school, demo_records(school, STAFF_PER_KIND[kind.name], taken_ids=taken_ids), signoff=SIGNOFF)
            path = template.save(folder, fmt=fmt)
            written.append((path, template))
            echo(f"写入模板：{path.name}（{len(template.records)} 人）")
    for path, template in written:
        read = open_template(path)
        same = read.records == template.records and read.school_id == template.school_id
        verdict = "与写入内容一致" if same and not read.findings else "与写入内容不一致！"
        echo(f"读回：{path.name}：{read.school_name}，{len(read.records)} 条记录，{verdict}")
        if not same or read.findings:
            raise RuntimeError(f"demo template {path} did not read back as written")
    return registry, [path for path, _ in written]
