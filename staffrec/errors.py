"""Exceptions of the staffrec library; user-facing problems are findings, not exceptions."""


class StaffrecError(Exception):
    """Base class of every error the library raises."""


class CatalogueError(StaffrecError, ValueError):
    """The code tables or indicator list in codes/ are inconsistent."""


class SchoolIdError(StaffrecError, ValueError):
    """A 学校标识码 is malformed; `reason` is a stable code, str() a Chinese message."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class FileNameError(StaffrecError, ValueError):
    """A template file name does not follow <学校标识码>_<学校名称>_<模板名称>.xls."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class RegistryError(StaffrecError, ValueError):
    """A school registry CSV is unreadable or inconsistent; `problems` lists each line's fault."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = tuple(problems)


class RecordError(StaffrecError, ValueError):
    """A record given by a script names a column the template kind does not have."""


class TemplateError(StaffrecError, ValueError):
    """A template object cannot be written as asked (bad format or target)."""


class WorkbookReadError(StaffrecError, ValueError):
    """A workbook's bytes cannot be parsed; readers raise it and the template reader reports a finding."""
