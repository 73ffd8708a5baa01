"""Scope rules: who is collected this time (the plan's 采集对象)."""

from ..findings import ERROR, finding_type

OUT_OF_SCOPE = finding_type(
    "scope.category",
    ERROR,
    "教职工类别“{value}”不在本次采集范围内（外聘、代课、兼任人员不采集）。",
    "请删除此人的整行数据。",
)
PUBLIC_NOT_ESTABLISHED = finding_type(
    "scope.public_not_established",
    ERROR,
    "公办学校只采集在编教职工，此人“是否在编”为“{value}”。",
    "非在编人员请删除整行；确属在编的请改为 1-是。",
)
PRIVATE_WORKER = finding_type(
    "scope.private_worker",
    ERROR,
    "民办学校的工勤技能岗位人员此次不采集（{what}）。",
    "请删除此人的整行数据。",
)


def check_staff_category(context, view):
    """Out-of-scope 教职工类别 (in_scope = N: 外聘, 代课, 兼任) are not collected."""
    code = view.code("staff_category")
    row = context.catalogue.table("staff_category").get(code) if code else None
    if row is not None and not row.in_scope:
        yield OUT_OF_SCOPE(**context.at(view, "staff_category"))


def check_ownership_scope(context, view):
    """Public schools report 在编 staff only; private schools no 工勤 staff (needs the registry)."""
    school = context.school
    if school is None:
        return
    rules = context.rules
    if not school.is_private:
        established = view.code("established_post")
        if established and established != rules.code("established"):
            yield PUBLIC_NOT_ESTABLISHED(**context.at(view, "established_post"))
    else:
        if view.code("post_category") == rules.code("worker_post_category"):
            yield PRIVATE_WORKER(what=f"岗位类别 {view.value('post_category')}", **context.at(view, "post_category"))
        elif view.code("staff_category") == rules.code("worker_staff_category"):
            yield PRIVATE_WORKER(what=f"教职工类别 {view.value('staff_category')}", **context.at(view, "staff_category"))


SCOPE_RULES = (check_staff_category, check_ownership_scope)
