"""Render a BookLayout as a legacy Excel 97-2003 workbook (.xls, BIFF8) with xlwt."""

import io

import xlwt
from xlwt import CompoundDoc

from .xls_validation import add_validations

_FONT = "font: name 宋体, height 220"
_BORDER = "borders: left thin, right thin, top thin, bottom thin"
_STYLES = {
    "title": (f"{_FONT}, bold on, height 280; align: horiz center, vert center", "General"),
    "label": (f"{_FONT}, bold on; align: horiz right", "@"),
    "input": (f"{_FONT}; borders: bottom thin; pattern: pattern solid, fore_colour light_yellow", "@"),
    "header": (
        f"{_FONT}, bold on; align: horiz center, vert center, wrap on; {_BORDER};"
        " pattern: pattern solid, fore_colour pale_blue",
        "@",
    ),
    "header_required": (
        f"{_FONT}, bold on, colour red; align: horiz center, vert center, wrap on; {_BORDER};"
        " pattern: pattern solid, fore_colour pale_blue",
        "@",
    ),
    "text": (_FONT, "@"),
    "plain": (f"{_FONT}; align: wrap on, vert top", "General"),
}
BLANK_STYLES = frozenset({"input"})
# xlwt counts column width in 1/256 of a character.
_WIDTH_UNIT = 256


def _styles():
    """Build the xlwt styles once per workbook (xlwt ties style objects to no workbook)."""
    return {name: xlwt.easyxf(spec, num_format_str=fmt) for name, (spec, fmt) in _STYLES.items()}


def _write_sheet(book, layout, styles):
    """Add one sheet to the xlwt workbook."""
    sheet = book.add_sheet(layout.name, cell_overwrite_ok=True)
    sheet.visibility = 1 if layout.hidden else 0
    for col, width in enumerate(layout.widths):
        sheet.col(col).width = width * _WIDTH_UNIT
        if col < layout.text_columns:
            sheet.col(col).set_style(styles["text"])
    merged = {(r1, c1): (r2, c2) for r1, r2, c1, c2 in layout.merges}
    for r, row in enumerate(layout.rows):
        for c, (value, style_name) in enumerate(zip(row.values, row.styles)):
            style = styles[style_name]
            if (r, c) in merged:
                r2, c2 = merged[(r, c)]
                sheet.write_merge(r, r2, c, c2, value, style)
            elif value == "":
                # Only the sign-off inputs need a visible empty cell; other blanks stay unwritten.
                if style_name in BLANK_STYLES:
                    sheet.write(r, c, None, style)
            else:
                sheet.write(r, c, value, style)
    if layout.freeze_rows:
        sheet.panes_frozen = True
        sheet.remove_splits = True
        sheet.horz_split_pos = layout.freeze_rows
        sheet.horz_split_first_visible = layout.freeze_rows
    return sheet


def write_xls(layout):
    """Return the bytes of an .xls workbook laid out as `layout` (first sheet active)."""
    book = xlwt.Workbook(encoding="utf-8")
    styles = _styles()
    for sheet_layout in layout.sheets:
        _write_sheet(book, sheet_layout, styles)
    # xlwt cannot write data validation: splice the drop-downs into its BIFF stream before packing.
    stream = add_validations(book.get_biff_data(), tuple(s.validations for s in layout.sheets))
    out = io.BytesIO()
    CompoundDoc.XlsDoc().save(out, stream)
    return out.getvalue()
