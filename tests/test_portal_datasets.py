"""Review pages and actions of the portal, driven through the Flask test client."""

import re

import pytest
from portal_support import csrf_token

import staffrec
from staffrec.demo_staff import demo_records

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
XINCHENG, TUMD, PRIVATE, VOCATIONAL, UNIVERSITY = "2115000001", "3415000002", "3115000003", "3615000004", "4115010126"


@pytest.fixture
def store(app):
    store = app.extensions["staffrec_store"]
    store.add_user("土默特左旗", "county", "150121")  # a second county of 呼和浩特市
    return store


def template_of(registry, school_id, count=3, seed=0, records=None):
    school = registry.get(school_id)
    records = records if records is not None else demo_records(school, count, seed=seed)
    return staffrec.new_template(school, records, signoff=SIGNOFF)


def upload(store, registry, school_id, user, **kwargs):
    template = template_of(registry, school_id, **kwargs)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
    assert result.accepted, result.messages
    return result


def post(client, url, **data):
    """POST a form with the CSRF token of the queue page."""
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, "/datasets/queue")))


def text(response):
    return response.get_data(as_text=True)


def flashes(client, url="/datasets/queue"):
    return re.findall(r'<p class="flash [a-z]+">([^<]*)</p>', text(client.get(url)))


def act(client, school_id, action, reason=""):
    response = post(client, f"/datasets/{school_id}/act", action=action, reason=reason)
    assert response.status_code == 302 and response.headers["Location"] == f"/datasets/{school_id}"
    return flashes(client, f"/datasets/{school_id}")


def county_act(client, county, action, reason=""):
    return post(client, f"/datasets/county/{county}/act", action=action, reason=reason)


# --- queues and lists -------------------------------------------------------------------------


def test_queue_shows_the_datasets_waiting_for_me(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    auth.login("新城区")
    page = text(client.get("/datasets/queue"))
    row = page[page.index("<tbody>"):]
    for shown in (XINCHENG, "新城区第一小学", "新城区", "中小学", "待县审核", ">3<", "第 1 版"):
        assert shown in row
    assert 'name="school_id" value="2115000001"' in page and 'action="/datasets/bulk"' in page
    assert "待我审核 1 所" in text(client.get("/")) and "待县审核</a></td><td>1</td>" in text(client.get("/"))
    act(client, XINCHENG, "approve")
    assert "没有符合条件的学校" in text(client.get("/datasets/queue"))
    assert "待市审核" in text(client.get("/datasets/"))  # still in the territory's list
    auth.login("呼和浩特市")
    assert "新城区第一小学" in text(client.get("/datasets/queue"))


def test_lists_filter_by_county_kind_and_state(client, auth, store, registry):
    upload(store, registry, PRIVATE, "昆都仑区")
    upload(store, registry, VOCATIONAL, "昆都仑区")
    auth.login("自治区")
    everything = text(client.get("/datasets/"))
    assert all(name in everything for name in ("新城区第一小学", "包头市第一中等职业学校", "内蒙古大学"))
    by_county = text(client.get("/datasets/?county=150203"))
    assert "包头市第一中等职业学校" in by_county and "新城区第一小学" not in by_county
    assert '<option value="150203" selected>' in by_county
    by_kind = text(client.get("/datasets/?kind=中职"))
    assert "包头市第一中等职业学校" in by_kind and "昆都仑区育才民办学校" not in by_kind
    by_state = text(client.get("/datasets/?state=at_county"))
    assert "包头市第一中等职业学校" in by_state and "新城区第一小学" not in by_state
    # Values that name nothing are ignored, never an error.
    assert client.get("/datasets/?state=bogus&county=x&kind=y").status_code == 200
    auth.login("昆都仑区")
    queue = text(client.get("/datasets/queue?kind=中职"))
    assert "包头市第一中等职业学校" in queue and "昆都仑区育才民办学校" not in queue
    assert "没有符合条件的学校" in text(client.get("/datasets/queue?state=at_city"))


def test_lists_answer_every_role(client, auth, store):
    for name in ("新城区", "呼和浩特市", "自治区", "信息中心", "内蒙古大学"):
        auth.login(name)
        assert client.get("/datasets/").status_code == 200
        assert client.get("/datasets/queue").status_code == 200
    assert "内蒙古大学" in text(client.get("/datasets/"))


# --- the dataset page ---------------------------------------------------------------------------


def test_long_lists_come_in_pages_that_keep_the_filters(client, auth, store, monkeypatch):
    import portal.datasets

    monkeypatch.setattr(portal.datasets, "PER_LIST_PAGE", 2)
    auth.login("自治区")
    ids = lambda page: re.findall(r"<td>(\d{10})</td>", text(page))  # noqa: E731
    first, second, last = (client.get(f"/datasets/?page={n}") for n in (1, 2, 3))
    assert "共 6 所学校，本页列出第 1–2 所" in text(first) and "第 1 / 3 页" in text(first)
    assert len(set(ids(first) + ids(second) + ids(last))) == 6
    assert 'href="/datasets/?page=2"' in text(first) and "上一页" not in text(first)
    assert ids(client.get("/datasets/?page=999")) == ids(last)  # clamped, not an error
    assert ids(client.get("/datasets/?page=x")) == ids(first)
    narrowed = text(client.get("/datasets/?kind=中小学"))
    assert "第 1 / 2 页" in narrowed and re.search(r'href="/datasets/\?page=2&amp;kind=%E4%B8%AD', narrowed)


def test_dataset_page_shows_facts_records_findings_and_history(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    auth.login("新城区")
    page = text(client.get(f"/datasets/{XINCHENG}"))
    for shown in ("新城区第一小学", "普通小学", "公办", "呼和浩特市", "待县审核", "第 1 版"):
        assert shown in page
    assert "<th>身份证件号</th>" in page and "<th>岗位等级</th>" in page
    first = demo_records(registry.get(XINCHENG), 3)[0]
    assert first["name"] in page and first["id_number"] in page
    assert "校验通过" in page
    assert "未上传 → 待县审核" in page and "上传" in page  # review history
    assert page.count('name="csrf_token"') >= 3  # logout, approve, return
    assert '<button type="submit">审核通过</button>' in page and '<button type="submit">退回</button>' in page
    assert "退回原因（必填）" in page


def upload_with_a_warning(store, registry):
    """新城区第一小学's file with one warning: a person who started work at 14."""
    records = demo_records(registry.get(XINCHENG), 2)
    year, month = records[0]["birth_date"].split("-")[:2]
    records[0]["work_start"] = records[0]["school_start"] = f"{int(year) + 14}-{month}"
    upload(store, registry, XINCHENG, "新城区", records=records)


def test_dataset_page_lists_warnings_of_the_current_version(client, auth, store, registry):
    upload_with_a_warning(store, registry)
    auth.login("新城区")
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert "错误 0 处，警告 1 处" in page and "<td>警告</td>" in page and "参加工作年月" in page


def test_dataset_page_shows_the_report_kept_at_upload_without_checking_again(client, auth, store, registry,
                                                                            monkeypatch):
    import portal.datasets
    from sqlalchemy import delete

    from staffrec.store.schema import version_reports

    upload_with_a_warning(store, registry)
    auth.login("新城区")

    def no_check(*args, **kwargs):
        raise AssertionError("the stored file was checked again")

    monkeypatch.setattr(portal.datasets, "validate", no_check)
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert "错误 0 处，警告 1 处" in page and "参加工作年月" in page
    assert re.search(r"（\d{4}-\d\d-\d\d 校验）", page)
    monkeypatch.undo()
    with store.writer.begin() as conn:  # a version stored before reports were kept: checked when shown
        conn.execute(delete(version_reports))
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert "错误 0 处，警告 1 处" in page


def test_dataset_page_shows_ids_held_by_another_school(client, auth, store, registry):
    private = demo_records(registry.get(PRIVATE), 2)
    vocational = demo_records(registry.get(VOCATIONAL), 2)
    for person in ("id_number", "birth_date", "sex"):
        vocational[0][person] = private[0][person]
    upload(store, registry, PRIVATE, "昆都仑区", records=private)
    upload(store, registry, VOCATIONAL, "昆都仑区", records=vocational)
    auth.login("昆都仑区")
    page = text(client.get(f"/datasets/{VOCATIONAL}"))
    assert "全区身份证件号重复" in page and "昆都仑区育才民办学校" in page


def test_dataset_page_pages_through_records(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区", count=130)
    auth.login("新城区")
    first = text(client.get(f"/datasets/{XINCHENG}"))
    assert "教职工信息（130 人）" in first and "第 1 / 2 页" in first and "<tr><td>103</td>" in first
    assert "<tr><td>104</td>" not in first
    second = text(client.get(f"/datasets/{XINCHENG}?page=2"))
    assert "<tr><td>104</td>" in second and "<tr><td>133</td>" in second and "上一页" in second
    assert "第 2 / 2 页" in text(client.get(f"/datasets/{XINCHENG}?page=99"))


def test_dataset_page_before_any_upload_and_with_a_missing_file(client, auth, store, registry):
    auth.login("新城区")
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert "尚未上传数据" in page and "暂无记录" in page and "现在没有需要您办理的操作" in page
    upload(store, registry, XINCHENG, "新城区")
    for path in store.files.root.rglob("*"):
        if path.is_file():
            path.unlink()
    assert "原文件在文件库中找不到" in text(client.get(f"/datasets/{XINCHENG}"))


def test_dataset_pages_outside_the_territory_do_not_exist(client, auth, store, registry):
    upload(store, registry, UNIVERSITY, "信息中心")
    auth.login("昆都仑区")
    for school_id in (XINCHENG, UNIVERSITY, "9999999999", "bulk"):
        response = client.get(f"/datasets/{school_id}")
        assert response.status_code == 404 and "不在您的管辖范围内" in text(response)
    auth.login("信息中心")
    assert client.get(f"/datasets/{XINCHENG}").status_code == 404
    assert client.get(f"/datasets/{UNIVERSITY}").status_code == 200


# --- one action at a time ---------------------------------------------------------------------


def test_return_needs_a_reason_and_unknown_actions_are_refused(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    auth.login("新城区")
    assert act(client, XINCHENG, "return", "   ") == ["“退回”须填写原因，请在文本框中写明退回原因。"]
    assert act(client, XINCHENG, "upload") == ["请选择审核操作。"]
    assert act(client, XINCHENG, "return", "字" * 501) == ["原因或意见不能超过 500 个字。"]
    assert store.state_of(XINCHENG) == "at_county"
    assert act(client, XINCHENG, "return", "第4行出生日期有误") == ["新城区第一小学（2115000001）：已退回，现为“退回至学校”。"]
    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert "第4行出生日期有误" in page and "待县审核 → 退回至学校" in page


def test_an_action_out_of_turn_is_refused_with_the_machines_reason(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    auth.login("呼和浩特市")
    (line,) = act(client, XINCHENG, "approve")
    assert line.startswith("新城区第一小学（2115000001）：未能审核通过。") and "下级审核通过" in line
    assert store.state_of(XINCHENG) == "at_county"


def test_actions_outside_the_territory_answer_404(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    auth.login("昆都仑区")
    assert post(client, f"/datasets/{XINCHENG}/act", action="approve").status_code == 404
    assert post(client, "/datasets/9999999999/act", action="approve").status_code == 404
    assert store.state_of(XINCHENG) == "at_county"


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_approve_reports_one_line_per_school_and_hides_what_is_outside(client, auth, store, registry):
    upload(store, registry, PRIVATE, "昆都仑区")
    upload(store, registry, VOCATIONAL, "昆都仑区")
    upload(store, registry, XINCHENG, "新城区")
    auth.login("昆都仑区")
    response = post(client, "/datasets/bulk", action="approve", school_id=[PRIVATE, VOCATIONAL, XINCHENG, "9999999999"])
    page = text(response)
    assert response.status_code == 200 and "批量审核通过" in page
    assert "共 4 所学校：办理 2 所，未办理 2 所。" in page
    assert "昆都仑区育才民办学校（3115000003）：已审核通过，现为“待市审核”。" in page
    assert "包头市第一中等职业学校（3615000004）：已审核通过，现为“待市审核”。" in page
    assert "2115000001：不存在或不在您的管辖范围内。" in page and "9999999999：不存在或不在您的管辖范围内。" in page
    assert "新城区第一小学" not in page
    assert store.state_of(XINCHENG) == "at_county"


def test_bulk_return_carries_one_reason_and_needs_it(client, auth, store, registry):
    upload(store, registry, PRIVATE, "昆都仑区")
    upload(store, registry, VOCATIONAL, "昆都仑区")
    auth.login("昆都仑区")
    response = post(client, "/datasets/bulk", action="return", reason="", school_id=[PRIVATE, VOCATIONAL])
    assert response.status_code == 302 and flashes(client) == ["“退回”须填写原因，请在文本框中写明退回原因。"]
    response = post(client, "/datasets/bulk", action="approve")
    assert response.status_code == 302 and flashes(client) == ["请先勾选要办理的学校。"]
    page = text(post(client, "/datasets/bulk", action="return", reason="签字不全", school_id=[PRIVATE, VOCATIONAL]))
    assert page.count("已退回，现为“退回至学校”") == 2
    assert store.state_of(PRIVATE) == store.state_of(VOCATIONAL) == "returned_to_school"
    assert "签字不全" in text(client.get(f"/datasets/{VOCATIONAL}"))
    queue = text(client.get("/datasets/queue"))  # the county re-uploads once the school fixed its file
    assert queue.count("待重新上传") == 2
    assert "昆都仑区（旗县教育局）退回：签字不全" in queue


# --- the city, county by county -----------------------------------------------------------------


def city_with_two_counties(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    upload(store, registry, TUMD, "土默特左旗")
    store.review("新城区", [XINCHENG], "approve")
    store.review("土默特左旗", [TUMD], "approve")
    auth.login("呼和浩特市")


def test_city_queue_is_grouped_by_county_with_county_buttons(client, auth, store, registry):
    city_with_two_counties(client, auth, store, registry)
    page = text(client.get("/datasets/queue"))
    assert "新城区（1 所）" in page and "土默特左旗（1 所）" in page
    assert page.index('id="county-150102"') < page.index("新城区第一小学") < page.index('id="county-150121"')
    assert 'action="/datasets/county/150102/act"' in page and 'action="/datasets/county/150121/act"' in page
    assert "通过本旗县全部待审核学校" in page and "退回本旗县全部待审核学校" in page


def test_city_approves_one_county_and_returns_another(client, auth, store, registry):
    city_with_two_counties(client, auth, store, registry)
    page = text(county_act(client, "150102", "approve"))
    assert "新城区：全部审核通过" in page and "新城区第一小学（2115000001）：已审核通过，现为“待区审核”。" in page
    assert store.state_of(XINCHENG) == "at_region" and store.state_of(TUMD) == "at_city"
    response = county_act(client, "150121", "return")
    assert response.status_code == 302 and flashes(client) == ["“退回”须填写原因，请在文本框中写明退回原因。"]
    page = text(county_act(client, "150121", "return", "花名册与编制不符"))
    assert "已退回，现为“退回至县”" in page and store.state_of(TUMD) == "returned_to_county"
    response = county_act(client, "150102", "approve")  # nothing of 新城区 waits any more
    assert response.status_code == 302 and flashes(client) == ["新城区现在没有可以“审核通过”的学校。"]


def test_county_actions_outside_the_territory_answer_404(client, auth, store, registry):
    city_with_two_counties(client, auth, store, registry)
    for county in ("150203", "999999", "150100", "150000"):
        assert county_act(client, county, "approve").status_code == 404
    auth.login("信息中心")
    assert county_act(client, "150102", "approve").status_code == 404
    assert store.state_of(XINCHENG) == "at_city"


# --- the whole chain ---------------------------------------------------------------------------


def test_the_whole_k12_chain_with_a_return_from_the_region(client, auth, store, registry):
    upload(store, registry, XINCHENG, "新城区")
    auth.login("新城区")
    act(client, XINCHENG, "approve")
    auth.login("呼和浩特市")
    county_act(client, "150102", "approve")
    auth.login("自治区")
    assert "新城区第一小学" in text(client.get("/datasets/queue"))
    assert act(client, XINCHENG, "return", "第5行学历与学位不符") == ["新城区第一小学（2115000001）：已退回，现为“退回至盟市”。"]

    auth.login("呼和浩特市")
    queue = text(client.get("/datasets/queue"))
    assert "退回至盟市" in queue and "自治区（自治区教育厅）退回：第5行学历与学位不符" in queue
    assert "本旗县退回的学校全部转退至旗县" in queue and '<option value="pass_down">转退至旗县</option>' in queue
    detail = text(client.get(f"/datasets/{XINCHENG}"))
    assert '<button type="submit">转退至旗县</button>' in detail and "转退说明（必填）" in detail
    assert act(client, XINCHENG, "pass_down") == ["“转退至旗县”须填写原因，请在文本框中写明退回原因。"]
    assert act(client, XINCHENG, "pass_down", "请学校核对后重报") == ["新城区第一小学（2115000001）：已转退至旗县，现为“退回至县”。"]

    auth.login("新城区")
    queue = text(client.get("/datasets/queue"))
    assert "退回至县" in queue and "第5行学历与学位不符" in queue and "呼和浩特市（盟市教育局）转退至旗县：请学校核对后重报" in queue
    assert upload(store, registry, XINCHENG, "新城区", seed=1).version == 2
    assert "退回说明" not in text(client.get(f"/datasets/{XINCHENG}"))  # a new upload starts afresh
    act(client, XINCHENG, "approve")
    auth.login("呼和浩特市")
    county_act(client, "150102", "approve")
    auth.login("自治区")
    assert act(client, XINCHENG, "approve") == ["新城区第一小学（2115000001）：已审核通过，现为“已上报教育部”。"]

    page = text(client.get(f"/datasets/{XINCHENG}"))
    assert "已上报教育部" in page and "第 2 版（当前）" in page and "现在没有需要您办理的操作" in page
    history = page[page.index("审核记录"):]
    steps = re.findall(r"<td>([^<]*) → ([^<]*)</td>", history)
    assert steps == [
        ("未上传", "待县审核"), ("待县审核", "待市审核"), ("待市审核", "待区审核"), ("待区审核", "退回至盟市"),
        ("退回至盟市", "退回至县"), ("退回至县", "待县审核"), ("待县审核", "待市审核"), ("待市审核", "待区审核"),
        ("待区审核", "已上报教育部"),
    ]
    assert "自治区教育厅" in history and "第5行学历与学位不符" in history and "请学校核对后重报" in history


def test_the_higher_education_path(client, auth, store, registry):
    upload(store, registry, UNIVERSITY, "信息中心")
    auth.login("信息中心")
    assert "没有符合条件的学校" in text(client.get("/datasets/queue"))
    assert "待区审核" in text(client.get("/datasets/"))
    (line,) = act(client, UNIVERSITY, "approve")
    assert "未能审核通过" in line and store.state_of(UNIVERSITY) == "at_region"
    auth.login("自治区")
    assert act(client, UNIVERSITY, "return", "缺少导师类别") == ["内蒙古大学（4115010126）：已退回，现为“退回至信息中心”。"]
    auth.login("信息中心")
    queue = text(client.get("/datasets/queue"))  # its turn again: to upload the corrected file
    assert "退回至信息中心" in queue and "自治区（自治区教育厅）退回：缺少导师类别" in queue and "待重新上传" in queue
    assert 'name="school_id"' not in queue  # nothing to review, so nothing to tick
    assert "重新上传</a>，审核将重新开始" in text(client.get(f"/datasets/{UNIVERSITY}"))
    assert upload(store, registry, UNIVERSITY, "信息中心", seed=1).version == 2
    auth.login("自治区")
    assert act(client, UNIVERSITY, "approve") == ["内蒙古大学（4115010126）：已审核通过，现为“已上报教育部”。"]
    auth.login("呼和浩特市")
    assert client.get(f"/datasets/{UNIVERSITY}").status_code == 404
    auth.login("内蒙古大学")
    page = text(client.get(f"/datasets/{UNIVERSITY}"))
    assert "已上报教育部" in page and "现在没有需要您办理的操作" in page


def test_a_huge_page_number_is_clamped_not_a_500(client, auth, app, registry):
    from staffrec import new_template
    from staffrec.demo_staff import demo_records

    school = registry.get("2115000001")
    template = new_template(school, demo_records(school, 3), signoff={"entered_by": "甲", "checked_by": "乙"})
    app.extensions["staffrec_store"].ingest([(template.file_name(), template.to_bytes())], "新城区")
    auth.login()
    response = client.get("/datasets/2115000001?page=99999999999999999999")
    assert response.status_code == 200
