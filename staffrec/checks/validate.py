"""validate(): read a file once and run every rule over it."""

import datetime
import operator

from ..catalogue import catalogue as default_catalogue
from ..collector import collector_paused
from ..layout import FIRST_DATA_ROW
from ..reader import open_template, read_source
from ..template import XLS_MAX_RECORDS, Template
from . import engine
from .cell_rules import CELL_RULES
from .context import CheckContext, Resolver, RowView
from .file_rules import FILE_RULES, check_name
from .id_rules import ID_RULES
from .report import DEFAULT_LIMIT, build_report
from .row_rules import ROW_RULES
from .scope_rules import SCOPE_RULES
from .unique_rules import TABLE_RULES

RECORD_RULES = CELL_RULES + ID_RULES + ROW_RULES + SCOPE_RULES
_ROW = operator.attrgetter("row")


def _numbered(records):
    """Give records built in code the row numbers they would have once written."""
    records = list(records)
    if None not in map(_ROW, records):  # records read from a file have theirs
        return records
    return [
        type(record)(record.keys, record.values, row=FIRST_DATA_ROW + 1 + index) if record.row is None else record
        for index, record in enumerate(records)
    ]


def check_template(context):
    """Yield every finding of one template: reading, file, record and table rules."""
    yield from context.template.findings
    if context.kind is None:
        yield from check_name(context)
        return
    for rule in FILE_RULES:
        yield from rule(context)
    records = _numbered(context.template.records)
    if len(records) > XLS_MAX_RECORDS:
        return  # file.too_many_rows rejects the file; a finding per cell of each row would only bury it
    if engine.applies(context, records):
        yield from engine.check_records(context, records, RECORD_RULES, TABLE_RULES)
    else:
        yield from check_by_row(context, records)


def check_by_row(context, records):
    """Yield the record and table rules' findings row by row (the reference the engine must match)."""
    resolve = Resolver(context.catalogue)
    views = []
    for record in records:
        view = RowView(record, context.kind, resolve)
        views.append(view)
        for rule in RECORD_RULES:
            yield from rule(context, view)
    for rule in TABLE_RULES:
        yield from rule(context, views)


def validate(source, registry=None, today=None, limit=DEFAULT_LIMIT, name=None, catalogue=None):
    """Check a template (path, bytes, file object or Template) and return its Report."""
    if not isinstance(source, Template):
        source, name = read_source(source, name)  # before the pause: a slow stream must not hold it
    with collector_paused():
        # Called, not inlined: the file's rows and records are freed before the collector restarts.
        return _validated(source, registry, today, limit, name, catalogue or default_catalogue())


def _validated(source, registry, today, limit, name, catalogue):
    """Read `source` (bytes) unless it is a Template, check it and return its Report."""
    if isinstance(source, Template):
        template = source
    else:
        template = open_template(source, name=name, catalogue=catalogue)
    context = CheckContext(template, catalogue, registry, today or datetime.date.today())
    return build_report(context, check_template(context), limit)
