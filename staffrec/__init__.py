"""staffrec: staff basic-information collection (教职工基础信息采集) for a region's schools.

Scripts use the names below; see README.md for examples.
"""

from .catalogue import Catalogue, Indicator, TemplateKind, catalogue, load_catalogue
from .cells import Cell, CellKind
from .checks import Report, validate
from .codes import Code, CodeTable
from .errors import (
    CatalogueError,
    FileNameError,
    RecordError,
    RegistryError,
    SchoolIdError,
    StaffrecError,
    TemplateError,
)
from .findings import Finding
from .identity import SchoolId, TemplateFileName
from .reader import open_template
from .records import Record
from .registry import Registry, School, load_registry, save_registry
from .template import Template, new_template

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Cell",
    "CellKind",
    "Code",
    "CodeTable",
    "FileNameError",
    "Finding",
    "Indicator",
    "Record",
    "RecordError",
    "Registry",
    "Report",
    "RegistryError",
    "School",
    "SchoolId",
    "SchoolIdError",
    "StaffrecError",
    "Template",
    "TemplateError",
    "TemplateFileName",
    "TemplateKind",
    "catalogue",
    "load_catalogue",
    "load_registry",
    "new_template",
    "open_template",
    "save_registry",
    "validate",
]
