"""Staff statistics over the current data of a territory: counts by kind, sex, age band and more."""

import datetime
import json
from collections import Counter

from sqlalchemy import select

from .queries import territory_filter
from .schema import records, schools

# Dimensions a chart can show: the indicator whose value is counted.
DIMENSIONS = {
    "sex": "性别",
    "ethnicity": "民族",
    "education": "最高学历",
    "professional_title": "专业技术职务",
    "established_post": "是否在编",
}
AGE_BANDS = ((0, 24), (25, 29), (30, 34), (35, 39), (40, 44), (45, 49), (50, 54), (55, 59), (60, 200))


def age_band(birth, today):
    """Return the label of the five-year band an age on `today` falls in, or None."""
    try:
        born = datetime.date.fromisoformat(birth)
    except ValueError:
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}岁以下" if low == 0 else (f"{low}岁以上" if high >= 200 else f"{low}-{high}岁")
    return None


def _persons(conn, actor):
    """Yield (template kind, values dict) of every current record in the actor's territory."""
    local = territory_filter(select(schools.c.id), actor)
    query = (
        select(schools.c.kind, records.c.data)
        .join(schools, schools.c.id == records.c.school_id)
        .where(records.c.school_id.in_(local))
    )
    for kind, data in conn.execute(query):
        yield kind, json.loads(data)


def staff_statistics(conn, actor, today):
    """Return {dimension: Counter} over the territory's current staff, plus kind and the age pyramid."""
    counts = {name: Counter() for name in ("kind", "age_band", *DIMENSIONS)}
    pyramid = Counter()
    for kind, values in _persons(conn, actor):
        counts["kind"][kind] += 1
        for key in DIMENSIONS:
            counts[key][values.get(key) or "（未填）"] += 1
        band = age_band(values.get("birth_date", ""), today)
        if band:
            counts["age_band"][band] += 1
            pyramid[(band, values.get("sex", ""))] += 1
    counts["age_pyramid"] = pyramid
    return counts
