"""Render a BookLayout as an Office Open XML workbook (.xlsx) with openpyxl."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .xls_writer import BLANK_STYLES

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="CCE5FF")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFCC")
_FONT = "宋体"
_STYLES = {
    "title": dict(font=Font(name=_FONT, size=14, bold=True), alignment=Alignment(horizontal="center", vertical="center")),
    "label": dict(font=Font(name=_FONT, bold=True), alignment=Alignment(horizontal="right"), number_format="@"),
    "input": dict(font=Font(name=_FONT), fill=_INPUT_FILL, border=Border(bottom=_THIN), number_format="@"),
    "header": dict(
        font=Font(name=_FONT, bold=True),
        fill=_HEADER_FILL,
        border=_BOX,
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        number_format="@",
    ),
    "header_required": dict(
        font=Font(name=_FONT, bold=True, color="FF0000"),
        fill=_HEADER_FILL,
        border=_BOX,
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        number_format="@",
    ),
    "text": dict(font=Font(name=_FONT), number_format="@"),
    "plain": dict(font=Font(name=_FONT), alignment=Alignment(wrap_text=True, vertical="top")),
}


def _named_styles(book):
    """Register one named style per layout style name, so cells share them."""
    names = {}
    for name, attributes in _STYLES.items():
        style = NamedStyle(name=f"staffrec_{name}", **attributes)
        book.add_named_style(style)
        names[name] = style.name
    return names


def _area(first_row, last_row, column):
    """Return an absolute A1 area of one column, rows 0-based inclusive."""
    letter = get_column_letter(column + 1)
    return f"${letter}${first_row + 1}:${letter}${last_row + 1}"


def _data_validation(spec):
    """Build the openpyxl list validation of a ListValidation, sourced from its range."""
    sheet_name, first, last, column = spec.source
    validation = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(sheet_name)}!{_area(first, last, column)}",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=spec.prompt_title,
        prompt=spec.prompt,
        errorTitle=spec.error_title,
        error=spec.error,
        errorStyle="stop" if spec.strict else "warning",
    )
    validation.add(_area(spec.first_row, spec.last_row, spec.column).replace("$", ""))
    return validation


def _write_sheet(book, layout, styles):
    """Add one sheet to the openpyxl workbook."""
    sheet = book.create_sheet(layout.name)
    sheet.sheet_state = "hidden" if layout.hidden else "visible"
    for col, width in enumerate(layout.widths, start=1):
        dimension = sheet.column_dimensions[get_column_letter(col)]
        dimension.width = width
        if col <= layout.text_columns:
            dimension.number_format = "@"
    for r, row in enumerate(layout.rows, start=1):
        for c, (value, style_name) in enumerate(zip(row.values, row.styles), start=1):
            if value == "" and style_name not in BLANK_STYLES:
                continue
            cell = sheet.cell(row=r, column=c)
            if value != "":
                cell.value = value
                # Every template value is text; text starting with "=" must not become a formula.
                cell.data_type = "s"
            cell.style = styles[style_name]
    for r1, r2, c1, c2 in layout.merges:
        sheet.merge_cells(start_row=r1 + 1, end_row=r2 + 1, start_column=c1 + 1, end_column=c2 + 1)
    if layout.freeze_rows:
        sheet.freeze_panes = sheet.cell(row=layout.freeze_rows + 1, column=1)
    for spec in layout.validations:
        sheet.add_data_validation(_data_validation(spec))
    return sheet


def write_xlsx(layout):
    """Return the bytes of an .xlsx workbook laid out as `layout` (first sheet active)."""
    book = Workbook()
    book.remove(book.active)
    styles = _named_styles(book)
    for sheet_layout in layout.sheets:
        _write_sheet(book, sheet_layout, styles)
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
