"""Reports over the user's territory: how far the schools have come (completeness) and staff statistics.

Both pages are read-only and show only the user's territory; each table can be downloaded as CSV
(UTF-8 with BOM so Excel opens it; text a spreadsheet would run as a formula is escaped).
"""

import csv
import datetime
import io

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from staffrec.annotate import escape_formula
from staffrec.review import Tier
from staffrec.store.audit import CHINA
from staffrec.store.completeness import WAITING, completeness_rows, completeness_total, missing_rows
from staffrec.store.statistics import TABLE_KEYS, statistics_areas, statistics_tables

from .access import actor, get_store
from .charts import bar_chart, pyramid_chart
from .downloads import attachment

bp = Blueprint("reports", __name__, url_prefix="/reports")

CSV_MIMETYPE = "text/csv; charset=utf-8"
# How each tier may group its completeness table; the first is the default.
GROUPINGS = {
    Tier.COUNTY: ("county",),
    Tier.CITY: ("county",),
    Tier.REGION: ("city", "county"),
    Tier.INFO_CENTRE: ("kind", "city"),
    Tier.SCHOOL: ("county",),
}
BY_LABELS = {"county": "按旗县", "city": "按盟市", "kind": "按类别"}
GROUP_HEADERS = {"county": "旗县", "city": "盟市", "kind": "模板类别"}
# Missing schools listed on the page without choosing a group; the CSV always lists them all.
MISSING_SHOWN = 200
HIGHER_ED_SUFFIX = "高校"


def csv_download(rows, name):
    """A CSV download of `rows` (a header first): UTF-8 with BOM, CRLF, formula-leading text escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([escape_formula(value) if isinstance(value, str) else value for value in row])
    return attachment(out.getvalue().encode("utf-8-sig"), name, CSV_MIMETYPE)


def territory_name(user):
    """The name of the user's territory, for headings and file names."""
    store = get_store()
    if Tier(user.tier) is Tier.SCHOOL:
        school = store.registry().get(user.territory)
        return school.name if school else user.territory
    region = store.catalogue.regions.get(user.territory)
    name = region.name if region else user.territory
    return name + HIGHER_ED_SUFFIX if Tier(user.tier) is Tier.INFO_CENTRE else name


def today():
    """Today in China (file names, ages), whatever the server's time zone."""
    return datetime.datetime.now(CHINA).date()


# --- completeness -------------------------------------------------------------------------------


def _grouping():
    """The groupings the user may choose, and the one asked for (the default when it names nothing)."""
    choices = GROUPINGS[Tier(current_user.tier)]
    by = request.args.get("by")
    return choices, (by if by in choices else choices[0])


def _completeness():
    choices, by = _grouping()
    return choices, by, get_store().completeness(current_user.user, by=by)


@bp.route("/completeness")
@login_required
def completeness():
    """Per county (or city, or kind) how many schools sent nothing, wait at each tier, were returned or reported."""
    choices, by, rows = _completeness()
    total = completeness_total(rows)
    group = next((r for r in rows if r.code == request.args.get("group")), None)
    missing_groups = [group] if group else [r for r in rows if r.missing]
    return render_template(
        "reports/completeness.html", rows=rows, total=total, by=by, choices=choices, by_labels=BY_LABELS,
        group_header=GROUP_HEADERS[by], waiting=WAITING, group=group, missing_groups=missing_groups,
        show_missing=group is not None or len(total.missing) <= MISSING_SHOWN, territory=territory_name(current_user),
    )


@bp.route("/completeness.csv")
@login_required
def completeness_csv():
    """The completeness table as CSV."""
    _choices, by, rows = _completeness()
    table = completeness_rows(rows) + completeness_rows([completeness_total(rows)])[1:]
    name = f"{territory_name(current_user)}_采集完成情况_{BY_LABELS[by]}_{today().isoformat()}.csv"
    return csv_download(table, name)


@bp.route("/completeness/missing.csv")
@login_required
def missing_csv():
    """Every school of the territory that has sent nothing yet, as CSV."""
    _choices, _by, rows = _completeness()
    name = f"{territory_name(current_user)}_未上传学校名单_{today().isoformat()}.csv"
    return csv_download(missing_rows(rows), name)


# --- statistics ---------------------------------------------------------------------------------


def _area():
    """The areas the user may narrow the statistics to, and the one asked for as (code, name), or None."""
    with get_store().engine.connect() as conn:
        areas = statistics_areas(conn, actor())
    chosen = next(((code, name) for code, name, _level in areas if code == request.args.get("area")), None)
    return areas, chosen


def _statistics(chosen):
    counts = get_store().statistics(current_user.user, today(), area=chosen[0] if chosen else None)
    return counts, statistics_tables(counts, get_store().catalogue)


def chart_of(table):
    """The SVG chart of one statistics table."""
    if table.is_pyramid:
        return pyramid_chart(table.rows, table.title, sides=table.columns)
    return bar_chart(table.rows, table.title)


@bp.route("/statistics")
@login_required
def statistics():
    """Staff by kind, sex, ethnicity, age and sex, education, title and 在编: each a chart, a table and a CSV."""
    areas, chosen = _area()
    counts, tables = _statistics(chosen)
    return render_template(
        "reports/statistics.html", tables=tables, charts={t.key: chart_of(t) for t in tables},
        people=sum(counts["kind"].values()), areas=areas, chosen=chosen,
        place=chosen[1] if chosen else territory_name(current_user), today=today(),
    )


@bp.route("/statistics/<chart>.csv")
@login_required
def statistics_csv(chart):
    """One statistics table as CSV (the numbers its chart draws)."""
    if chart not in TABLE_KEYS:
        abort(404)
    _areas, chosen = _area()
    _counts, tables = _statistics(chosen)
    table = next(t for t in tables if t.key == chart)
    place = chosen[1] if chosen else territory_name(current_user)
    return csv_download(table.to_rows(), f"{place}_教职工统计_{table.title}_{today().isoformat()}.csv")
