"""Identity-number rules (GB 11643-1999 when 身份证件类型 = 1)."""

from ..cells import CellKind
from ..findings import ERROR, WARNING, finding_type
from ..idcard import ID_PATTERN, birth_date, check_character, sex_code
from ..text import fold
from .cell_rules import TOO_LONG, VARIANT

NUMBER_CELL = finding_type(
    "id.number_cell",
    ERROR,
    "身份证件号存成了数字（读到“{value}”），Excel 只保留 15 位有效数字，后几位已经丢失。",
    "请把该列设为文本格式，按证件重新录入完整号码，不能只改格式。",
)
FORMAT = finding_type(
    "id.format",
    ERROR,
    "居民身份证号“{value}”应为 18 位：前 17 位是数字，最后一位是数字或 X。",
    "请按证件核对后重新录入。",
)
LOWER_X = finding_type(
    "id.lowercase_x", WARNING, "身份证号末位写成了小写 x（“{value}”）。", "请改为大写 X：{canonical}。"
)
BIRTH_INVALID = finding_type(
    "id.birth_invalid",
    ERROR,
    "身份证号“{value}”第 7 至 14 位“{digits}”不是真实的出生日期。",
    "请按证件核对后重新录入。",
)
CHECK_DIGIT = finding_type(
    "id.check_digit",
    ERROR,
    "身份证号“{value}”校验位不对：按前 17 位算出的末位应为 {expected}。",
    "号码中有录错的数字，请按证件逐位核对。",
)
SEX_MISMATCH = finding_type(
    "id.sex_mismatch",
    ERROR,
    "性别“{sex}”与身份证号不符：第 17 位是 {digit}，应为{expected}。",
    "请核对性别或身份证号。",
)
BIRTH_MISMATCH = finding_type(
    "id.birth_mismatch",
    ERROR,
    "出生日期“{birth}”与身份证号中的 {expected} 不一致。",
    "请按证件核对出生日期或身份证号。",
)
_SEX_NAME = {"1": "男", "2": "女"}
# Excel keeps 15 significant digits: a longer number has lost its last digits for good.
EXACT_DIGITS = 15


def _stored_number(view, where):
    """Yield the finding of an ID stored as a number; return True when nothing more can be checked."""
    cell = view.record.cell("id_number")
    if cell is None or cell.kind is not CellKind.NUMBER:
        return False
    if len(cell.text.lstrip("-")) > EXACT_DIGITS:
        yield NUMBER_CELL(**where)
        return True
    # A short number (a passport, say) lost nothing; it only should have been text.
    yield VARIANT(canonical=cell.text, why="（单元格存成了数字，应为文本）", **where)
    return False


def check_id_number(context, view):
    """Check the identity number: text cell, shape, real birth date, check character, sex and birth."""
    text = view.text("id_number")
    if not text:
        return
    indicator = context.kind.indicator("id_number")
    where = dict(file=context.file, row=view.row, column=indicator.header, value=text)
    if (yield from _stored_number(view, where)):
        return
    if view.code("id_type") != context.rules.code("resident_card"):
        if indicator.max_len and len(text) > indicator.max_len:
            yield TOO_LONG(length=len(text), limit=indicator.max_len, **where)
        return
    number = fold(text)
    if number.endswith("x"):
        number = number[:-1] + "X"
        yield LOWER_X(canonical=number, **where)
    elif number != text:
        yield VARIANT(canonical=number, why="（含全角字符）", **where)
    if not ID_PATTERN.fullmatch(number):
        yield FORMAT(**where)
        return
    born = birth_date(number)
    if born is None or born > context.today:
        yield BIRTH_INVALID(digits=number[6:14], **where)
        return
    expected = check_character(number[:17])
    if expected != number[17]:
        yield CHECK_DIGIT(expected=expected, **where)
        return
    sex = view.code("sex")
    if sex and sex != sex_code(number):
        yield SEX_MISMATCH(
            sex=view.value("sex"),
            digit=number[16],
            expected=_SEX_NAME[sex_code(number)],
            file=context.file,
            row=view.row,
            column=context.kind.indicator("sex").header,
            value=view.text("sex"),
        )
    birth = view.date("birth_date")
    if birth is not None and birth != born:
        yield BIRTH_MISMATCH(
            birth=birth.isoformat(),
            expected=born.isoformat(),
            file=context.file,
            row=view.row,
            column=context.kind.indicator("birth_date").header,
            value=view.text("birth_date"),
        )


ID_RULES = (check_id_number,)
