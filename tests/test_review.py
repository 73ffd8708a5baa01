"""The review state machine of domain.md §1, transition by transition, forbidden ones included."""

import itertools
import re

import pytest

from staffrec.errors import StaffrecError
from staffrec.review import (
    ACTION_LABELS, STATE_LABELS, TIER_LABELS, Action, Actor, DatasetView, ReviewError, State, Tier,
    allowed_actions, apply, apply_many, can_see, check, holder,
)

PROVINCE, CITY, COUNTY = "150000", "150100", "150102"
OTHER_CITY, OTHER_COUNTY, SAME_CITY_COUNTY = "150200", "150203", "150105"
K12_SCHOOL, HE_SCHOOL = "2115000001", "4115010126"

# Every move the machine allows, written out: (path, tier, from state) -> {action: to state}.
# Any (path, tier, state, action) not listed here must be refused.
EXPECTED = {
    ("k12", "county", "not_uploaded"): {"upload": "at_county"},
    ("k12", "county", "at_county"): {"upload": "at_county", "approve": "at_city", "return": "returned_to_school"},
    ("k12", "county", "returned_to_school"): {"upload": "at_county"},
    ("k12", "county", "returned_to_county"): {"upload": "at_county", "return": "returned_to_school"},
    ("k12", "city", "at_city"): {"approve": "at_region", "return": "returned_to_county"},
    ("k12", "city", "returned_to_city"): {"pass_down": "returned_to_county"},
    ("k12", "region", "at_region"): {"approve": "reported", "return": "returned_to_city"},
    ("k12", "region", "reported"): {"export": "reported"},
    ("higher_ed", "info_centre", "not_uploaded"): {"upload": "at_region"},
    ("higher_ed", "info_centre", "returned_to_info_centre"): {"upload": "at_region"},
    ("higher_ed", "region", "at_region"): {"approve": "reported", "return": "returned_to_info_centre"},
    ("higher_ed", "region", "reported"): {"export": "reported"},
}
# Which tiers see a dataset of each path at all (in their own territory); the rest get 404.
VISIBLE = {
    "k12": {"school", "county", "city", "region"},
    "higher_ed": {"school", "region", "info_centre"},
}
HOME = {"school": None, "county": COUNTY, "city": CITY, "region": PROVINCE, "info_centre": PROVINCE}


def dataset(state, path="k12"):
    if path == "higher_ed":
        return DatasetView(HE_SCHOOL, state, county=SAME_CITY_COUNTY, city=CITY, is_higher_ed=True)
    return DatasetView(K12_SCHOOL, state, county=COUNTY, city=CITY)


def actor(tier, school=K12_SCHOOL):
    return Actor(tier, HOME[tier] or school, user=f"{tier}-user")


def home_actor(tier, path):
    return actor(tier, HE_SCHOOL if path == "higher_ed" else K12_SCHOOL)


ALL_CASES = list(itertools.product(("k12", "higher_ed"), [t.value for t in Tier], [s.value for s in State]))


@pytest.mark.parametrize("path, tier, state", ALL_CASES)
def test_allowed_actions_table(path, tier, state):
    who, data = home_actor(tier, path), dataset(state, path)
    expected = EXPECTED.get((path, tier, state), {})
    assert [a.value for a in allowed_actions(who, data)] == [a.value for a in Action if a.value in expected]
    assert can_see(who, data) is (tier in VISIBLE[path])


@pytest.mark.parametrize("path, tier, state", ALL_CASES)
def test_every_action_in_every_state(path, tier, state):
    who, data = home_actor(tier, path), dataset(state, path)
    expected = EXPECTED.get((path, tier, state), {})
    tier_ever_does = {a for (p, t, _), moves in EXPECTED.items() if (p, t) == (path, tier) for a in moves}
    for action in Action:
        if action.value in expected:
            moved = apply(who, data, action, reason="材料不全")
            assert moved.state is State(expected[action.value])
            assert moved.event.from_state is State(state) and moved.event.to_state is moved.state
            assert moved.event.actor == who and moved.event.action is action
            assert moved.event.school_id == data.school_id
            continue
        with pytest.raises(ReviewError) as refused:
            apply(who, data, action, reason="材料不全")
        if tier not in VISIBLE[path]:
            assert refused.value.reason == "not_found"
        elif action.value in tier_ever_does:
            assert refused.value.reason == "wrong_state"
            assert STATE_LABELS[State(state)] in str(refused.value)
        else:
            assert refused.value.reason == "wrong_tier"
        assert re.search(r"[\u4e00-\u9fff]", str(refused.value))


def test_k12_path_to_the_ministry():
    data = dataset("not_uploaded")
    steps = [("county", "upload", "at_county"), ("county", "approve", "at_city"),
             ("city", "approve", "at_region"), ("region", "approve", "reported"),
             ("region", "export", "reported")]
    for tier, action, to in steps:
        data = apply(actor(tier), data, action).dataset
        assert data.state is State(to)


def test_returns_go_down_step_by_step_and_review_starts_again_at_the_county():
    data = dataset("at_region")
    moved = apply(actor("region"), data, "return", reason="专任教师学历与岗位不符")
    assert moved.state is State.RETURNED_TO_CITY and moved.event.reason == "专任教师学历与岗位不符"
    assert allowed_actions(actor("county"), moved.dataset) == ()
    assert allowed_actions(actor("city"), moved.dataset) == (Action.PASS_DOWN,)
    passed = apply(actor("city"), moved.dataset, Action.PASS_DOWN, reason="请核对第12行学历")
    assert passed.state is State.RETURNED_TO_COUNTY and passed.event.reason == "请核对第12行学历"
    assert allowed_actions(actor("county"), passed.dataset) == (Action.UPLOAD, Action.RETURN)
    to_school = apply(actor("county"), passed.dataset, "return", reason="学校修改后重报")
    assert to_school.state is State.RETURNED_TO_SCHOOL
    again = apply(actor("county"), to_school.dataset, "upload")
    assert again.state is State.AT_COUNTY and again.replaces
    assert allowed_actions(actor("city"), again.dataset) == ()


def test_the_county_may_replace_while_it_holds_the_data():
    for state in ("not_uploaded", "at_county", "returned_to_county", "returned_to_school"):
        moved = apply(actor("county"), dataset(state), "upload")
        assert moved.state is State.AT_COUNTY
        assert moved.replaces is (state != "not_uploaded")


@pytest.mark.parametrize("state", ["at_city", "at_region", "reported", "returned_to_city"])
def test_approved_data_is_locked_below(state):
    with pytest.raises(ReviewError) as refused:
        apply(actor("county"), dataset(state), "upload")
    assert refused.value.reason == "wrong_state" and "已锁定" in str(refused.value)


@pytest.mark.parametrize("tier, state", [("city", "at_county"), ("city", "not_uploaded"),
                                         ("region", "at_city"), ("region", "at_county"),
                                         ("region", "returned_to_county")])
def test_a_higher_tier_acts_only_after_the_tier_below_approved(tier, state):
    for action in ("approve", "return"):
        with pytest.raises(ReviewError) as refused:
            apply(actor(tier), dataset(state), action, reason="x")
        assert refused.value.reason == "wrong_state" and "下级审核通过" in str(refused.value)


def test_a_refusal_names_what_is_possible_instead():
    with pytest.raises(ReviewError) as refused:
        apply(actor("city"), dataset("returned_to_city"), "return", reason="x")
    assert "转退至旗县" in str(refused.value)


def test_higher_education_path():
    data = DatasetView(HE_SCHOOL, "not_uploaded", is_higher_ed=True)
    assert data.province == PROVINCE  # taken from the 学校标识码 when no county is given
    centre, region = actor("info_centre"), actor("region")
    data = apply(centre, data, "upload").dataset
    assert data.state is State.AT_REGION and holder(data) is Tier.REGION
    assert allowed_actions(centre, data) == ()
    returned = apply(region, data, "return", reason="职称代码有误").dataset
    assert returned.state is State.RETURNED_TO_INFO_CENTRE and holder(returned) is Tier.INFO_CENTRE
    assert allowed_actions(region, returned) == ()
    again = apply(centre, returned, "upload")
    assert again.state is State.AT_REGION and again.replaces
    assert apply(region, again.dataset, "approve").state is State.REPORTED


def test_higher_education_is_not_the_county_s_or_city_s():
    data = dataset("at_region", "higher_ed")
    for tier in ("county", "city"):
        territory = data.county if tier == "county" else data.city
        assert not can_see(Actor(tier, territory), data)
        with pytest.raises(ReviewError) as refused:
            apply(Actor(tier, territory), data, "approve")
        assert refused.value.reason == "not_found"
    with pytest.raises(ReviewError) as refused:
        apply(actor("info_centre"), dataset("not_uploaded"), "upload")
    assert refused.value.reason == "not_found"  # K-12 schools are outside the info centre's territory


@pytest.mark.parametrize("who, state", [
    (Actor("county", OTHER_COUNTY), "at_county"),
    (Actor("county", SAME_CITY_COUNTY), "at_county"),
    (Actor("county", CITY), "at_county"),  # a city code is no county's territory
    (Actor("city", OTHER_CITY), "at_city"),
    (Actor("city", COUNTY), "at_city"),
    (Actor("region", "220000"), "at_region"),
    (Actor("school", "2115000009"), "at_county"),
])
def test_outside_the_territory_nothing_exists(who, state):
    data = dataset(state)
    assert not can_see(who, data)
    assert allowed_actions(who, data) == ()
    for action in Action:
        with pytest.raises(ReviewError) as refused:
            apply(who, data, action, reason="x")
        assert refused.value.reason == "not_found"


def test_a_school_sees_its_own_data_and_acts_on_nothing():
    own = Actor("school", K12_SCHOOL)
    for state in State:
        assert can_see(own, dataset(state))
        assert allowed_actions(own, dataset(state)) == ()


@pytest.mark.parametrize("tier, state, action", [
    ("county", "at_county", "return"), ("county", "returned_to_county", "return"),
    ("city", "at_city", "return"), ("city", "returned_to_city", "pass_down"),
    ("region", "at_region", "return"),
])
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_every_return_carries_a_reason(tier, state, action, reason):
    with pytest.raises(ReviewError) as refused:
        apply(actor(tier), dataset(state), action, reason=reason)
    assert refused.value.reason == "reason_required" and "原因" in str(refused.value)


def test_reasons_are_trimmed_and_bounded():
    moved = apply(actor("county"), dataset("at_county"), "return", reason="  缺少签字  ")
    assert moved.event.reason == "缺少签字"
    assert apply(actor("county"), dataset("at_county"), "approve", reason=" ").event.reason is None
    assert check(actor("county"), dataset("at_county"), "approve", "同意") == "同意"
    with pytest.raises(ReviewError) as refused:
        apply(actor("county"), dataset("at_county"), "return", reason="长" * 501)
    assert refused.value.reason == "reason_too_long"


def test_refusals_come_in_a_fixed_order():
    # Territory first (404 hides the state), then tier and state, the reason last.
    with pytest.raises(ReviewError, match="管辖范围") as refused:
        apply(Actor("county", OTHER_COUNTY), dataset("reported"), "return")
    assert refused.value.reason == "not_found"
    with pytest.raises(ReviewError) as refused:
        apply(actor("county"), dataset("at_city"), "return")
    assert refused.value.reason == "wrong_state"
    with pytest.raises(ReviewError) as refused:
        apply(actor("county"), dataset("at_county"), "export")
    assert refused.value.reason == "wrong_tier"
    with pytest.raises(ReviewError) as refused:
        apply(actor("county"), dataset("at_county"), "delete")
    assert refused.value.reason == "unknown_action"


def test_bulk_actions_report_each_dataset_and_never_stop():
    datasets = [
        DatasetView("2115000001", "at_city", county=COUNTY, city=CITY),
        DatasetView("2115000002", "at_county", county=COUNTY, city=CITY),  # not yet approved below
        DatasetView("2115000003", "at_city", county=OTHER_COUNTY, city=OTHER_CITY),  # another city's
        DatasetView("2115000004", "at_city", county=SAME_CITY_COUNTY, city=CITY),
    ]
    results = apply_many(actor("city"), datasets, "approve")
    assert [r.dataset.school_id for r in results] == ["2115000001", "2115000002", "2115000003", "2115000004"]
    assert [r.ok for r in results] == [True, False, False, True]
    assert [r.error.reason for r in results if not r.ok] == ["wrong_state", "not_found"]
    assert {r.transition.state for r in results if r.ok} == {State.AT_REGION}


def test_bulk_pass_down_needs_one_reason_for_all():
    datasets = [dataset("returned_to_city"), DatasetView("3415000002", "returned_to_city", "150121", CITY)]
    refused = apply_many(actor("city"), datasets, "pass_down")
    assert [r.error.reason for r in refused] == ["reason_required"] * 2
    passed = apply_many(actor("city"), datasets, "pass_down", reason="按自治区意见修改")
    assert all(r.ok and r.transition.event.reason == "按自治区意见修改" for r in passed)


def test_labels_live_in_one_table_each():
    assert set(STATE_LABELS) == set(State) and len(set(STATE_LABELS.values())) == len(State)
    assert set(TIER_LABELS) == set(Tier) and set(ACTION_LABELS) == set(Action)
    assert [s.label for s in State] == ["未上传", "待县审核", "待市审核", "待区审核", "已上报教育部",
                                        "退回至学校", "退回至县", "退回至盟市", "退回至信息中心"]
    for state in State:
        assert State.from_label(state.label) is state and State(state.value) is state
    with pytest.raises(ValueError):
        State.from_label("已删除")


def test_values_take_stored_text():
    data = DatasetView(2115000001, "at_county", county=COUNTY, city=CITY)
    assert data.school_id == K12_SCHOOL and data.state is State.AT_COUNTY and data.province == PROVINCE
    who = Actor("county", COUNTY, user="zhang")
    assert who.tier is Tier.COUNTY and who.label == "旗县教育局"
    event = apply(who, data, "approve").event
    assert event.actor.user == "zhang" and event.action is Action.APPROVE
    assert event.to_state == "at_city"  # str enums compare equal to their stored ids


def test_review_error_is_a_library_value_error():
    with pytest.raises(ReviewError) as refused:
        apply(actor("city"), dataset("at_county"), "approve")
    assert isinstance(refused.value, StaffrecError) and isinstance(refused.value, ValueError)


def test_holder_tells_whose_turn_it_is():
    assert [holder(dataset(s)).value for s in State] == [
        "county", "county", "city", "region", "region", "county", "county", "city", "info_centre"]
    assert holder(dataset("not_uploaded", "higher_ed")) is Tier.INFO_CENTRE
