"""Scope rules: who is collected this time (the plan's 采集对象)."""

from ..findings import ERROR, finding_type

PUBLIC, PRIVATE = "1", "2"
ESTABLISHED = "1"
WORKER_POST, WORKER_CATEGORY = "3", "14"

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


def _where(context, view, key):
    return dict(file=context.file, row=view.row, column=context.kind.indicator(key).header, value=view.text(key))


def check_staff_category(context, view):
    """Out-of-scope 教职工类别 (in_scope = N: 外聘, 代课, 兼任) are not collected."""
    code = view.code("staff_category")
    row = context.catalogue.table("staff_category").get(code) if code else None
    if row is not None and not row.in_scope:
        yield OUT_OF_SCOPE(**_where(context, view, "staff_category"))


def check_ownership_scope(context, view):
    """Public schools report 在编 staff only; private schools no 工勤 staff (needs the registry)."""
    school = context.school
    if school is None:
        return
    if school.ownership == PUBLIC:
        established = view.code("established_post")
        if established and established != ESTABLISHED:
            yield PUBLIC_NOT_ESTABLISHED(**_where(context, view, "established_post"))
    elif school.ownership == PRIVATE:
        if view.code("post_category") == WORKER_POST:
            yield PRIVATE_WORKER(what=f"岗位类别 {view.value('post_category')}", **_where(context, view, "post_category"))
        elif view.code("staff_category") == WORKER_CATEGORY:
            yield PRIVATE_WORKER(what=f"教职工类别 {view.value('staff_category')}", **_where(context, view, "staff_category"))


SCOPE_RULES = (check_staff_category, check_ownership_scope)
