"""The version diff page: persons added, removed and changed between two uploads of a school."""

import html

import pytest

import staffrec
from staffrec.demo_staff import demo_records

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
XINCHENG, VOCATIONAL = "2115000001", "3615000004"


@pytest.fixture
def store(app):
    return app.extensions["staffrec_store"]


def upload(store, registry, school_id, user, records):
    template = staffrec.new_template(registry.get(school_id), records, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
    assert result.accepted, result.messages


def text(response):
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def two_versions(store, registry):
    """Version 1: four persons; version 2: the first three (one with a new remark) and a fifth."""
    school = registry.get(XINCHENG)
    people = demo_records(school, 4)
    upload(store, registry, XINCHENG, "新城区", people)
    second = [dict(p) for p in people[:3]] + demo_records(school, 5)[4:]
    second[1]["remark"] = "已调整岗位"
    upload(store, registry, XINCHENG, "新城区", second)
    return people, second


def section(page, css_class):
    start = page.index(f'<section class="{css_class}">')
    return page[start:page.index("</section>", start)]


def test_diff_of_two_known_versions(client, auth, two_versions):
    people, second = two_versions
    auth.login("新城区")
    page = text(client.get(f"/datasets/{XINCHENG}/diff"))  # previous vs current by default
    assert "新增 1 人，删除 1 人，信息变更 1 人，未变 2 人" in page
    assert "第 1 版（" in page and "第 2 版（" in page
    added, removed, changed = (section(page, c) for c in ("diff-added", "diff-removed", "diff-changed"))
    assert "新增人员（1 人）" in added and second[3]["id_number"] in added and second[3]["name"] in added
    assert "删除人员（1 人）" in removed and people[3]["id_number"] in removed and people[3]["name"] in removed
    assert people[3]["id_number"] not in added and second[3]["id_number"] not in removed
    assert "信息变更人员（1 人）" in changed and people[1]["id_number"] in changed and people[1]["name"] in changed
    assert '<td>备注</td><td class="old"></td><td class="new">已调整岗位</td>' in changed
    assert "原值（第 1 版）" in changed and "新值（第 2 版）" in changed
    for person in people[:3:2]:  # unchanged persons are counted, not listed
        assert person["id_number"] not in page
    assert text(client.get(f"/datasets/{XINCHENG}/diff?old=1&new=2")) == page


def test_diff_in_the_other_direction_and_of_a_version_with_itself(client, auth, two_versions):
    people, second = two_versions
    auth.login("呼和浩特市")
    backwards = text(client.get(f"/datasets/{XINCHENG}/diff?old=2&new=1"))
    assert people[3]["id_number"] in section(backwards, "diff-added")
    assert '<td>备注</td><td class="old">已调整岗位</td><td class="new"></td>' in backwards
    same = text(client.get(f"/datasets/{XINCHENG}/diff?old=2&new=2"))
    assert "新增 0 人，删除 0 人，信息变更 0 人，未变 4 人" in same and "完全相同" in same


def test_the_dataset_page_links_the_diff(client, auth, two_versions):
    auth.login("新城区")
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert f'href="/datasets/{XINCHENG}/diff?old=1&new=2">与上一版比较</a>' in page
    assert page.count("与上一版比较") == 1  # version 1 has nothing before it


def test_one_version_or_none_has_nothing_to_compare(client, auth, store, registry):
    auth.login("新城区")
    assert "尚未上传数据，没有可比较的版本" in text(client.get(f"/datasets/{XINCHENG}/diff"))
    upload(store, registry, XINCHENG, "新城区", demo_records(registry.get(XINCHENG), 2))
    response = client.get(f"/datasets/{XINCHENG}/diff")
    assert response.status_code == 200 and "之前没有更早的版本，无可比较" in text(response)


def test_unknown_versions_and_schools_outside_the_territory_are_404(client, auth, two_versions):
    auth.login("新城区")
    for query in ("old=3", "new=7", "old=0&new=2", "old=1&new=3"):
        assert client.get(f"/datasets/{XINCHENG}/diff?{query}").status_code == 404, query
    assert client.get(f"/datasets/{XINCHENG}/diff?old=abc").status_code == 200  # not a number: the default
    for outsider in ("昆都仑区", "包头市", "信息中心", "内蒙古大学"):
        auth.login(outsider)
        response = client.get(f"/datasets/{XINCHENG}/diff?old=1&new=2")
        assert response.status_code == 404 and "不在您的管辖范围内" in text(response), outsider
