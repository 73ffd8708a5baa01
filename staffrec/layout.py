"""The template workbook's layout, as a format-neutral description both writers render."""

import hashlib

import attrs

DATA_SHEET = "教职工基础信息"
CODE_SHEET = "代码表"
GUIDE_SHEET = "填表说明"
STAMP_SHEET = "模板标识"
TEMPLATE_VERSION = "2026.1"
STAMP_MARK = "staffrec"

# 0-based row indexes on the data sheet; Excel shows them one higher.
TITLE_ROW, SIGNOFF_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2, 3
# Drop-downs reach the last row an .xls sheet has, in both formats.
LAST_DATA_ROW = 65535
# Excel's limits on data-validation texts ([MS-XLS] DV: error text at most 225 characters).
PROMPT_TITLE_MAX, PROMPT_MAX, ERROR_MAX = 32, 255, 225

SIGNOFF_FIELDS = (
    ("entered_by", "录入人"),
    ("checked_by", "校验人"),
    ("principal", "学校负责人"),
    ("phone", "联系电话"),
    ("filled_on", "填报日期"),
)
STAMP_FIELDS = (
    ("mark", "模板标识"),
    ("school_id", "学校标识码"),
    ("school_name", "学校名称"),
    ("template_name", "模板名称"),
    ("version", "模板版本"),
    ("header_signature", "表头签名"),
)
TYPE_TEXT = {
    "text": "文本",
    "code": "代码，从下拉列表选择，形如“1-男”",
    "multicode": "代码，可填多项，用逗号分隔",
    "date": "日期，YYYY-MM-DD",
    "yearmonth": "年月，YYYY-MM",
}
REQUIRED_TEXT = {"required": "必填", "optional": "选填", "conditional": "条件必填"}
GUIDE_NOTES = (
    "1. 本模板为本校专用，不得修改文件名、工作表名称和表头，不得与其他学校或其他类别的模板混用。",
    "2. 每位教职工填写一行，从表头下一行开始连续填写；带“*”的列为必填项。",
    "3. 代码项请从下拉列表选择“代码-名称”（如“1-男”），各项代码见“代码表”工作表。",
    "4. 身份证件号、日期、代码均为文本，日期写作 1985-03-12，年月写作 2008-09。",
    "5. 录入人与校验人须由两名不同人员担任，并在表头上方填写姓名。",
)
GUIDE_HEADER = ("序号", "指标名称", "是否必填", "填写格式", "代码表", "最大长度", "填写说明")


@attrs.frozen
class SheetRow:
    """One row to write: cell values and the name of each cell's style."""

    values: tuple
    styles: tuple


@attrs.frozen
class ListValidation:
    """A drop-down on one column's rows offering `values`, which also stand in a source range.

    Rows and columns are 0-based and inclusive. `source` is (sheet name, first row, last row,
    column) of the cells holding `values`, and `name` a defined name a writer may give that range.
    `strict` False lets the clerk type other text after a warning (multi-code cells).
    """

    first_row: int
    last_row: int
    column: int
    values: tuple
    source: tuple
    name: str
    prompt_title: str
    prompt: str
    error_title: str
    error: str
    strict: bool = True


@attrs.frozen
class SheetLayout:
    """One sheet to write; `text_columns` leading columns get the text number format throughout."""

    name: str
    rows: tuple
    widths: tuple
    hidden: bool = False
    merges: tuple = ()
    freeze_rows: int = 0
    text_columns: int = 0
    validations: tuple = ()


@attrs.frozen
class BookLayout:
    """The sheets of a template workbook, in order."""

    sheets: tuple

    def sheet(self, name):
        """Return the sheet with this name."""
        return next(s for s in self.sheets if s.name == name)


def header_signature(kind):
    """Return a short fingerprint of the kind's ordered headers, stamped to detect foreign versions."""
    joined = "|".join(i.header for i in kind.indicators)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def title_text(school_id, school_name, kind):
    """Return the title row text naming the school and the template (just the template for a master)."""
    if not school_id:
        return kind.template_name
    return f"{kind.template_name}　学校：{school_name}　学校标识码：{school_id}"


def _column_width(indicator, catalogue, kind):
    """Pick a width (in characters) that shows the header and a typical value."""
    header = len(indicator.header_label) * 2 + 2
    if indicator.type == "date":
        return max(header, 12)
    if indicator.type == "yearmonth":
        return max(header, 10)
    if indicator.is_coded:
        labels = catalogue.table(indicator.table).choices(kind.name)
        return max(header, min(30, max(len(c.label) for c in labels) * 2))
    return max(header, min(indicator.max_len or 20, 24))


def _clip(text, limit):
    """Cut `text` to Excel's limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validations(kind, catalogue):
    """One drop-down per coded column, fed by that column's range on the code sheet."""
    validations = []
    for source_column, ind in enumerate(i for i in kind.indicators if i.is_coded):
        labels = tuple(c.label for c in catalogue.table(ind.table).choices(kind.name))
        multi = ind.type == "multicode"
        how = "可选多项，用英文逗号分隔" if multi else "请从下拉列表中选择"
        validations.append(
            ListValidation(
                first_row=FIRST_DATA_ROW,
                last_row=LAST_DATA_ROW,
                column=ind.order - 1,
                values=labels,
                source=(CODE_SHEET, 1, len(labels), source_column),
                name=f"codes_{ind.key}",
                prompt_title=_clip(ind.header, PROMPT_TITLE_MAX),
                prompt=_clip(f"{how}，形如“{labels[0]}”。{ind.note}", PROMPT_MAX),
                error_title="输入值无效",
                error=_clip(f"“{ind.header}”应填“代码-名称”，如“{labels[0]}”，请从下拉列表中选择；各项代码见“{CODE_SHEET}”工作表。", ERROR_MAX),
                strict=not multi,
            )
        )
    return tuple(validations)


def _data_sheet(school_id, school_name, kind, records, signoff, catalogue):
    """Lay out the data sheet: title, sign-off block, header, one row per record."""
    width = len(kind.indicators)
    title = SheetRow((title_text(school_id, school_name, kind),), ("title",))
    sign_values, sign_styles = [], []
    for key, label in SIGNOFF_FIELDS:
        sign_values += [f"{label}：", signoff.get(key, "")]
        sign_styles += ["label", "input"]
    header = SheetRow(
        tuple(i.header_label for i in kind.indicators),
        tuple("header_required" if i.is_required else "header" for i in kind.indicators),
    )
    data_styles = ("text",) * width
    rows = [title, SheetRow(tuple(sign_values), tuple(sign_styles)), header]
    rows += [SheetRow(record.values, data_styles) for record in records]
    return SheetLayout(
        DATA_SHEET,
        tuple(rows),
        tuple(_column_width(i, catalogue, kind) for i in kind.indicators),
        merges=((TITLE_ROW, TITLE_ROW, 0, width - 1),),
        freeze_rows=FIRST_DATA_ROW,
        text_columns=width,
        validations=_validations(kind, catalogue),
    )


def _code_sheet(kind, catalogue):
    """Lay out one column per coded indicator with the `代码-名称` entries it offers."""
    coded = [i for i in kind.indicators if i.is_coded]
    columns = [[c.label for c in catalogue.table(i.table).choices(kind.name)] for i in coded]
    height = max(len(c) for c in columns)
    rows = [SheetRow(tuple(i.header for i in coded), ("header",) * len(coded))]
    for n in range(height):
        rows.append(
            SheetRow(tuple(c[n] if n < len(c) else "" for c in columns), ("text",) * len(coded))
        )
    widths = tuple(max(len(i.header) * 2 + 2, min(30, max(len(x) for x in c) * 2)) for i, c in zip(coded, columns))
    return SheetLayout(CODE_SHEET, tuple(rows), widths, freeze_rows=1, text_columns=len(coded))


def _guide_sheet(kind, catalogue):
    """Lay out the 填表说明 sheet from the indicators' data."""
    rows = [SheetRow((f"{kind.template_name} 填表说明",), ("title",))]
    rows += [SheetRow((note,), ("plain",)) for note in GUIDE_NOTES]
    rows.append(SheetRow(GUIDE_HEADER, ("header",) * len(GUIDE_HEADER)))
    for ind in kind.indicators:
        table = catalogue.table(ind.table).title if ind.is_coded else ""
        values = (
            str(ind.order),
            ind.header,
            REQUIRED_TEXT[ind.required],
            TYPE_TEXT[ind.type],
            table,
            str(ind.max_len or ""),
            ind.note,
        )
        rows.append(SheetRow(values, ("plain",) * len(values)))
    return SheetLayout(
        GUIDE_SHEET, tuple(rows), (6, 28, 10, 30, 28, 10, 70), merges=((0, 0, 0, len(GUIDE_HEADER) - 1),)
    )


def stamp_values(school_id, school_name, kind):
    """Return the identity stamp as (label, value) pairs."""
    values = {
        "mark": STAMP_MARK,
        "school_id": str(school_id),
        "school_name": school_name,
        "template_name": kind.template_name,
        "version": TEMPLATE_VERSION,
        "header_signature": header_signature(kind),
    }
    return tuple((label, values[key]) for key, label in STAMP_FIELDS)


def _stamp_sheet(school_id, school_name, kind):
    """Lay out the hidden sheet that stamps identity and template version into the workbook."""
    rows = tuple(SheetRow(pair, ("plain", "text")) for pair in stamp_values(school_id, school_name, kind))
    return SheetLayout(STAMP_SHEET, rows, (12, 50), hidden=True, text_columns=2)


def build_layout(school_id, school_name, kind, records, signoff, catalogue):
    """Describe the whole template workbook of one school."""
    return BookLayout(
        (
            _data_sheet(school_id, school_name, kind, records, signoff, catalogue),
            _code_sheet(kind, catalogue),
            _guide_sheet(kind, catalogue),
            _stamp_sheet(school_id, school_name, kind),
        )
    )
