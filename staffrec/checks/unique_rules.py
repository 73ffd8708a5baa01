"""Rules over the whole table: one person, one row."""

from ..findings import ERROR, finding_type
from ..text import fold

DUPLICATE_ID = finding_type(
    "id.duplicate",
    ERROR,
    "身份证件号 {value} 与第 {first} 行重复。",
    "同一人只能填写一行，请删除重复的行或核对证件号。",
)


def check_unique_ids(context, views):
    """Each identity number appears once in the file (lower-case x counts as X)."""
    first_row = {}
    header = context.kind.indicator("id_number").header
    for view in views:
        number = fold(view.text("id_number")).upper()
        if not number:
            continue
        if number in first_row:
            yield DUPLICATE_ID(file=context.file, row=view.row, column=header, value=view.text("id_number"), first=first_row[number])
        else:
            first_row[number] = view.row


TABLE_RULES = (check_unique_ids,)
