"""Staff statistics of large territories from per-(county, kind) summaries kept in memory while unchanged.

Counting a region's 300,000 records takes seconds; a reviewer's statistics page must answer in a fraction
of one. The records of a county's schools of one kind change only when a new version of one of them is
stored (version ids only grow), so a summary of that unit is reused while its stamp — how many of its
schools have data, and the sum and maximum of their current version ids — stays the same. Birth dates are
kept as sorted integers per sex, so the age bands of any day come from a few binary searches.
"""

import bisect
import datetime
import json
import threading
from array import array
from collections import Counter

import attrs
from sqlalchemy import func, or_, select

from ..review import Tier
from .queries import territory_filter
from .schema import datasets, records, schools
from .statistics import AGE_BANDS, BAND_LABELS, DIMENSIONS, EMPTY, staff_statistics

__all__ = ["StatisticsCache", "UnitSummary"]


def _birth_number(value):
    """20240229 for '2024-02-29'; None when the value is no date (such people are left out of the ages)."""
    try:
        born = datetime.date.fromisoformat(value or "")
    except ValueError:
        return None
    return born.year * 10000 + born.month * 100 + born.day


@attrs.frozen
class UnitSummary:
    """The counts of one county's schools of one kind: every dimension, and sorted birth dates by sex."""

    kind: str
    people: int
    counts: dict  # dimension key → Counter of stored values
    births: dict  # sex as stored → array of birth dates as YYYYMMDD, sorted

    @classmethod
    def of(cls, kind, rows):
        """Summarise the records' JSON texts of one unit."""
        counts = {key: Counter() for key in DIMENSIONS}
        births = {}
        people = 0
        for data in rows:
            values = json.loads(data)
            people += 1
            for key in DIMENSIONS:
                counts[key][values.get(key) or EMPTY] += 1
            born = _birth_number(values.get("birth_date"))
            if born is not None:
                births.setdefault(values.get("sex", ""), []).append(born)
        return cls(kind, people, counts, {sex: array("l", sorted(dates)) for sex, dates in births.items()})

    def ages(self, today):
        """Return Counter{(band label, sex): people} of the ages on `today` (the bands of `age_band`)."""
        # Age >= k on `today` exactly when the birth date, as YYYYMMDD, is <= today's with the year less k.
        cutoff = lambda years: (today.year - years) * 10000 + today.month * 100 + today.day  # noqa: E731
        pyramid = Counter()
        for sex, dates in self.births.items():
            at_least = lambda years: bisect.bisect_right(dates, cutoff(years))  # noqa: E731, B023
            for (low, high), label in zip(AGE_BANDS, BAND_LABELS):
                count = at_least(low) - at_least(high + 1)
                if count:
                    pyramid[(label, sex)] += count
        return pyramid


def _stamps(conn, actor, area):
    """Return {(county, kind): stamp} of the units the actor's territory (narrowed to `area`) holds."""
    query = select(
        schools.c.county, schools.c.kind, func.count(datasets.c.current_version),
        func.coalesce(func.sum(datasets.c.current_version), 0), func.coalesce(func.max(datasets.c.current_version), 0),
    ).select_from(schools.join(datasets, datasets.c.school_id == schools.c.id))
    query = territory_filter(query, actor).group_by(schools.c.county, schools.c.kind)
    if area:
        query = query.where(or_(schools.c.county == str(area), schools.c.city == str(area)))
    return {(county, kind): (count, total, top) for county, kind, count, total, top in conn.execute(query)}


def _summarise(conn, county, kind):
    """Read one unit's current records and summarise them."""
    query = (
        select(records.c.data)
        .join(schools, schools.c.id == records.c.school_id)
        .where(schools.c.county == county, schools.c.kind == kind)
        .execution_options(yield_per=2000)
    )
    return UnitSummary.of(kind, (data for (data,) in conn.execute(query)))


class StatisticsCache:
    """Unit summaries of one store, reused while their stamps hold; safe to share between threads."""

    def __init__(self):
        self._units = {}  # (county, kind) → (stamp, UnitSummary)
        self._lock = threading.Lock()

    def statistics(self, conn, actor, today, area=None):
        """Return what `staff_statistics` returns for the same arguments."""
        if Tier(actor.tier) is Tier.SCHOOL:
            return staff_statistics(conn, actor, today, area)  # one school: counting it directly is cheap
        counts = {name: Counter() for name in ("kind", "age_band", *DIMENSIONS)}
        pyramid = Counter()
        for unit, stamp in sorted(_stamps(conn, actor, area).items()):
            if not stamp[0]:
                continue  # no school of the unit has data yet
            summary = self._summary(conn, unit, stamp)
            if summary.people:
                counts["kind"][summary.kind] += summary.people
            for key in DIMENSIONS:
                counts[key].update(summary.counts[key])
            pyramid.update(summary.ages(today))
        for (band, _sex), people in pyramid.items():
            counts["age_band"][band] += people
        counts["age_pyramid"] = pyramid
        return counts

    def _summary(self, conn, unit, stamp):
        with self._lock:
            kept = self._units.get(unit)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        summary = _summarise(conn, *unit)
        with self._lock:
            self._units[unit] = (stamp, summary)
        return summary
