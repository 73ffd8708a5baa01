"""The mapping file (TOML): source columns → indicators, value aliases, constants, date forms, sign-off."""

import os
import re

import attrs

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 has no tomllib; setup.cfg installs tomli there
    import tomli as tomllib

from ..catalogue import catalogue as default_catalogue
from ..layout import SIGNOFF_FIELDS
from ..text import header_key
from .dates import parse_form
from .issues import MigrationError

SECTIONS = ("source", "columns", "constants", "aliases", "dates", "signoff")
SOURCE_KEYS = ("encoding", "delimiter", "sheet", "header_row")
ALL_DATES = "*"
_OCCURRENCE = re.compile(r"(.*?)#([1-9]\d*)")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_SIGNOFF = {**{key: key for key, _ in SIGNOFF_FIELDS}, **{label: key for key, label in SIGNOFF_FIELDS}}


@attrs.frozen
class ColumnRule:
    """A source column (the `n`-th column with that header) and the indicator key it fills, or None to ignore."""

    source: str
    occurrence: int
    target: str | None

    @property
    def spelled(self):
        """The column as the mapping file names it."""
        return self.source if self.occurrence == 1 else f"{self.source}#{self.occurrence}"


@attrs.frozen
class Mapping:
    """A loaded mapping; every indicator is named by its key, whatever the file used."""

    columns: tuple = ()
    constants: tuple = ()
    aliases: tuple = ()
    dates: tuple = ()
    signoff: tuple = ()
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    path: str | None = None

    def aliases_for(self, key):
        """Return the user's aliases of one indicator as ((alias text, code text), ...)."""
        return dict(self.aliases).get(key, ())

    def date_forms(self, key):
        """Return the declared forms that apply to one indicator, its own first."""
        forms = dict(self.dates)
        return forms.get(key, ()) + forms.get(ALL_DATES, ())

    def targets(self):
        """Return the indicator keys the columns fill."""
        return tuple(rule.target for rule in self.columns if rule.target)


def _indicator_names(catalogue):
    """Map every indicator key and folded header of every kind to its key."""
    names = {}
    for kind in catalogue.kinds.values():
        for ind in kind.indicators:
            names[ind.key] = ind.key
            names[header_key(ind.header)] = ind.key
    return names


def _key(names, text, where):
    """Return the indicator key a mapping names by key or header; MigrationError when none."""
    key = names.get(text) or names.get(header_key(text))
    if key is None:
        raise MigrationError(f"{where}中的“{text}”不是任何采集模板的指标（可写指标名如“性别”，或英文键如 sex）。")
    return key


def _text(value, where):
    """Accept TOML strings and integers (a code typed as 156); anything else is a mistake."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MigrationError(f"{where}的值应为文字（加英文双引号），不是“{value}”。")
    return str(value)


def _table(data, section):
    """Return one section of the parsed file, empty when absent."""
    value = data.get(section, {})
    if not isinstance(value, dict):
        raise MigrationError(f"映射文件中的 {section} 应为 [{section}] 一节。")
    return value


def _columns(data, names):
    """Read [columns]; return the rules and {key: source column} of the filled indicators."""
    rules, filled = [], {}
    for source, target in _table(data, "columns").items():
        target = _text(target, f"[columns] 中“{source}”")
        match = _OCCURRENCE.fullmatch(source)
        name, occurrence = (match.group(1), int(match.group(2))) if match else (source, 1)
        key = _key(names, target, "[columns] ") if target.strip() else None
        if key in filled:
            raise MigrationError(f"[columns] 中“{filled[key]}”和“{source}”都对应“{target}”，一个指标只能来自一列。")
        if key:
            filled[key] = source
        rules.append(ColumnRule(name, occurrence, key))
    return tuple(rules), filled


def _constants(data, names, filled):
    """Read [constants]; an indicator a column fills cannot also be constant."""
    constants = []
    for name, value in _table(data, "constants").items():
        key = _key(names, name, "[constants] ")
        if key in filled:
            raise MigrationError(f"“{name}”既在 [columns] 中由“{filled[key]}”列填写，又在 [constants] 中给了常量，只能二选一。")
        constants.append((key, _text(value, f"[constants] 中“{name}”")))
    return tuple(constants)


def _aliases(data, names):
    """Read [aliases.<indicator>] sections."""
    aliases = []
    for name, table in _table(data, "aliases").items():
        if not isinstance(table, dict):
            raise MigrationError(f"[aliases] 下应按指标分节，如 [aliases.{name}]，每行写“别名 = 代码”。")
        key = _key(names, name, "[aliases] ")
        pairs = tuple((str(alias), _text(code, f"[aliases.{name}] 中“{alias}”")) for alias, code in table.items())
        aliases.append((key, pairs))
    return tuple(aliases)


def _dates(data, names):
    """Read [dates]: one form or a list per indicator, `*` for every date and year-month."""
    dates = []
    for name, forms in _table(data, "dates").items():
        key = ALL_DATES if name == ALL_DATES else _key(names, name, "[dates] ")
        forms = [forms] if isinstance(forms, str) else forms
        if not isinstance(forms, list):
            raise MigrationError(f"[dates] 中“{name}”应为一个写法或写法列表，如 \"DD/MM/YYYY\"。")
        dates.append((key, tuple(parse_form(form) for form in forms)))
    return tuple(dates)


def _signoff(data):
    """Read [signoff], by key or by the Chinese label."""
    signoff = []
    for name, value in _table(data, "signoff").items():
        if name not in _SIGNOFF:
            raise MigrationError(f"[signoff] 中的“{name}”不是签字栏的项目（录入人、校验人、学校负责人、联系电话、填报日期）。")
        signoff.append((_SIGNOFF[name], _text(value, f"[signoff] 中“{name}”")))
    return tuple(signoff)


def _source(data):
    """Read [source]: encoding, delimiter, sheet and header row."""
    source = _table(data, "source")
    unknown = set(source) - set(SOURCE_KEYS)
    if unknown:
        raise MigrationError(f"[source] 中没有“{'、'.join(sorted(unknown))}”这一项（可用：{'、'.join(SOURCE_KEYS)}）。")
    header_row = source.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        raise MigrationError("[source] 中 header_row 应为表头所在的行号（从 1 起的整数）。")
    sheet = source.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
        raise MigrationError("[source] 中 sheet 应为工作表名称或序号（从 1 起）。")
    encoding, delimiter = source.get("encoding"), source.get("delimiter")
    for name, value in (("encoding", encoding), ("delimiter", delimiter)):
        if value is not None and not (isinstance(value, str) and value):
            raise MigrationError(f"[source] 中 {name} 应为文字。")
    return dict(encoding=encoding, delimiter=delimiter, sheet=sheet, header_row=header_row)


def parse_mapping(text, path=None, catalogue=None):
    """Parse mapping text; MigrationError (in Chinese, with the line for syntax errors) when it is wrong."""
    catalogue = catalogue or default_catalogue()
    where = f"映射文件 {path}" if path else "映射文件"
    try:
        data = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        at = f"第 {position.group(1)} 行第 {position.group(2)} 列" if position else ""
        raise MigrationError(
            f"{where}{at}格式有误（TOML）：中文键须加英文双引号，如 \"性别\" = \"sex\"；值也须加引号。"
        ) from None
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise MigrationError(f"{where}中有不认识的一节：{'、'.join(sorted(unknown))}（可用：{'、'.join(SECTIONS)}）。")
    names = _indicator_names(catalogue)
    columns, filled = _columns(data, names)
    return Mapping(
        columns=columns,
        constants=_constants(data, names, filled),
        aliases=_aliases(data, names),
        dates=_dates(data, names),
        signoff=_signoff(data),
        path=os.fspath(path) if path else None,
        **_source(data),
    )


def load_mapping(path, catalogue=None):
    """Read a mapping file: UTF-8 (with or without BOM), else GB18030 as Notepad's ANSI saves it."""
    with open(path, "rb") as handle:
        data = handle.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise MigrationError(f"映射文件 {path} 不是文本文件，请用记事本另存为 UTF-8 编码。")
    return parse_mapping(text, path=path, catalogue=catalogue)
