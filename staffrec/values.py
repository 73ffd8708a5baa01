"""Canonical text of indicator values, and the unambiguous variants that map onto it."""

import datetime
import re

from .text import clean_spaces, fold

_DATE_FORMS = tuple(
    re.compile(p)
    for p in (
        r"(\d{4})-(\d{1,2})-(\d{1,2})",
        r"(\d{4})[./](\d{1,2})[./](\d{1,2})",
        r"(\d{4})(\d{2})(\d{2})",
        r"(\d{4})年(\d{1,2})月(\d{1,2})日?",
    )
)
_YEARMONTH_FORMS = tuple(
    re.compile(p)
    for p in (
        r"(\d{4})-(\d{1,2})",
        r"(\d{4})[./](\d{1,2})",
        r"(\d{4})(\d{2})",
        r"(\d{4})年(\d{1,2})月?",
    )
)
# A time part Excel adds when a date cell is shown as text; it carries no information here.
_MIDNIGHT = re.compile(r"\s+0{1,2}:00(:00)?$")
_MULTI_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
MULTI_SEPARATOR = ","


def canonical_date(text):
    """Return `YYYY-MM-DD` for a real calendar date written in a known form, else None."""
    text = _MIDNIGHT.sub("", fold(text))
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            try:
                return datetime.date(*map(int, match.groups())).isoformat()
            except ValueError:
                return None
    return None


# `2008.1` is January, or October whose trailing zero a number cell dropped: never guess.
_AMBIGUOUS_MONTH = re.compile(r"\d{4}\.1")


def canonical_yearmonth(text):
    """Return `YYYY-MM` for a year-month (a full date loses its day), else None (also for `2008.1`)."""
    text = fold(text)
    if _AMBIGUOUS_MONTH.fullmatch(text):
        return None
    date = canonical_date(text)
    if date is not None:
        return date[:7]
    for form in _YEARMONTH_FORMS:
        match = form.fullmatch(text)
        if match:
            year, month = map(int, match.groups())
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and year >= 1 else None
    return None


def _padded(table, code):
    """Return the one row whose code is `code` with leading zeros restored, or None."""
    if not code.isdigit():
        return None
    matches = [r for r in table if r.code.isdigit() and len(r.code) > len(code) and r.code.lstrip("0") == code.lstrip("0")]
    return matches[0] if len(matches) == 1 else None


def code_row(table, text):
    """Return the row `text` unambiguously names: label, code, name, or code without leading zeros."""
    text = fold(text)
    row = table.lookup(text)
    if row is not None:
        return row
    code, dash, name = text.partition("-")
    if dash:
        row = table.get(code.strip()) or _padded(table, code.strip())
        return row if row is not None and row.name == name.strip() else None
    return _padded(table, text)


def canonical_code(table, text):
    """Return the `代码-名称` label that `text` names, or None."""
    row = code_row(table, text)
    return None if row is None else row.label


def split_multicode(text):
    """Split a multi-code cell on commas (either width), 、 or semicolons."""
    text = fold(text)
    return [part for part in _MULTI_SEPARATORS.split(text) if part] if text else []


def canonical_multicode(table, text):
    """Return comma-joined labels when every part is unambiguous, else None."""
    labels = [canonical_code(table, part) for part in split_multicode(text)]
    return MULTI_SEPARATOR.join(labels) if labels and None not in labels else None


def canonical_value(indicator, text, catalogue):
    """Return the canonical text of `text` for `indicator`, or None when it cannot be told."""
    if indicator.type == "text":
        return clean_spaces(text)
    if fold(text) == "":
        return ""
    if indicator.type == "date":
        return canonical_date(text)
    if indicator.type == "yearmonth":
        return canonical_yearmonth(text)
    table = catalogue.table(indicator.table)
    if indicator.type == "multicode":
        return canonical_multicode(table, text)
    return canonical_code(table, text)
