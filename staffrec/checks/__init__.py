"""The 校验: every check of a template, as small rules that yield findings, and the report."""

from .report import Report
from .validate import validate

__all__ = ["Report", "validate"]
