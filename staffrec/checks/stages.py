"""Stages of the column engine: the findings of one rule (or one column's cell rules) by row index.

The engine yields every row's findings stage by stage, in row order (engine.check_records); a stage
tells which rows it has findings on (`flagged`) and gives them (`at`).
"""

from ..findings import Finding


def _at_row(finding, row):
    """Return a reusable finding placed on `row`."""
    return Finding(finding.code, finding.severity, finding.message, finding.file, row, finding.column, finding.value)


class Reused:
    """A stage of reusable findings (tuples shared by every row with the same inputs), placed on
    their row only when read: a file giving a finding in every cell holds no finding per cell.
    `flagged` iterates, once and in order, over the indexes of the rows with findings."""

    def __init__(self, rows, lookup, flagged):
        self.rows, self.lookup, self.flagged = rows, lookup, flagged

    def at(self, index):
        """Return the findings of one row, placed on it."""
        found = self.lookup(index)
        if not found:
            return ()
        row = self.rows[index]
        return [_at_row(f, row) for f in found]


class Placed:
    """A stage of the findings a rule gave row by row, {row index: findings}."""

    def __init__(self, found):
        self.found, self.flagged = found, found.keys()

    def at(self, index):
        """Return the findings of one row."""
        return self.found.get(index, ())
