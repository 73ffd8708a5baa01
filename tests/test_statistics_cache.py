"""Statistics from cached unit summaries: the same counts as counting every record, for every actor and day."""

import datetime
import json
import random

import pytest

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.store import Store, statistics_cache
from staffrec.store.statistics import age_band, staff_statistics
from staffrec.store.statistics_cache import UnitSummary

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
DAYS = (datetime.date(2026, 9, 15), datetime.date(2028, 2, 29), datetime.date(2031, 1, 1))
USERS = (
    ("新城区", "county", "150102"), ("包头市", "city", "150200"), ("呼和浩特市", "city", "150100"),
    ("自治区", "region", "150000"), ("信息中心", "info_centre", "150000"), ("一小", "school", "2115000001"),
)


@pytest.fixture
def store(tmp_path, registry):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    for name, tier, territory in USERS:
        store.add_user(name, tier, territory)
    return store


def upload(store, registry, school_id, user, count, seed=0):
    people = demo_records(registry.get(school_id), count, seed=seed)
    template = new_template(registry.get(school_id), people, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
    assert result.accepted, result.messages
    return people


def counted_directly(store, user, day, area=None):
    with store.engine.connect() as conn:
        return staff_statistics(conn, store.user(user).actor, day, area=area)


def test_the_same_counts_as_counting_every_record(store, registry):
    store.add_user("昆都仑区", "county", "150203")
    store.add_user("海拉尔区", "county", "150702")
    upload(store, registry, "2115000001", "新城区", 12)
    upload(store, registry, "3115000003", "昆都仑区", 9, seed=1)
    upload(store, registry, "3615000004", "昆都仑区", 7, seed=2)
    upload(store, registry, "5115000005", "海拉尔区", 5, seed=3)
    upload(store, registry, "4115010126", "信息中心", 6, seed=4)
    for name, _tier, _territory in USERS:
        for day in DAYS:
            assert store.statistics(name, day) == counted_directly(store, name, day), (name, day)
    for area in ("150203", "150200", "150102", "150105"):
        assert store.statistics("自治区", DAYS[0], area=area) == counted_directly(store, "自治区", DAYS[0], area)
    assert store.statistics("自治区", DAYS[0])["kind"] == {"中小学": 21, "中职": 7, "特教": 5, "高校": 6}
    assert store.statistics("包头市", DAYS[0])["kind"] == {"中小学": 9, "中职": 7}


def test_a_new_version_is_counted_and_an_unchanged_unit_is_not_read_again(store, registry, monkeypatch):
    store.add_user("昆都仑区", "county", "150203")
    upload(store, registry, "2115000001", "新城区", 12)
    upload(store, registry, "3115000003", "昆都仑区", 9, seed=1)
    reads = []
    real = statistics_cache._summarise
    monkeypatch.setattr(statistics_cache, "_summarise", lambda conn, *unit: reads.append(unit) or real(conn, *unit))

    assert store.statistics("自治区", DAYS[0])["kind"] == {"中小学": 21}
    assert sorted(reads) == [("150102", "中小学"), ("150203", "中小学")]
    store.statistics("自治区", DAYS[1])  # another day: the ages move, the summaries stay
    assert len(reads) == 2

    upload(store, registry, "2115000001", "新城区", 4, seed=5)  # replaces the 12 people
    assert store.statistics("自治区", DAYS[0]) == counted_directly(store, "自治区", DAYS[0])
    assert store.statistics("自治区", DAYS[0])["kind"] == {"中小学": 13}
    assert reads[2:] == [("150102", "中小学")]


def _row(birth, sex="1-男", **values):
    return json.dumps(dict(values, birth_date=birth, sex=sex), ensure_ascii=False)


def test_ages_match_age_band_on_every_day_at_the_edges():
    rng = random.Random(7)
    births = ["1966-02-28", "1966-03-01", "1964-02-29", "2001-09-15", "2001-09-16", "1996-09-15", "1966-09-15"]
    births += [datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(60 * 365)) for _ in range(300)]
    births = [str(b) for b in births]
    rows = [_row(b, rng.choice(["1-男", "2-女", ""])) for b in births]
    summary = UnitSummary.of("中小学", rows)
    days = [datetime.date(2026, 9, 15), datetime.date(2026, 2, 28), datetime.date(2028, 2, 29),
            datetime.date(2026, 3, 1), datetime.date(1990, 6, 1)]
    days += [datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365)) for _ in range(50)]
    for day in days:
        expected = {}
        for data in rows:
            values = json.loads(data)
            band = age_band(values["birth_date"], day)
            if band:
                expected[(band, values["sex"])] = expected.get((band, values["sex"]), 0) + 1
        assert summary.ages(day) == expected, day


def test_dates_that_are_no_dates_count_as_people_without_an_age():
    summary = UnitSummary.of("中小学", [_row("1980-13-01"), _row(""), _row(None), _row("1980-01-01", education="21-本科")])
    assert summary.people == 4
    assert sum(summary.ages(DAYS[0]).values()) == 1
    assert summary.counts["education"] == {"21-本科": 1, "（未填）": 3}
