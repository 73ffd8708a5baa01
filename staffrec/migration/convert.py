"""Turning one export cell into an indicator's canonical text, or saying why it cannot be done."""

import re

from ..cells import CellKind
from ..idcard import is_valid
from ..text import fold
from ..values import MULTI_SEPARATOR, canonical_date, canonical_value, canonical_yearmonth, code_row, split_multicode
from . import issues as found
from .aliases import alias_key
from .issues import MigrationError

# `01-汉族` is the label; exports also write `01 汉族`, `01|汉族`, `[01]汉族` and `汉族(01)`.
_CODE_FIRST = re.compile(r"[\[【(（]?([0-9A-Za-z]{1,3})[\]】)）]?(?:\s*[-—–_:：|.、/]\s*|\s+|(?=[^0-9A-Za-z]))(.+)")
_CODE_LAST = re.compile(r"(.+?)\s*[\[【(（]([0-9A-Za-z]{1,3})[\]】)）]")
_DOT_ONE = re.compile(r"(\d{4})\.1")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_AMBIGUOUS_WHY = {
    CellKind.NUMBER: "单元格存成了数字，Excel 会把 2008.10 存成 2008.1",
    CellKind.TEXT: "导出时 2008.10 常被写成 2008.1",
}
_EXAMPLE_FORM = {"date": "DD/MM/YYYY", "yearmonth": "MM/YYYY"}


class Converter:
    """Converts cells of one template kind with a mapping's aliases and date forms, and the built-in aliases."""

    def __init__(self, kind, mapping, catalogue, book):
        self.kind, self.mapping, self.catalogue, self.book = kind, mapping, catalogue, book
        self._user = {key: self._user_aliases(key, pairs) for key, pairs in mapping.aliases if kind.indicator(key)}
        self._cache = {}

    def _user_aliases(self, key, pairs):
        """Check the user's aliases of one indicator against its code table; MigrationError on a wrong code."""
        indicator = self.kind.indicator(key)
        if not indicator.is_coded:
            raise MigrationError(f"[aliases.{key}]：“{indicator.header}”不是代码项，不能设别名。")
        table = self.catalogue.table(indicator.table)
        resolved = {}
        for alias, target in pairs:
            rows = [code_row(table, part) for part in split_multicode(target)]
            if not rows or None in rows or (len(rows) > 1 and indicator.type != "multicode"):
                raise MigrationError(f"[aliases.{key}] 中“{alias}”对应的“{target}”不是“{table.title}”中的代码。")
            resolved[alias_key(alias)] = tuple(row.code for row in rows)
        return resolved

    def convert(self, indicator, cell):
        """Return (text to write, problems) where each problem is (IssueType, params)."""
        cache_key = (indicator.key, cell.text, cell.kind)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._convert(indicator, cell)
        return self._cache[cache_key]

    def _convert(self, indicator, cell):
        """Convert one non-cached cell."""
        if cell.text == "":
            return "", ()
        if indicator.is_coded:
            return self._coded(indicator, cell.text)
        if indicator.type in ("date", "yearmonth"):
            return self._dated(indicator, cell)
        if indicator.key == "id_number":
            return self._id_number(cell)
        if indicator.key == "name":
            joined = _CJK_SPACE.sub("", cell.text)
            return joined, ((found.NAME_SPACES, dict(result=joined)),) if joined != cell.text else ()
        return cell.text, ()

    def _id_number(self, cell):
        """Fold an ID number; refuse one stored as a number, whose last digits are lost."""
        text = fold(cell.text).upper()
        digits = re.sub(r"\D", "", text.split("E")[0])
        if _SCIENTIFIC.fullmatch(text) or (cell.kind is CellKind.NUMBER and len(digits) >= 16):
            return text, ((found.ID_NUMBER_CELL, {}),)
        return text, ()

    def _coded(self, indicator, text):
        """Convert a coded cell part by part; any part that fails refuses the whole cell."""
        table = self.catalogue.table(indicator.table)
        parts = split_multicode(text) if indicator.type == "multicode" else [fold(text)]
        codes, problems = [], []
        for part in parts:
            part_codes, problem = self._code(indicator, table, part)
            if problem is not None:
                problems.append((problem[0], dict(part=part, key=indicator.key, **problem[1])))
            codes.extend(part_codes or ())
        if problems:
            return text, tuple(problems)
        labels = dict.fromkeys(table.get(code).label for code in codes)
        return MULTI_SEPARATOR.join(labels), ()

    def _code(self, indicator, table, part):
        """Return (codes, None) for a part that names codes unambiguously, else (None, problem)."""
        user = self._user.get(indicator.key, {}).get(alias_key(part))
        if user:
            return user, None
        codes, problem = self._named(table, part)
        if codes or problem:
            return codes, problem
        split = _CODE_FIRST.fullmatch(part) or _CODE_LAST.fullmatch(part)
        if split:
            code, name = split.groups() if split.re is _CODE_FIRST else split.groups()[::-1]
            by_code = code_row(table, code)
            named, _ = self._named(table, name)
            if by_code is not None and named == (by_code.code,):
                return named, None
            if by_code is not None:
                return None, (found.CODE_CONFLICT, dict(code=code, label=by_code.label, name=name))
        return None, (found.CODE_UNKNOWN, dict(table=table.title))

    def _named(self, table, text):
        """Look `text` up as label, code or name, else as a built-in spelling; (codes, problem) or ((), None)."""
        row = code_row(table, text)
        if row is not None:
            return (row.code,), None
        codes = self.book.codes(table.name, text)
        if len(codes) > 1:
            candidates = "、".join(table.get(code).label for code in codes)
            return None, (found.CODE_AMBIGUOUS, dict(candidates=candidates))
        return codes, None

    def _dated(self, indicator, cell):
        """Convert a date or year-month: declared forms first, then the forms the library knows."""
        text, want_day = cell.text, indicator.type == "date"
        forms = self.mapping.date_forms(indicator.key)
        ambiguous = _DOT_ONE.fullmatch(text)
        declared = any(form.read(text, want_day) for form in forms)
        if not want_day and ambiguous and (cell.kind is CellKind.NUMBER or not declared):
            why = _AMBIGUOUS_WHY.get(cell.kind, _AMBIGUOUS_WHY[CellKind.TEXT])
            return "", ((found.YEARMONTH_AMBIGUOUS, dict(year=ambiguous.group(1), why=why)),)
        for form in forms:
            value = form.read(text, want_day)
            if value:
                return value, ()
        value = canonical_date(text) if want_day else canonical_yearmonth(text)
        if value:
            return value, ()
        problem = found.DATE_INVALID if want_day else found.YEARMONTH_INVALID
        return text, ((problem, dict(key=indicator.key, example=_EXAMPLE_FORM[indicator.type])),)


def kept_when_refused(indicator, text, catalogue):
    """Tell whether a refused value may be written as typed: only when the 校验 will reject it too."""
    if indicator.key == "id_number":
        return not is_valid(text)
    if indicator.is_coded or indicator.type in ("date", "yearmonth"):
        return canonical_value(indicator, text, catalogue) is None
    return False
