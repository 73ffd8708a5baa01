"""Writing a suggested mapping as commented TOML (the stdlib reads TOML but does not write it)."""

import re

from ..layout import SIGNOFF_FIELDS

# The constants most exports lack, with the value nearly every school uses.
USUAL_CONSTANTS = {"nationality": "156", "id_type": "1"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def quote(text):
    """Return `text` as a TOML basic string."""
    out = []
    for char in str(text):
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(text):
    """Return a TOML key: bare when it can be, quoted otherwise (every Chinese header)."""
    return text if _BARE_KEY.fullmatch(text) else quote(text)


def _line(key, value, comment=""):
    """Return one `key = "value"` line with an optional comment."""
    return f"{_key(key)} = {quote(value)}" + (f"  # {comment}" if comment else "")


def _header(s):
    """Return the opening comment and the [source] section."""
    name = s.export.name or "导出文件"
    kind = f"，按{s.kind.template_name}" if s.narrowed else ""
    lines = [
        f"# staffrec 迁移映射：由 staffrec migrate --suggest 根据“{name}”生成{kind}。请逐项核对后再迁移。",
        "# 写法：\"源列名\" = \"指标\"；中文须加英文双引号；以 # 开头的是注释。说明见 README“从人事系统迁移”。",
        "",
        "[source]",
    ]
    if s.export.encoding:
        lines.append(f"# encoding = {quote(s.export.encoding)}  # 已自动识别为 {s.export.encoding_label}，一般不必填写")
    if len(s.export.sheets) > 1:
        lines.append(f"sheet = {quote(s.table.sheet)}  # 表头所在的工作表")
    lines.append(f"# header_row = {s.table.header_row}  # 表头在第 {s.table.header_row} 行，已自动找到，一般不必填写")
    return lines


def _columns(s, headers):
    """Return the [columns] section; columns not recognised map to the empty string (ignored)."""
    lines = ["", "[columns]", "# 源列名 = 指标（英文键或模板中的列名，如 sex 或 \"性别\"）；写 \"\" 表示忽略该列。"]
    for guess in s.columns:
        if guess.key:
            lines.append(_line(guess.column, guess.key, headers.get(guess.key, "")))
        else:
            lines.append(_line(guess.column, "", guess.note or "未识别：请填写对应的指标，或保持 \"\" 忽略该列"))
    return lines


def _constants(s, headers):
    """Return the [constants] section, commented, for required items no column fills."""
    lines = ["", "[constants]", "# 导出文件中没有、但每人相同的项，写在这里（去掉 # 即生效）："]
    for indicator in s.missing:
        value = USUAL_CONSTANTS.get(indicator.key, "")
        lines.append("# " + _line(indicator.key, value, f"{indicator.header}：导出文件中未找到此列"))
    return lines


def _dates(s, headers):
    """Return the [dates] section with the forms that read the columns' unrecognised values."""
    lines = ["", "[dates]", "# 日期、年月写法无法自动识别的列，在这里声明写法：YYYY 年，MM/M 月，DD/D 日。"]
    for key, samples, form in s.dates:
        example = "、".join(f"“{v}”" for v in samples)
        if form:
            lines.append(_line(key, form, f"{headers.get(key, key)}：如 {example}"))
        elif form == "":
            lines.append("# " + _line(key, "DD/MM/YYYY", f"{headers.get(key, key)}：如 {example}，日、月顺序无法判断，请确认"))
        elif samples:
            lines.append(f"# {key}：{example} 无法识别，请在导出数据中改正")
    return lines


def _aliases(s, headers):
    """Return one [aliases.<key>] section per column with values that need a code."""
    lines = []
    keys = list(dict.fromkeys(note.key for note in s.values))
    for key in keys:
        lines += ["", f"[aliases.{key}]", f"# {headers.get(key, key)}：以下取值无法对应代码，请写明代码（去掉 # 即生效），或在导出数据中改正。"]
        for note in (n for n in s.values if n.key == key):
            lines.append("# " + _line(note.value, "", f"出现 {note.count} 次。{note.why}"))
    return lines


def _signoff():
    """Return the [signoff] section, commented."""
    lines = ["", "[signoff]", "# 模板表头上方的签字栏；录入人和校验人须是两个人。"]
    lines += [f"# {key} = \"\"  # {label}" for key, label in SIGNOFF_FIELDS]
    return lines


def render(suggestion):
    """Return the TOML text of a Suggestion."""
    headers = {ind.key: ind.header for ind in suggestion.kind.indicators}
    lines = _header(suggestion) + _columns(suggestion, headers) + _constants(suggestion, headers)
    lines += _dates(suggestion, headers) + _aliases(suggestion, headers) + _signoff()
    return "\n".join(lines) + "\n"
