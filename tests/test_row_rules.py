import datetime

import pytest

from staffrec.idcard import make_id_number

BORN = datetime.date(1985, 3, 12)
PERSON = dict(
    birth_date="1985-03-12", sex="1-男", id_type="1-居民身份证", id_number=make_id_number("150102", BORN, 123, "1"),
    work_start="2008-09", school_start="2015-09", nationality="156-中国", ethnicity="02-蒙古族",
    political_status="01-中共党员", established_post="1-是", employment_form="",
    degree_level="4-学士", degree="404-教育学学士学位", degree_institution="北疆师范大学",
    grassroots="0-否", grassroots_start="", grassroots_end="",
    post_category="11-教师岗位", post_grade="110-专业技术岗位十级",
)


def codes(report):
    return [(f.code, f.column) for f in report.findings]


def check(check_one, kind="中小学", **changes):
    person = {k: v for k, v in PERSON.items() if kind != "中职" or not k.startswith("grassroots")}
    return check_one(kind, **{**person, **changes})


def test_the_base_person_is_valid(check_one):
    assert codes(check(check_one)) == []


def test_chinese_nationals_need_ethnicity_and_political_status(check_one):
    assert codes(check(check_one, ethnicity="", political_status="")) == [
        ("row.required_if", "民族"), ("row.required_if", "政治面貌")]


def test_foreigners_leave_them_empty(check_one):
    report = check(check_one, nationality="840-美国", id_type="A-护照", id_number="P1234567")
    assert codes(report) == [("row.empty_if", "民族"), ("row.empty_if", "政治面貌")]
    assert "840-美国" in report.findings[0].message


@pytest.mark.parametrize("value", ["01-中共党员,13-群众", "12-无党派民主人士,04-民革会员"])
def test_political_12_and_13_stand_alone(check_one, value):
    assert codes(check(check_one, political_status=value)) == [("row.political_exclusive", "政治面貌")]


def test_two_party_memberships_are_allowed(check_one):
    assert codes(check(check_one, political_status="03-共青团员,05-民盟盟员")) == []


def test_employment_form_iff_not_established(check_one):
    # 3115000003 is a private school, where staff outside the establishment are collected.
    assert codes(check(check_one, school="3115000003", established_post="0-否")) == [("row.required_if", "用人形式")]
    assert codes(check(check_one, employment_form="1-人事代理")) == [("row.empty_if", "用人形式")]
    assert codes(check(check_one, school="3115000003", established_post="0-否", employment_form="2-劳务派遣")) == []


def test_grassroots_dates(check_one):
    assert codes(check(check_one, grassroots="1-农村义务教育阶段学校教师特设岗位计划")) == [
        ("row.required_if", "参加基层服务项目起始年月"), ("row.required_if", "参加基层服务项目结束年月")]
    assert codes(check(check_one, grassroots_start="2008-09")) == [("row.empty_if", "参加基层服务项目起始年月")]
    served = dict(grassroots="2-大学生村官", grassroots_start="2010-09", grassroots_end="2009-08")
    assert codes(check(check_one, **served)) == [("row.date_order", "参加基层服务项目结束年月")]


def test_degree_follows_its_level(check_one):
    assert codes(check(check_one, degree="", degree_institution="")) == [
        ("row.required_if", "最高学位名称"), ("row.required_if", "获得最高学位的院校或机构")]
    assert codes(check(check_one, degree_level="0-无")) == [
        ("row.empty_if", "最高学位名称"), ("row.empty_if", "获得最高学位的院校或机构")]
    assert codes(check(check_one, degree="304-教育学硕士学位")) == [("row.degree_level", "最高学位名称")]


def test_post_grade_matches_post_category(check_one):
    assert codes(check(check_one, post_grade="205-管理岗位五级")) == [("row.post_grade", "岗位等级")]
    assert codes(check(check_one, post_grade="999-未定等级")) == []
    assert codes(check(check_one, post_category="2-管理岗位", post_grade="208-管理岗位八级")) == []


def test_work_dates(check_one):
    assert codes(check(check_one, work_start="1985-02")) == [("row.date_order", "参加工作年月")]
    young = check(check_one, work_start="2000-09")
    assert [(f.code, f.severity) for f in young.findings] == [("row.work_young", "warning")]
    assert codes(check(check_one, school_start="2008-08")) == [("row.date_order", "进本校年月")]


def test_special_education_start_not_before_work(check_one):
    report = check(check_one, kind="特教", sped_start="2007-01")
    assert codes(report) == [("row.date_order", "从事特教起始年月")]


def test_age_outside_18_to_65_is_a_warning(check_one):
    old = dict(birth_date="1950-03-12", id_number=make_id_number("150102", datetime.date(1950, 3, 12), 123, "1"), work_start="1970-09")
    report = check(check_one, **old)
    assert [(f.code, f.severity) for f in report.findings] == [("row.age_unusual", "warning")]
    assert "76 岁" in report.findings[0].message


def test_academic_origin_follows_the_degree(check_one):
    he = dict(academic_origin="9-无学位")
    assert codes(check(check_one, kind="高校", **he)) == [("row.academic_origin", "学缘结构")]
    none = dict(academic_origin="2-境内其他院校或机构", degree_level="0-无", degree="", degree_institution="")
    assert codes(check(check_one, kind="高校", **none)) == [("row.academic_origin", "学缘结构")]
