"""Cell rules: required items, codes of the right table, lengths, dates, and tolerated variants."""

from ..cells import CellKind
from ..findings import ERROR, WARNING, finding_type
from ..values import code_row, split_multicode
from .context import code_of, is_ambiguous_yearmonth

_PICK = "请从下拉列表中选择，各项代码见“代码表”工作表。"
REQUIRED = finding_type("cell.required", ERROR, "“{column}”是必填项，未填写。", "请按采集表补填。")
VARIANT = finding_type(
    "cell.variant",
    WARNING,
    "“{column}”填写为“{value}”，规范写法是“{canonical}”{why}。",
    "系统已按“{canonical}”理解，请改为规范写法（staffrec normalize 可自动改正）。",
)
CODE_UNKNOWN = finding_type(
    "code.unknown", ERROR, "“{column}”的“{part}”不是“{table}”中的代码或名称。", _PICK
)
CODE_GROUP = finding_type(
    "code.group",
    ERROR,
    "“{column}”的“{part}”是分类，不能直接选用。",
    "请选它下面最末一级的代码。",
)
CODE_KIND = finding_type(
    "code.not_for_kind",
    ERROR,
    "“{column}”的“{part}”不适用于{kind}模板。",
    _PICK,
)
TOO_LONG = finding_type(
    "text.too_long",
    ERROR,
    "“{column}”有 {length} 个字，超过 {limit} 个字的限制。",
    "请按采集表的规范写法简写。",
)
NAME_SPACES = finding_type(
    "text.name_spaces", ERROR, "姓名“{value}”中间有空格。", "姓名须与身份证件一致，请去掉空格。"
)
DATE_INVALID = finding_type(
    "date.invalid",
    ERROR,
    "“{column}”的“{value}”不是有效日期。",
    "请写作 YYYY-MM-DD，如 1985-03-12，并确认日期真实存在。",
)
YEARMONTH_INVALID = finding_type(
    "yearmonth.invalid", ERROR, "“{column}”的“{value}”不是有效年月。", "请写作 YYYY-MM，如 2008-09。"
)
YEARMONTH_AMBIGUOUS = finding_type(
    "yearmonth.ambiguous",
    ERROR,
    "“{column}”的“{value}”无法判断是 {year} 年 1 月还是 10 月（数字 {year}.10 会变成 {year}.1）。",
    "请把单元格设为文本，写作 YYYY-MM，如 {year}-01 或 {year}-10。",
)
DATE_FUTURE = finding_type(
    "date.future", ERROR, "“{column}”的“{value}”晚于今天（{today}）。", "请核对后改正。"
)
_WHY = {
    CellKind.NUMBER: "（单元格存成了数字，应为文本）",
    CellKind.DATE: "（单元格存成了日期格式，应为文本）",
}


def as_read(text, cell):
    """Return (text as the user typed it, stored kind) of one cell (None for records built in code)."""
    if cell is None:
        return text, CellKind.TEXT
    raw = cell.raw if cell.kind is CellKind.TEXT else cell.text
    return raw, cell.kind


def _parts(context, ind, text, canonical):
    """Return (part as typed, its code row or None) for each part of a coded cell."""
    table = context.catalogue.table(ind.table)
    multi = ind.type == "multicode"
    if canonical is not None:
        # Resolved already (and cached): look the labels up by code, no second parse.
        labels = split_multicode(canonical) if multi else [canonical]
        return [(label, table.get(code_of(label))) for label in labels]
    return [(part, code_row(table, part)) for part in (split_multicode(text) if multi else [text])]


def _coded(context, ind, text, canonical, row):
    """Yield the problems of a coded cell; return True when there were any."""
    table = context.catalogue.table(ind.table)
    found = False
    for part, code in _parts(context, ind, text, canonical):
        where = dict(file=context.file, row=row, column=ind.header, value=text, part=part)
        if code is None:
            yield CODE_UNKNOWN(table=table.title, **where)
        elif not table.is_selectable(code.code):
            yield CODE_GROUP(**where)
        elif not code.applies_to(context.kind.name):
            yield CODE_KIND(kind=context.kind.name, **where)
        else:
            continue
        found = True
    return found


def _dated(context, ind, text, cell, canonical, where):
    """Yield the problems of a date or year-month cell; return True when there were any."""
    if is_ambiguous_yearmonth(ind, cell):
        yield YEARMONTH_AMBIGUOUS(year=text[:4], **where)
        return True
    if canonical is None:
        yield (DATE_INVALID if ind.type == "date" else YEARMONTH_INVALID)(**where)
        return True
    today = context.today.isoformat()
    if canonical > today[: len(canonical)]:
        yield DATE_FUTURE(today=today, **where)
        return True
    return False


def cell_findings(context, ind, text, cell, canonical, row):
    """Yield the problems of one cell on its own: presence, form, table, length, date.

    `text` is the value as read, `cell` its Cell (None for records built in code), `canonical`
    the row view's canonical value; nothing else of the row matters, so results can be reused.
    """
    if ind.key in context.template.missing_keys:
        return  # header.missing already said so, once for the whole column
    typed, stored = as_read(text, cell)
    where = dict(file=context.file, row=row, column=ind.header, value=typed)
    if text == "":
        if ind.is_required:
            yield REQUIRED(**where)
        return
    if ind.key == "id_number":
        return  # id_rules owns this cell, number storage included
    failed = False
    if ind.is_coded:
        failed = yield from _coded(context, ind, text, canonical, row)
    elif ind.type in ("date", "yearmonth"):
        failed = yield from _dated(context, ind, text, cell, canonical, where)
    else:
        if ind.max_len and len(text) > ind.max_len:
            failed = True
            yield TOO_LONG(length=len(text), limit=ind.max_len, **where)
        if ind.key == "name" and " " in text:
            failed = True
            yield NAME_SPACES(**where)
    if not failed and canonical is not None and (canonical != typed or stored not in (CellKind.TEXT, CellKind.EMPTY)):
        yield VARIANT(canonical=canonical, why=_WHY.get(stored, ""), **where)


def check_cells(context, view):
    """Check every cell of a record on its own: presence, form, table, length, date."""
    cells = view.record.cells
    for index, ind in enumerate(context.kind.indicators):
        cell = cells[index] if cells is not None else None
        yield from cell_findings(context, ind, view.text(ind.key), cell, view.value(ind.key), view.row)


CELL_RULES = (check_cells,)
