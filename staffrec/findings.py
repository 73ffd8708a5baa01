"""Findings: what a check or reader reports to a user, as frozen data."""

import attrs

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@attrs.frozen
class FindingType:
    """A stable finding code with its severity, Chinese message template and fix hint."""

    code: str
    severity: str
    template: str
    hint: str = ""

    def __call__(self, file=None, row=None, column=None, value=None, **params):
        """Make a Finding of this type; `params` fill the message template and the hint."""
        fields = dict(file=file, row=row, column=column, value=value, **params)
        message = self.template.format(**fields)
        if self.hint:
            message += self.hint.format(**fields)
        return Finding(self.code, self.severity, message, file, row, column, value)


@attrs.frozen
class Finding:
    """One problem found in a file: code, severity, place as the user sees it, and how to fix it."""

    code: str
    severity: str = attrs.field(validator=attrs.validators.in_(SEVERITIES))
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    @property
    def is_error(self):
        """Tell whether the finding blocks acceptance of the file."""
        return self.severity == ERROR


_TYPES = {}


def finding_type(code, severity, template, hint=""):
    """Register a finding code once and return its FindingType."""
    if code in _TYPES:
        raise ValueError(f"finding code {code!r} registered twice")
    _TYPES[code] = FindingType(code, severity, template, hint)
    return _TYPES[code]


def finding_types():
    """Return every registered finding type by code (the catalogue of codes)."""
    return dict(_TYPES)
