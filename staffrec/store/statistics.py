"""Staff statistics over the current data of a territory: counts by kind, sex, age band and more.

`staff_statistics` counts the stored values; `statistics_tables` turns the counts into the tables the
portal draws and offers as downloads, with the code tables' names (`1-男` is shown as 男) in code order.
"""

import datetime
import json
from collections import Counter

import attrs
from sqlalchemy import or_, select

from ..catalogue import KIND_NAMES
from ..review import Tier
from .queries import territory_filter
from .schema import records, regions, schools

# Dimensions a chart can show: the indicator whose value is counted.
DIMENSIONS = {
    "sex": "性别",
    "ethnicity": "民族",
    "education": "最高学历",
    "professional_title": "专业技术职务",
    "established_post": "是否在编",
}
AGE_BANDS = ((0, 24), (25, 29), (30, 34), (35, 39), (40, 44), (45, 49), (50, 54), (55, 59), (60, 200))
EMPTY = "（未填）"
# The sex codes the two sides of the age pyramid count (sex.csv: 1-男, 2-女).
PYRAMID_SEXES = ("1", "2")


def _band_label(low, high):
    """25岁以下 (0-24), 25-29岁 …, 60岁及以上."""
    return f"{high + 1}岁以下" if low == 0 else (f"{low}岁及以上" if high >= 200 else f"{low}-{high}岁")


BAND_LABELS = tuple(_band_label(low, high) for low, high in AGE_BANDS)


def age_band(birth, today):
    """Return the label of the five-year band an age on `today` falls in, or None."""
    try:
        born = datetime.date.fromisoformat(birth)
    except ValueError:
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    for (low, high), label in zip(AGE_BANDS, BAND_LABELS):
        if low <= age <= high:
            return label
    return None


def _persons(conn, actor, area=None):
    """Yield (template kind, values dict) of every current record in the actor's territory (or one area of it)."""
    local = territory_filter(select(schools.c.id), actor)
    if area:
        local = local.where(or_(schools.c.county == str(area), schools.c.city == str(area)))
    query = (
        select(schools.c.kind, records.c.data)
        .join(schools, schools.c.id == records.c.school_id)
        .where(records.c.school_id.in_(local))
        .execution_options(yield_per=2000)  # a region holds many people: stream them, do not load them all at once
    )
    for kind, data in conn.execute(query):
        yield kind, json.loads(data)


def staff_statistics(conn, actor, today, area=None):
    """Return {dimension: Counter} over the territory's current staff, plus kind and the age pyramid.

    `area` (a county or city code) narrows the territory to one of its counties or cities.
    """
    counts = {name: Counter() for name in ("kind", "age_band", *DIMENSIONS)}
    pyramid = Counter()
    for kind, values in _persons(conn, actor, area):
        counts["kind"][kind] += 1
        for key in DIMENSIONS:
            counts[key][values.get(key) or EMPTY] += 1
        band = age_band(values.get("birth_date", ""), today)
        if band:
            counts["age_band"][band] += 1
            pyramid[(band, values.get("sex", ""))] += 1
    counts["age_pyramid"] = pyramid
    return counts


def statistics_areas(conn, actor):
    """Return (code, name, level) of the cities and counties the actor may narrow its statistics to.

    The region: every city and county; the info centre: every city (高校 are few); a city: its
    counties; a county or a school: none (its territory is the only one).
    """
    tier = Tier(actor.tier)
    query = select(regions.c.code, regions.c.name, regions.c.level).order_by(regions.c.code)
    if tier is Tier.REGION:
        query = query.where(regions.c.level.in_(("city", "county")), regions.c.code.startswith(actor.territory[:2]))
    elif tier is Tier.INFO_CENTRE:
        query = query.where(regions.c.level == "city", regions.c.code.startswith(actor.territory[:2]))
    elif tier is Tier.CITY:
        query = query.where(regions.c.level == "county", regions.c.parent == actor.territory)
    else:
        return []
    return [(row.code, row.name, row.level) for row in conn.execute(query)]


@attrs.frozen
class StatTable:
    """One chart's numbers: a label column and one (bars) or two (pyramid) count columns, in chart order."""

    key: str
    title: str
    label_header: str
    columns: tuple
    rows: tuple
    note: str = ""

    @property
    def is_pyramid(self):
        """Tell whether the table is drawn as a two-sided pyramid (two count columns)."""
        return len(self.columns) == 2

    @property
    def totals(self):
        """The sum of each count column."""
        return tuple(sum(row[i + 1] for row in self.rows) for i in range(len(self.columns)))

    def share(self, count):
        """The share of `count` in the table's total, as text with one decimal (— for an empty table)."""
        total = sum(self.totals)
        return f"{count / total * 100:.1f}%" if total else "—"

    def to_rows(self):
        """Return a header and the rows with a share (bars) or a total (pyramid) column, then a 合计 row."""
        if self.is_pyramid:
            table = [(self.label_header, *self.columns, "合计")]
            table += [(label, *counts, sum(counts)) for label, *counts in self.rows]
            return table + [("合计", *self.totals, sum(self.totals))]
        table = [(self.label_header, *self.columns, "占比")]
        table += [(label, count, self.share(count)) for label, count in self.rows]
        return table + [("合计", *self.totals, self.share(sum(self.totals)) if self.rows else "—")]


# key, title, label column, the counted dimension (in staff_statistics) and its indicator key
TABLES = (
    ("kind", "模板类别", "模板类别", "kind"),
    ("sex", "性别", "性别", "sex"),
    ("ethnicity", "民族", "民族", "ethnicity"),
    ("age", "年龄结构（按性别）", "年龄段", "age_pyramid"),
    ("education", "最高学历", "最高学历", "education"),
    ("professional_title", "专业技术职务", "专业技术职务", "professional_title"),
    ("established_post", "是否在编", "是否在编", "established_post"),
)
TABLE_KEYS = tuple(t[0] for t in TABLES)


def _code_table(catalogue, key):
    """The code table of the indicator `key` (every kind uses the same one), or None."""
    for kind in catalogue.kinds.values():
        indicator = kind.indicator(key)
        if indicator is not None and indicator.table:
            return catalogue.table(indicator.table)
    return None


def _coded(counter, table):
    """Return (label, count) rows: values merged per code and shown by name, in code order; unknown values
    after them as stored, empty ones last."""
    by_code, unknown, empty = Counter(), Counter(), 0
    for value, count in counter.items():
        row = None if value == EMPTY else (table.by_label(value) or table.lookup(value))
        if row is not None:
            by_code[row.code] += count
        elif value == EMPTY:
            empty += count
        else:
            unknown[value] += count
    rows = [(r.name, by_code[r.code]) for r in table if by_code[r.code]]
    rows += sorted(unknown.items())
    return rows + ([(EMPTY, empty)] if empty else [])


def _pyramid(counts, pyramid, sex_table):
    """Return ((band, male, female) rows oldest first, a note about the people the pyramid leaves out)."""
    sides = Counter()
    for (band, sex), count in pyramid.items():
        row = (sex_table.by_label(sex) or sex_table.lookup(sex)) if sex else None
        code = row.code if row is not None else None
        sides[(band, code if code in PYRAMID_SEXES else None)] += count
    rows = tuple((band, *(sides[(band, code)] for code in PYRAMID_SEXES)) for band in reversed(BAND_LABELS))
    notes = []
    other = sum(count for (_, code), count in sides.items() if code is None)
    if other:
        notes.append(f"另有 {other} 人性别未填、未知或未说明，未计入年龄金字塔。")
    undated = sum(counts["kind"].values()) - sum(counts["age_band"].values())
    if undated:
        notes.append(f"另有 {undated} 人出生日期无法识别或年龄不在统计范围内，未计入。")
    return rows, "".join(notes)


def statistics_tables(counts, catalogue):
    """Return the StatTable of each chart (TABLES order) from `staff_statistics` counts."""
    tables = []
    sex_table = catalogue.table("sex")
    for key, title, label_header, dimension in TABLES:
        if key == "kind":
            order = {name: i for i, name in enumerate(KIND_NAMES)}
            rows = sorted(counts["kind"].items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
            tables.append(StatTable(key, title, label_header, ("人数",), tuple(rows)))
        elif key == "age":
            rows, note = _pyramid(counts, counts["age_pyramid"], sex_table)
            names = tuple(sex_table.get(code).name for code in PYRAMID_SEXES)
            tables.append(StatTable(key, title, label_header, names, rows, note))
        else:
            table = _code_table(catalogue, dimension)
            rows = _coded(counts[dimension], table) if table is not None else sorted(counts[dimension].items())
            tables.append(StatTable(key, title, label_header, ("人数",), tuple(rows)))
    return tables
