"""A workbook as the readers hand it over: named sheets that yield rows of Cells."""

import attrs

from .errors import WorkbookReadError


@attrs.frozen
class SheetSource:
    """One sheet; `rows()` yields tuples of Cell from the first row, gaps included.

    A reader that holds the plain cell texts may also give `entries`: a function yielding each row
    as a list of the texts as typed ("" for an empty cell), the cheap form the template reader uses.
    """

    name: str
    hidden: bool
    _rows: object = attrs.field(repr=False, eq=False, alias="rows")
    _entries: object = attrs.field(default=None, repr=False, eq=False, alias="entries")

    def rows(self):
        """Yield the sheet's rows top to bottom; the n-th tuple is Excel row n."""
        return self._rows()

    @property
    def has_entries(self):
        """Tell whether the sheet can yield its rows as plain texts (see `entry_rows`)."""
        return self._entries is not None

    def entry_rows(self):
        """Yield the rows as lists of texts as typed; only when `has_entries`."""
        return self._entries()


@attrs.frozen
class WorkbookSource:
    """The sheets of a workbook in tab order, and the format they were read from."""

    format: str
    sheets: tuple

    def sheet(self, name):
        """Return the sheet with this exact name, or None."""
        return next((s for s in self.sheets if s.name == name), None)


def guarded(iterator, library):
    """Re-raise any failure while iterating a damaged sheet as WorkbookReadError."""
    try:
        yield from iterator
    # Parsers fail on damaged data with arbitrary exception types.
    except Exception as exc:  # noqa: BLE001
        raise WorkbookReadError(f"{library} failed while reading rows: {exc}") from exc
