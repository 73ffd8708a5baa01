"""What migration reports per source row: values it could not take, and values it derived."""

import attrs

from ..errors import StaffrecError

ERROR, WARNING, DERIVED = "error", "warning", "derived"
LEVELS = (ERROR, WARNING, DERIVED)
LEVEL_TEXT = {ERROR: "无法转换", WARNING: "提示", DERIVED: "推出"}


class MigrationError(StaffrecError, ValueError):
    """The export, the mapping or the invocation cannot be used at all; str() is a Chinese message."""


@attrs.frozen
class Issue:
    """One thing migration reports: source row and column as the user sees them, the value, and why."""

    code: str
    level: str = attrs.field(validator=attrs.validators.in_(LEVELS))
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    target: str | None = None

    @property
    def is_error(self):
        """Tell whether the value was not taken (the template needs fixing)."""
        return self.level == ERROR


@attrs.frozen
class IssueType:
    """A stable issue code with its level and Chinese message template."""

    code: str
    level: str
    template: str
    hint: str = ""

    def __call__(self, row=None, column=None, value=None, target=None, **params):
        """Make an Issue; `params` fill the message template and the hint."""
        fields = dict(row=row, column=column, value=value, target=target, **params)
        message = self.template.format(**fields) + self.hint.format(**fields)
        return Issue(self.code, self.level, message, row, column, value, target)


_ALIAS_HINT = "请在映射文件的 [aliases.{key}] 中写明它对应的代码，或在导出数据中改正。"
_DATE_HINT = "如导出数据另有固定写法，可在映射文件的 [dates] 中声明，如 {key} = \"{example}\"。"

COLUMN_MISSING = IssueType(
    "migrate.column_missing",
    ERROR,
    "映射文件中的源列“{column}”在导出文件的表头（第 {header_row} 行）中找不到，“{target}”一项全部空缺。",
    "请核对映射文件中的列名是否与导出文件表头一字不差。",
)
COLUMN_DUPLICATE = IssueType(
    "migrate.column_duplicate",
    ERROR,
    "源列“{column}”在表头中出现了 {count} 次（第 {positions} 列），无法确定用哪一列，“{target}”一项未转换。",
    "请在映射文件中写成“{column}#2”这样的形式，指明用第几个同名列。",
)
NOT_IN_KIND = IssueType(
    "migrate.not_in_kind",
    WARNING,
    "映射的指标“{target}”不在{kind}模板中，{what}已忽略。",
)
CODE_UNKNOWN = IssueType(
    "migrate.code_unknown",
    ERROR,
    "“{part}”不是“{table}”中的代码或名称，也不是已知的别名，未转换。",
    _ALIAS_HINT,
)
CODE_AMBIGUOUS = IssueType(
    "migrate.code_ambiguous",
    ERROR,
    "“{part}”可以对应多个代码：{candidates}，无法确定是哪一个，未转换。",
    _ALIAS_HINT,
)
CODE_CONFLICT = IssueType(
    "migrate.code_conflict",
    ERROR,
    "“{part}”中的代码 {code} 是“{label}”，与所写名称“{name}”不一致，未转换。",
    "请在导出数据中核对改正。",
)
DATE_INVALID = IssueType(
    "migrate.date_invalid",
    ERROR,
    "“{value}”不是可识别的真实日期，未转换。",
    _DATE_HINT,
)
YEARMONTH_INVALID = IssueType(
    "migrate.yearmonth_invalid",
    ERROR,
    "“{value}”不是可识别的年月，未转换。",
    _DATE_HINT,
)
YEARMONTH_AMBIGUOUS = IssueType(
    "migrate.yearmonth_ambiguous",
    ERROR,
    "“{value}”无法判断是 {year} 年 1 月还是 10 月（{why}），未转换，已留空。",
    "请在导出数据中写作 YYYY-MM，如 {year}-10。",
)
ID_NUMBER_CELL = IssueType(
    "migrate.id_number_cell",
    ERROR,
    "身份证件号存成了数字（“{value}”），只剩 15 位有效数字，后几位已经丢失，未转换。",
    "请在 HR 系统中把该列导出为文本，或按证件重新录入完整号码。",
)
NAME_SPACES = IssueType(
    "migrate.name_spaces",
    WARNING,
    "姓名“{value}”中间的对齐空格已去掉，写为“{result}”。",
    "请核对。",
)
DERIVED_FROM_ID = IssueType(
    "migrate.derived",
    DERIVED,
    "“{target}”为空，已按身份证件号推出：{result}。",
)
