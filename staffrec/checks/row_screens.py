"""Row rules whose inputs differ on nearly every row, screened column-wise before they run.

Each screen returns the rows the rule may report on: it clears a row only when the rule,
run on it, would certainly yield nothing (its tests follow the rule's own, step by step); the
engine runs the rule itself on every row a screen returns.
"""

import itertools
import operator
import re

from ..cells import CellKind
from ..data_rows import clean_line
from ..idcard import CHECK_CHARACTERS
from ..text import fold
from . import id_rules, row_rules

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_COLUMN = re.compile(r"(?:[0-9]{17}[0-9X]\|)*[0-9]{17}[0-9X]")  # every ID of a `|`-joined column well formed
_LAST = "\uffff"  # sorts after every canonical date and year-month


def _code(label):
    """View.code of a canonical value."""
    return label if not label else label.partition("-")[0]


def _labels(column, test):
    """Return the distinct values of a canonical column whose code passes `test`."""
    return {label for label in set(column) if test(_code(label))}


def id_suspects(columns):
    """Return the rows check_id_number may report: all but those that are certainly valid."""
    context, kind = columns.context, columns.kind
    resident, today = context.rules.code("resident_card"), context.today.isoformat()
    max_len = kind.indicator("id_number").max_len
    keys = columns.keys[columns.position["id_number"]]
    # Only a cell stored as a number (memo key ("c", value, kind, ...)) makes _stored_number report.
    numbers = set() if columns.plain else {
        i for i, k in enumerate(keys) if k.__class__ is not str and k[0] == "c" and k[2] is CellKind.NUMBER
    }
    id_types, sexes = columns.canonical("id_type"), columns.canonical("sex")
    residents = _labels(id_types, lambda code: code == resident)
    # 性别 codes that agree with an odd / even 17th digit (an empty or unknown 性别 agrees with both).
    odd_ok = _labels(sexes, lambda code: not code or code == "1")
    even_ok = _labels(sexes, lambda code: not code or code == "2")
    births = _digits_only(columns.canonical("birth_date"))
    today = today.replace("-", "")  # compared with YYYYMMDD births
    texts = columns.text("id_number")
    if not numbers:
        # The rows of well-formed resident ID numbers take the whole-column path; the rest the loop.
        rows = list(itertools.compress(range(len(texts)), map(residents.__contains__, id_types)))
        if len(rows) == len(texts) and _ID_COLUMN.fullmatch("|".join(texts)):
            return _resident_suspects(texts, sexes, births, today, odd_ok, even_ok)
        pick = operator.itemgetter(*rows) if len(rows) > 1 else None
        if pick is not None and _ID_COLUMN.fullmatch("|".join(pick(texts))):
            found = _resident_suspects(pick(texts), pick(sexes), pick(births), today, odd_ok, even_ok)
            others = sorted(set(range(len(texts))) - set(rows))
            suspects = [rows[j] for j in found] + _loop_suspects(
                others, texts, id_types, sexes, births, today, numbers, residents, odd_ok, even_ok, max_len)
            return sorted(suspects)
    return _loop_suspects(range(len(texts)), texts, id_types, sexes, births, today, numbers, residents,
                          odd_ok, even_ok, max_len)


def _digits_only(dates):
    """Return canonical dates as YYYYMMDD (empty and missing ones as they are)."""
    try:
        joined = "|".join(dates)  # canonical dates hold no `|`: one replace for the whole column
    except TypeError:  # a missing date (None) among them
        joined = None
    if joined is not None and joined.count("|") == len(dates) - 1:
        return joined.replace("-", "").split("|")
    return [d.replace("-", "") if d else d for d in dates]


def _loop_suspects(indexes, texts, id_types, sexes, births, today, numbers, residents, odd_ok, even_ok, max_len):
    """id_suspects row by row over `indexes`."""
    suspects = []
    for i in indexes:
        text, id_type, sex, birth = texts[i], id_types[i], sexes[i], births[i]
        if not text:
            continue
        if i in numbers:
            suspects.append(i)
        elif id_type not in residents:
            if max_len and len(text) > max_len:
                suspects.append(i)
        # The checks of check_id_number in its order; 2·int(·, 13) is the GB 11643 sum mod 11 (13 ≡ 2).
        elif (
            not _ID_SHAPE.fullmatch(text)
            or birth != text[6:14]
            or CHECK_CHARACTERS[2 * int(text[:17], 13) % 11] != text[17]
            or sex not in (odd_ok if text[16] in "13579" else even_ok)
        ):
            suspects.append(i)
        elif birth > today:
            suspects.append(i)
    return suspects


def _resident_suspects(texts, sexes, births, today, odd_ok, even_ok):
    """id_suspects for a column of well-formed resident ID numbers, one whole-column step at a time."""
    # The same tests as id_suspects' loop (birth digits, check character, sex, birth after today),
    # each as a map over the column.
    check = map(CHECK_CHARACTERS.__getitem__, map(operator.mod, map(operator.mul, map(
        int, map(operator.itemgetter(slice(0, 17)), texts), itertools.repeat(13)), itertools.repeat(2)), itertools.repeat(11)))
    wrong = map(operator.or_, map(operator.ne, births, map(operator.itemgetter(slice(6, 14)), texts)),
                map(operator.ne, check, map(operator.itemgetter(17), texts)))
    agrees = {label: (label in even_ok, label in odd_ok) for label in set(sexes)}
    odd = map(operator.contains, itertools.repeat("13579"), map(operator.itemgetter(16), texts))
    sex_wrong = map(operator.not_, map(operator.getitem, map(agrees.__getitem__, sexes), odd))
    future = map(operator.gt, [b or "" for b in births], itertools.repeat(today))
    flagged = map(operator.or_, map(operator.or_, wrong, sex_wrong), future)
    return list(itertools.compress(range(len(texts)), flagged))


def work_date_suspects(columns):
    """Return the rows check_work_dates may report: work starts ≥ working age after birth, later starts not before it."""
    age = columns.context.rules.number("working_age")
    births, works = columns.canonical("birth_date"), columns.canonical("work_start")
    has_work = "work_start" in columns.position
    later = [columns.canonical(k) for k in ("school_start", "sped_start") if k in columns.position and has_work]
    # The earliest canonical year-month a work start may have: birth month + working age in years;
    # _LAST when no work start can do (every one is then suspect), "" when there is no birth date.
    months = [birth[:7] if birth else "" for birth in births]
    earliest = {"": ""}
    for month in set(months) - {""}:
        year = int(month[:4]) + age
        earliest[month] = f"{year:04d}{month[4:]}" if 1 <= age and year <= 9999 else _LAST
    firsts = list(map(earliest.__getitem__, months))
    starts = [work or "" for work in works]
    # A row with a work start is suspect when it is before the earliest, or a later start before it.
    early = map(operator.lt, starts, firsts)
    for column in later:
        early = map(operator.or_, early, map(operator.lt, [start or _LAST for start in column], starts))
    return list(itertools.compress(range(columns.size), map(operator.and_, map(bool, works), early)))


def age_suspects(columns):
    """Return the rows check_age may report: those born outside the years that make every age fit."""
    context = columns.context
    today, low, high = context.today, context.rules.number("adult_age"), context.rules.number("retirement_age")
    # Born in year y, one is today.year - y or one less: these years give an age in [low, high].
    first, last = today.year - high, today.year - low - 1
    births = columns.canonical("birth_date")
    if first < 1 or last > 9999:
        return [i for i, birth in enumerate(births) if birth]
    first, last = f"{first:04d}", f"{last:04d}"
    return [i for i, birth in enumerate(births) if birth and not first <= birth[:4] <= last]


SCREENED = {
    id_rules.check_id_number: id_suspects,
    row_rules.check_work_dates: work_date_suspects,
    row_rules.check_age: age_suspects,
}


def unique_ids(columns, rule):
    """Return check_unique_ids' findings, or none at once when no identity number repeats."""
    texts, size = columns.text("id_number"), columns.size
    joined = "|".join(texts)
    # ASCII, clean and free of `|`: fold() changes none of them, so upper() is the whole key.
    if joined.isascii() and joined.count("|") == size - 1 and clean_line(joined):
        numbers = joined.upper().split("|")
    else:
        numbers = [fold(t).upper() for t in texts]
    filled = size - numbers.count("")
    if len(set(numbers)) - ("" in numbers) == filled:
        return []
    return list(rule(columns.context, [columns.view(i) for i in range(size)]))
