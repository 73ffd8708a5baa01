"""A school's template: identity, kind, sign-off block and records, and writing it to a file."""

from pathlib import Path

import attrs

from .catalogue import catalogue as default_catalogue
from .errors import TemplateError
from .files import atomic_write
from .identity import TemplateFileName
from .layout import FIRST_DATA_ROW, SIGNOFF_FIELDS, TEMPLATE_VERSION, build_layout
from .records import Record, build_record
from .xls_writer import write_xls
from .xlsx_writer import write_xlsx

WRITERS = {"xls": write_xls, "xlsx": write_xlsx}
SIGNOFF_KEYS = tuple(key for key, _ in SIGNOFF_FIELDS)
# 65,536 rows a sheet, less the rows above the first record.
XLS_MAX_RECORDS = 65536 - FIRST_DATA_ROW


@attrs.define(eq=False)
class Template:
    """One school's template; `findings` are what reading the file showed, `source` its name."""

    school_id: object
    school_name: str
    kind: object
    records: list = attrs.field(factory=list)
    signoff: dict = attrs.field(factory=dict)
    version: str = TEMPLATE_VERSION
    findings: tuple = ()
    source: str | None = None
    format: str | None = None
    stamp: dict | None = None
    missing_keys: frozenset = frozenset()
    catalogue: object = attrs.field(default=None, repr=False)

    @property
    def is_readable(self):
        """Tell whether the file gave a school, a kind and a header to read records under."""
        return self.school_id is not None and self.kind is not None

    def file_name(self, fmt="xls"):
        """Return the correct file name of this school's template in format `fmt`."""
        self._require_identity()
        return str(TemplateFileName.for_school(self.school_id, self.school_name, self.kind, f".{fmt}"))

    def add(self, data):
        """Append one person given as a Record or a mapping keyed by indicator key or header."""
        record = data if isinstance(data, Record) else build_record(self.kind, data, self._catalogue())
        self.records.append(record)
        return record

    def to_bytes(self, fmt="xls"):
        """Return the workbook bytes in format `fmt` (`xls` or `xlsx`)."""
        self._require_identity()
        try:
            writer = WRITERS[fmt]
        except KeyError:
            raise TemplateError(f"unknown template format {fmt!r}; use 'xls' or 'xlsx'") from None
        if fmt == "xls" and len(self.records) > XLS_MAX_RECORDS:
            raise TemplateError(f"共 {len(self.records)} 条记录，超过 .xls 工作表最多 {XLS_MAX_RECORDS} 条的限制。")
        layout = build_layout(
            self.school_id, self.school_name, self.kind, self.records, self.signoff, self._catalogue()
        )
        return writer(layout)

    def save(self, target, fmt="xls"):
        """Write the workbook and return its path.

        A `target` that is a folder, or has no .xls/.xlsx suffix (a folder to create), gets the
        correctly named file; otherwise `target` is the file's path.
        """
        target = Path(target)
        if target.is_dir() or target.suffix.lower() not in (".xls", ".xlsx"):
            target.mkdir(parents=True, exist_ok=True)
            target = target / self.file_name(fmt)
        return atomic_write(target, self.to_bytes(fmt))

    def _catalogue(self):
        return self.catalogue or default_catalogue()

    def _require_identity(self):
        if not self.is_readable:
            raise TemplateError("the template has no school identity or kind to write")


def new_template(school, records=(), signoff=None, catalogue=None):
    """Create a school's template (School from the registry) holding `records` (dicts or Records)."""
    catalogue = catalogue or default_catalogue()
    kind = school.id.kind(catalogue)
    if kind is None:
        raise TemplateError(f"school {school.id} is of a category that is not collected")
    signoff = dict(signoff or {})
    unknown = set(signoff) - set(SIGNOFF_KEYS)
    if unknown:
        raise TemplateError(f"unknown sign-off fields {sorted(unknown)}; use {SIGNOFF_KEYS}")
    template = Template(school.id, school.name, kind, signoff=signoff, catalogue=catalogue)
    for record in records:
        template.add(record)
    return template
