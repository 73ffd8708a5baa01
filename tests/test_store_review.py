"""Review actions through the store: every transition stored with its event and audit entry."""

import io

import pytest
from sqlalchemy import select

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.progress import ProgressBar
from staffrec.store import Store
from staffrec.store.schema import audit_log, review_events

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}


@pytest.fixture
def store(tmp_path, registry):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    for name, tier, territory in [
        ("新城区", "county", "150102"), ("呼和浩特市", "city", "150100"), ("自治区", "region", "150000"),
        ("信息中心", "info_centre", "150000"), ("包头市", "city", "150200"),
    ]:
        store.add_user(name, tier, territory)
    return store


def upload(store, registry, school_id, user, seed=0):
    school = registry.get(school_id)
    template = new_template(school, demo_records(school, 2, seed=seed), signoff=SIGNOFF)
    return store.ingest([(template.file_name(), template.to_bytes())], user)[0]


def states(results):
    return [(r.state, r.error) for r in results]


def test_k12_path_up_to_the_ministry_with_every_step_recorded(store, registry):
    assert upload(store, registry, "2115000001", "新城区").accepted
    assert states(store.review("新城区", ["2115000001"], "approve")) == [("at_city", None)]
    assert states(store.review("呼和浩特市", ["2115000001"], "approve")) == [("at_region", None)]
    assert states(store.review("自治区", ["2115000001"], "approve")) == [("reported", None)]
    with store.engine.connect() as conn:
        events = [(e.action, e.from_state, e.to_state) for e in conn.execute(select(review_events).order_by(review_events.c.id))]
        audit = [(a.actor, a.action) for a in conn.execute(select(audit_log).order_by(audit_log.c.id))]
    assert events == [
        ("upload", "not_uploaded", "at_county"), ("approve", "at_county", "at_city"),
        ("approve", "at_city", "at_region"), ("approve", "at_region", "reported"),
    ]
    assert audit == [("新城区", "upload"), ("新城区", "approve"), ("呼和浩特市", "approve"), ("自治区", "approve")]


def test_returns_go_down_step_by_step_and_the_county_uploads_again(store, registry):
    upload(store, registry, "2115000001", "新城区")
    store.review("新城区", ["2115000001"], "approve")
    store.review("呼和浩特市", ["2115000001"], "approve")
    (refused,) = store.review("自治区", ["2115000001"], "return")
    assert not refused.ok and refused.error  # a return needs a reason
    assert states(store.review("自治区", ["2115000001"], "return", reason="出生日期有误")) == [("returned_to_city", None)]
    assert store.review("新城区", ["2115000001"], "approve")[0].error  # not the county's turn yet
    assert states(store.review("呼和浩特市", ["2115000001"], "pass_down", reason="请核对第5行")) == [("returned_to_county", None)]
    again = upload(store, registry, "2115000001", "新城区", seed=4)
    assert (again.accepted, again.version) == (True, 2)
    with store.engine.connect() as conn:
        reasons = [e.reason for e in conn.execute(select(review_events).order_by(review_events.c.id)) if e.reason]
    assert reasons == ["出生日期有误", "请核对第5行"]


def test_bulk_actions_refuse_one_dataset_without_stopping_the_others(store, registry):
    upload(store, registry, "2115000001", "新城区")
    results = store.review("新城区", ["2115000001", "3615000004", "9999999999"], "approve")
    assert [r.ok for r in results] == [True, False, False]
    assert "管辖" in results[1].error or results[1].error


def test_higher_education_path_through_the_info_centre(store, registry):
    assert upload(store, registry, "4115010126", "信息中心").accepted
    assert store.state_of("4115010126") == "at_region"
    assert states(store.review("自治区", ["4115010126"], "return", reason="缺少导师类别")) == [("returned_to_info_centre", None)]
    assert upload(store, registry, "4115010126", "信息中心", seed=2).version == 2
    assert not upload(store, registry, "4115010126", "新城区").accepted


def test_ingest_reports_progress_once_the_total_is_known(store, registry):
    seen = []
    school = registry.get("2115000001")
    template = new_template(school, demo_records(school, 2), signoff=SIGNOFF)
    store.ingest([(template.file_name(), template.to_bytes())] * 2, "新城区", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]


def test_progress_bar_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = ProgressBar(0, "入库", stream=screen)
    for _ in range(25):
        bar(total=25)
    assert screen.getvalue().endswith("25/25\n") and "█" * 30 in screen.getvalue()
    quiet = io.StringIO()
    bar = ProgressBar(25, "入库", stream=quiet)
    for _ in range(25):
        bar()
    assert quiet.getvalue() == ""
