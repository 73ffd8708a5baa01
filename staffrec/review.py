"""The review state machine of one school's dataset (domain.md §1), as pure functions over values."""

import enum

import attrs

from .errors import StaffrecError

__all__ = [
    "ACTION_LABELS", "RULES", "STATE_LABELS", "TIER_LABELS", "Action", "Actor", "BulkResult",
    "DatasetView", "ReviewError", "ReviewEvent", "State", "Tier", "Transition", "allowed_actions",
    "apply", "apply_many", "can_see", "check", "holder", "HIGHER_ED", "K12", "REASON_MAX",
]

REASON_MAX = 500  # characters; a return note is a sentence or two, not a report


class State(str, enum.Enum):
    """Where one school's data stands; the value is the stable id stored, `.label` the Chinese name."""

    NOT_UPLOADED = "not_uploaded"
    AT_COUNTY = "at_county"
    AT_CITY = "at_city"
    AT_REGION = "at_region"
    REPORTED = "reported"
    RETURNED_TO_SCHOOL = "returned_to_school"
    RETURNED_TO_COUNTY = "returned_to_county"
    RETURNED_TO_CITY = "returned_to_city"
    RETURNED_TO_INFO_CENTRE = "returned_to_info_centre"

    @property
    def label(self):
        """The Chinese name users see."""
        return STATE_LABELS[self]

    @classmethod
    def from_label(cls, label):
        """Return the state with this Chinese name; raise ValueError when none has it."""
        for state, text in STATE_LABELS.items():
            if text == label:
                return state
        raise ValueError(f"没有名为“{label}”的审核状态。")


# The state names are a project decision [domain.md §1]: change them here and nowhere else.
STATE_LABELS = {
    State.NOT_UPLOADED: "未上传",
    State.AT_COUNTY: "待县审核",
    State.AT_CITY: "待市审核",
    State.AT_REGION: "待区审核",
    State.REPORTED: "已上报教育部",
    State.RETURNED_TO_SCHOOL: "退回至学校",
    State.RETURNED_TO_COUNTY: "退回至县",
    State.RETURNED_TO_CITY: "退回至盟市",
    State.RETURNED_TO_INFO_CENTRE: "退回至信息中心",
}


class Tier(str, enum.Enum):
    """Who an account acts as; `.label` is the Chinese name of the office."""

    SCHOOL = "school"
    COUNTY = "county"
    CITY = "city"
    REGION = "region"
    INFO_CENTRE = "info_centre"  # the region's uploader of 高校 files

    @property
    def label(self):
        """The Chinese name users see."""
        return TIER_LABELS[self]


TIER_LABELS = {
    Tier.SCHOOL: "学校",
    Tier.COUNTY: "旗县教育局",
    Tier.CITY: "盟市教育局",
    Tier.REGION: "自治区教育厅",
    Tier.INFO_CENTRE: "自治区教育网络信息中心",
}


class Action(str, enum.Enum):
    """What an actor may do to a dataset; `.label` is the Chinese button text."""

    UPLOAD = "upload"  # also a replacing re-upload: the dataset is replaced as a whole
    APPROVE = "approve"
    RETURN = "return"
    PASS_DOWN = "pass_down"  # a city passing the region's return on to the county
    EXPORT = "export"  # the region's export of reported data to the Ministry

    @property
    def label(self):
        """The Chinese name users see."""
        return ACTION_LABELS[self]

    @property
    def needs_reason(self):
        """Tell whether the action must carry a reason (every return does)."""
        return self in (Action.RETURN, Action.PASS_DOWN)


ACTION_LABELS = {
    Action.UPLOAD: "上传",
    Action.APPROVE: "审核通过",
    Action.RETURN: "退回",
    Action.PASS_DOWN: "转退至旗县",
    Action.EXPORT: "导出上报教育部",
}

K12, HIGHER_ED = "k12", "higher_ed"

# (path, tier, from, action) -> to. Anything not listed is forbidden; this table is the machine.
_S, _T, _A = State, Tier, Action
RULES = {
    (K12, _T.COUNTY, _S.NOT_UPLOADED, _A.UPLOAD): _S.AT_COUNTY,
    (K12, _T.COUNTY, _S.AT_COUNTY, _A.UPLOAD): _S.AT_COUNTY,
    (K12, _T.COUNTY, _S.RETURNED_TO_SCHOOL, _A.UPLOAD): _S.AT_COUNTY,
    (K12, _T.COUNTY, _S.RETURNED_TO_COUNTY, _A.UPLOAD): _S.AT_COUNTY,
    (K12, _T.COUNTY, _S.AT_COUNTY, _A.APPROVE): _S.AT_CITY,
    (K12, _T.COUNTY, _S.AT_COUNTY, _A.RETURN): _S.RETURNED_TO_SCHOOL,
    (K12, _T.COUNTY, _S.RETURNED_TO_COUNTY, _A.RETURN): _S.RETURNED_TO_SCHOOL,
    (K12, _T.CITY, _S.AT_CITY, _A.APPROVE): _S.AT_REGION,
    (K12, _T.CITY, _S.AT_CITY, _A.RETURN): _S.RETURNED_TO_COUNTY,
    (K12, _T.CITY, _S.RETURNED_TO_CITY, _A.PASS_DOWN): _S.RETURNED_TO_COUNTY,
    (K12, _T.REGION, _S.AT_REGION, _A.APPROVE): _S.REPORTED,
    (K12, _T.REGION, _S.AT_REGION, _A.RETURN): _S.RETURNED_TO_CITY,
    (K12, _T.REGION, _S.REPORTED, _A.EXPORT): _S.REPORTED,
    (HIGHER_ED, _T.INFO_CENTRE, _S.NOT_UPLOADED, _A.UPLOAD): _S.AT_REGION,
    (HIGHER_ED, _T.INFO_CENTRE, _S.RETURNED_TO_INFO_CENTRE, _A.UPLOAD): _S.AT_REGION,
    (HIGHER_ED, _T.REGION, _S.AT_REGION, _A.APPROVE): _S.REPORTED,
    (HIGHER_ED, _T.REGION, _S.AT_REGION, _A.RETURN): _S.RETURNED_TO_INFO_CENTRE,
    (HIGHER_ED, _T.REGION, _S.REPORTED, _A.EXPORT): _S.REPORTED,
}
del _S, _T, _A


def _province_of(dataset):
    # GB/T 2260 codes and 学校标识码 both carry the province in two digits.
    return (dataset.county[:2] if dataset.county else str(dataset.school_id)[2:4]) + "0000"


@attrs.frozen
class DatasetView:
    """What the machine needs of one school's dataset: its state, school, county, city and path."""

    school_id: str = attrs.field(converter=str)
    state: State = attrs.field(converter=State)
    county: str = ""
    city: str = ""
    is_higher_ed: bool = False
    province: str = attrs.field(default=attrs.Factory(_province_of, takes_self=True))

    @property
    def path(self):
        """The review path: "higher_ed" for 高校, "k12" for every other school."""
        return HIGHER_ED if self.is_higher_ed else K12


@attrs.frozen
class Actor:
    """An account acting as a tier over a territory (county, city or province code; a school id)."""

    tier: Tier = attrs.field(converter=Tier)
    territory: str = attrs.field(converter=str)
    user: str | None = None  # carried into events for the caller's audit; the machine ignores it

    @property
    def label(self):
        """The Chinese name of the office acting."""
        return self.tier.label


@attrs.frozen
class ReviewEvent:
    """One step taken: who did what to which school's data, from which state to which, and why."""

    school_id: str
    actor: Actor
    action: Action
    from_state: State
    to_state: State
    reason: str | None = None


@attrs.frozen
class Transition:
    """The dataset after an action, with the event that records it."""

    dataset: DatasetView
    event: ReviewEvent

    @property
    def state(self):
        """The new state."""
        return self.dataset.state

    @property
    def replaces(self):
        """Tell whether this is an upload replacing data that was already there."""
        return self.event.action is Action.UPLOAD and self.event.from_state is not State.NOT_UPLOADED


class ReviewError(StaffrecError, ValueError):
    """A forbidden move; `reason` is stable ("not_found" means answer 404), str() a Chinese message."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


@attrs.frozen
class BulkResult:
    """The outcome of a bulk action on one dataset: a transition or the error that refused it."""

    dataset: DatasetView
    transition: Transition | None = None
    error: ReviewError | None = attrs.field(default=None, eq=False)

    @property
    def ok(self):
        """Tell whether the action was taken on this dataset."""
        return self.transition is not None


def can_see(actor, dataset):
    """Tell whether the dataset is in the actor's territory; outside it the dataset does not exist."""
    tier, where = actor.tier, actor.territory
    if tier is Tier.SCHOOL:
        return where == dataset.school_id
    if tier is Tier.COUNTY:
        return not dataset.is_higher_ed and where == dataset.county
    if tier is Tier.CITY:
        return not dataset.is_higher_ed and where == dataset.city
    if tier is Tier.INFO_CENTRE:
        return dataset.is_higher_ed and where == dataset.province
    return where == dataset.province


def allowed_actions(actor, dataset):
    """Return the actions the actor may take on the dataset now, in Action order."""
    if not can_see(actor, dataset):
        return ()
    return tuple(a for a in Action if (dataset.path, actor.tier, dataset.state, a) in RULES)


def check(actor, dataset, action, reason=None):
    """Return the cleaned reason when the move is allowed; raise ReviewError saying why it is not."""
    action = _action(action)
    if not can_see(actor, dataset):
        raise ReviewError("not_found", "没有找到该学校的数据，或该学校不在您的管辖范围内。")
    if (dataset.path, actor.tier, dataset.state, action) not in RULES:
        raise _refusal(actor, dataset, action)
    reason = (reason or "").strip() or None
    if action.needs_reason and reason is None:
        raise ReviewError("reason_required", f"“{action.label}”须填写退回原因。")
    if reason is not None and len(reason) > REASON_MAX:
        raise ReviewError("reason_too_long", f"原因或意见不能超过 {REASON_MAX} 个字，现有 {len(reason)} 个字。")
    return reason


def apply(actor, dataset, action, reason=None):
    """Take an action on a dataset; return the Transition or raise ReviewError with a Chinese message."""
    action = _action(action)
    reason = check(actor, dataset, action, reason)
    to_state = RULES[(dataset.path, actor.tier, dataset.state, action)]
    event = ReviewEvent(dataset.school_id, actor, action, dataset.state, to_state, reason)
    return Transition(attrs.evolve(dataset, state=to_state), event)


def apply_many(actor, datasets, action, reason=None):
    """Take one action on many datasets; each gets its own BulkResult and a refusal stops nothing."""
    results = []
    for dataset in datasets:
        try:
            results.append(BulkResult(dataset, transition=apply(actor, dataset, action, reason)))
        except ReviewError as exc:
            results.append(BulkResult(dataset, error=exc))
    return tuple(results)


def _action(value):
    try:
        return Action(value)
    except ValueError:
        raise ReviewError("unknown_action", f"没有“{value}”这项审核操作。") from None


def holder(dataset):
    """Return the tier whose turn it is with the dataset (for 已上报教育部, the region that reported it)."""
    if dataset.path == HIGHER_ED and dataset.state in (State.NOT_UPLOADED, State.RETURNED_TO_INFO_CENTRE):
        return Tier.INFO_CENTRE
    return _HOLDERS[dataset.state]


_HOLDERS = {
    State.NOT_UPLOADED: Tier.COUNTY, State.AT_COUNTY: Tier.COUNTY, State.RETURNED_TO_SCHOOL: Tier.COUNTY,
    State.RETURNED_TO_COUNTY: Tier.COUNTY, State.AT_CITY: Tier.CITY, State.RETURNED_TO_CITY: Tier.CITY,
    State.AT_REGION: Tier.REGION, State.REPORTED: Tier.REGION, State.RETURNED_TO_INFO_CENTRE: Tier.INFO_CENTRE,
}
# The info centre sits below the region on the 高校 path, level with a county.
_RANK = {Tier.SCHOOL: 0, Tier.COUNTY: 1, Tier.INFO_CENTRE: 1, Tier.CITY: 2, Tier.REGION: 3}


def _refusal(actor, dataset, action):
    """Explain why an actor who sees the dataset may not take this action in its state."""
    tier, path, state = actor.tier, dataset.path, dataset.state
    if not any(p == path and t is tier and a is action for p, t, _, a in RULES):
        owner = "高校数据" if path == HIGHER_ED else "该校数据"
        return ReviewError("wrong_tier", f"{owner}的“{action.label}”不由{tier.label}办理。")
    message = f"该校数据当前状态为“{state.label}”，{tier.label}现在不能执行“{action.label}”"
    rank, held = _RANK[tier], _RANK[holder(dataset)]
    if action is Action.UPLOAD and held > rank:
        where = "退回至信息中心" if path == HIGHER_ED else "逐级退回至旗县"
        message += f"：数据已报送上级审核，已锁定，{where}后才能重新上传。"
    elif action in (Action.APPROVE, Action.RETURN) and held < rank:
        message += "：须待下级审核通过后才能审核。"
    elif action in (Action.APPROVE, Action.RETURN) and held > rank:
        message += "：数据已报送上级，已锁定。"
    else:
        others = "、".join(f"“{a.label}”" for a in allowed_actions(actor, dataset))
        message += f"，现在可以{others}。" if others else "。"
    return ReviewError("wrong_state", message)
