import datetime

from staffrec.idcard import make_id_number

BORN = datetime.date(1985, 3, 12)
PERSON = dict(
    birth_date="1985-03-12", sex="1-男", id_type="1-居民身份证", id_number=make_id_number("150102", BORN, 123, "1"),
    work_start="2008-09", school_start="2015-09", established_post="1-是", employment_form="",
    post_category="11-教师岗位", post_grade="110-专业技术岗位十级", staff_category="11-专任教师",
)
PRIVATE = "3115000003"


def codes(report):
    return [(f.code, f.column) for f in report.findings]


def test_out_of_scope_staff_categories(check_one):
    for category in ("55-代课教师", "56-兼任教师", "52-来自校外企业"):
        report = check_one("中小学", **{**PERSON, "staff_category": category})
        assert codes(report) == [("scope.category", "教职工类别")], category


def test_public_schools_collect_established_staff_only(check_one):
    report = check_one("中小学", **{**PERSON, "established_post": "0-否", "employment_form": "1-人事代理"})
    assert codes(report) == [("scope.public_not_established", "是否在编")]


def test_established_worker_posts_are_collected_in_public_schools(check_one):
    worker = dict(post_category="3-工勤技能岗位", post_grade="304-工勤技能岗位四级", staff_category="14-工勤人员")
    assert codes(check_one("中小学", **{**PERSON, **worker})) == []


def test_private_schools_collect_any_employment_form_but_no_workers(check_one):
    hired = dict(established_post="0-否", employment_form="9-其他")
    assert codes(check_one("中小学", school=PRIVATE, **{**PERSON, **hired})) == []
    worker = dict(post_category="3-工勤技能岗位", post_grade="304-工勤技能岗位四级")
    assert codes(check_one("中小学", school=PRIVATE, **{**PERSON, **worker})) == [("scope.private_worker", "岗位类别")]
    clerk = dict(staff_category="14-工勤人员", post_category="2-管理岗位", post_grade="209-管理岗位九级")
    assert codes(check_one("中小学", school=PRIVATE, **{**PERSON, **clerk})) == [("scope.private_worker", "教职工类别")]


def test_ownership_rules_need_the_registry(check_one):
    report = check_one("中小学", use_registry=False, **{**PERSON, "established_post": "0-否", "employment_form": "1-人事代理"})
    assert codes(report) == []


def test_a_public_school_person_not_established_is_one_finding(check_one):
    report = check_one("中小学", **{**PERSON, "established_post": "0-否", "employment_form": ""})
    assert codes(report) == [("scope.public_not_established", "是否在编")]
