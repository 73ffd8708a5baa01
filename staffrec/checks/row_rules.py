"""Row rules: items that depend on each other within one person's row."""

from ..findings import ERROR, WARNING, finding_type

REQUIRED_IF = finding_type("row.required_if", ERROR, "{condition}时“{column}”必填。", "请按采集表补填。")
EMPTY_IF = finding_type("row.empty_if", ERROR, "{condition}时“{column}”应为空，现填“{value}”。", "请删除该项内容。")
POLITICAL_EXCLUSIVE = finding_type(
    "row.political_exclusive",
    ERROR,
    "政治面貌“{value}”中 12-无党派民主人士 或 13-群众 不能与其他项同时填写。",
    "请只保留符合实际的一项。",
)
DEGREE_LEVEL = finding_type(
    "row.degree_level",
    ERROR,
    "最高学位名称“{value}”不属于最高学位层次“{level}”。",
    "请核对学位层次或学位名称。",
)
POST_GRADE = finding_type(
    "row.post_grade",
    ERROR,
    "岗位等级“{value}”与岗位类别“{category}”不对应。",
    "专业技术岗位选 1 字头，管理岗位选 2 字头，工勤技能岗位选 3 字头，或选 999-未定等级。",
)
DATE_ORDER = finding_type(
    "row.date_order", ERROR, "“{column}”{value} 早于{other}{other_value}。", "请核对这两个日期。"
)
WORK_YOUNG = finding_type(
    "row.work_young",
    WARNING,
    "参加工作年月 {value} 时未满 {age} 周岁。",
    "请核对参加工作年月和出生日期。",
)
AGE_UNUSUAL = finding_type(
    "row.age_unusual",
    WARNING,
    "按出生日期，此人在 {today} 为 {age} 岁，不在 {low} 至 {high} 岁之间。",
    "请核对出生日期；不属于在职教职工的不应采集。",
)
ACADEMIC_ORIGIN = finding_type(
    "row.academic_origin",
    ERROR,
    "学缘结构“{value}”与最高学位层次“{level}”不符：{why}。",
    "请核对学缘结构或最高学位层次。",
)


def _present_iff(context, view, keys, needed, condition):
    """Yield findings where `keys` are empty although `needed`, or filled although not."""
    for key in keys:
        if key not in view.record or key in context.template.missing_keys:
            continue
        if needed and view.is_empty(key):
            yield REQUIRED_IF(condition=condition, **context.at(view, key))
        elif not needed and not view.is_empty(key):
            yield EMPTY_IF(condition=condition, **context.at(view, key))


def check_nationality(context, view):
    """民族 and 政治面貌 are filled for Chinese nationals and empty for others."""
    nationality, china = view.code("nationality"), context.rules.code("china_nationality")
    if nationality:
        condition = f"国籍为 {view.value('nationality')}"
        yield from _present_iff(context, view, ("ethnicity", "political_status"), nationality == china, condition)


def check_political(context, view):
    """12 无党派民主人士 and 13 群众 stand alone."""
    codes = view.codes("political_status") or []
    if len(codes) > 1 and context.rules.codes("exclusive_political").intersection(codes):
        yield POLITICAL_EXCLUSIVE(**context.at(view, "political_status"))


def check_employment_form(context, view):
    """用人形式 is filled exactly when the person is not 在编."""
    established, not_established = view.code("established_post"), context.rules.code("not_established")
    school = context.school
    if established == not_established and school is not None and not school.is_private:
        return  # scope.public_not_established: the row should not be there at all
    if established:
        condition = f"是否在编为 {view.value('established_post')}"
        yield from _present_iff(context, view, ("employment_form",), established == not_established, condition)


def check_grassroots(context, view):
    """Grassroots-service dates are filled exactly when the person served, and end after start."""
    if "grassroots" not in view.record or not view.code("grassroots"):
        return
    served = view.code("grassroots") != context.rules.code("no_grassroots")
    condition = "参加了基层服务项目" if served else "未参加基层服务项目"
    yield from _present_iff(context, view, ("grassroots_start", "grassroots_end"), served, condition)
    yield from _not_before(context, view, "grassroots_end", "grassroots_start")


def check_degree(context, view):
    """Degree name and institution are empty iff the level is 0, and the degree belongs to the level."""
    level, no_degree = view.code("degree_level"), context.rules.code("no_degree")
    if not level:
        return
    condition = f"最高学位层次为 {view.value('degree_level')}"
    yield from _present_iff(context, view, ("degree", "degree_institution"), level != no_degree, condition)
    degree = view.code("degree")
    if degree and level != no_degree:
        row = context.catalogue.table("degree").get(degree)
        if row is not None and row.extra.get("level") != level:
            yield DEGREE_LEVEL(level=view.value("degree_level"), **context.at(view, "degree"))


def check_post_grade(context, view):
    """岗位等级 belongs to the group of the 岗位类别 (the any-grade code fits every category)."""
    category, grade = view.code("post_category"), view.code("post_grade")
    if not category or not grade or grade == context.rules.code("any_post_grade"):
        return
    categories, grades = context.catalogue.table("post_category"), context.catalogue.table("post_grade")
    category_row, grade_row = categories.get(category), grades.get(grade)
    if category_row is None or grade_row is None or not grades.is_selectable(grade):
        return  # code.unknown or code.group already reported it
    # Grades are grouped under the top-level 岗位类别 code (11 and 12 belong to 1).
    if grade_row.parent != (category_row.parent or category_row.code):
        yield POST_GRADE(category=view.value("post_category"), **context.at(view, "post_grade"))


def _not_before(context, view, key, other):
    """Yield a finding when the year-month `key` lies before `other`."""
    if key not in view.record or other not in view.record:
        return
    later, earlier = view.yearmonth(key), view.yearmonth(other)
    if later and earlier and later < earlier:
        yield DATE_ORDER(
            other=f"“{context.kind.indicator(other).header}”",
            other_value=view.value(other),
            **context.at(view, key),
        )


def check_work_dates(context, view):
    """Work starts after birth (a warning under 16); school and special-education starts not before it."""
    birth, work = view.date("birth_date"), view.yearmonth("work_start")
    if birth and work:
        if work <= (birth.year, birth.month):
            yield DATE_ORDER(other="出生日期", other_value=view.value("birth_date"), **context.at(view, "work_start"))
        elif (work[0] - birth.year) * 12 + work[1] - birth.month < context.rules.number("working_age") * 12:
            yield WORK_YOUNG(age=context.rules.number("working_age"), **context.at(view, "work_start"))
    for key in ("school_start", "sped_start"):
        yield from _not_before(context, view, key, "work_start")


def check_age(context, view):
    """An age outside 18–65 on the collection date deserves a second look."""
    birth = view.date("birth_date")
    if birth is None:
        return
    today, low, high = context.today, context.rules.number("adult_age"), context.rules.number("retirement_age")
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if not low <= age <= high:
        yield AGE_UNUSUAL(age=age, today=today.isoformat(), low=low, high=high, **context.at(view, "birth_date"))


def check_academic_origin(context, view):
    """学缘结构 9 无学位 goes with degree level 0, and only with it (高校)."""
    origin, level = view.code("academic_origin"), view.code("degree_level")
    if not origin or not level:
        return
    no_origin, no_degree = context.rules.code("no_degree_origin"), context.rules.code("no_degree")
    if (origin == no_origin) != (level == no_degree):
        label = context.catalogue.table("academic_origin").get(no_origin).label
        why = f"无学位者应填 {label}" if level == no_degree else f"有学位者不能填 {label}"
        yield ACADEMIC_ORIGIN(level=view.value("degree_level"), why=why, **context.at(view, "academic_origin"))


ROW_RULES = (
    check_nationality,
    check_political,
    check_employment_form,
    check_grassroots,
    check_degree,
    check_post_grade,
    check_work_dates,
    check_age,
    check_academic_origin,
)
