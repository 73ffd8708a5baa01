"""Where the data files the library ships (codes/) live."""

import os
import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def codes_dir():
    """Return the codes/ directory: $STAFFREC_CODES_DIR, the source tree, or the installed data."""
    override = os.environ.get("STAFFREC_CODES_DIR")
    if override:
        return Path(override)
    for candidate in (_REPO_ROOT / "codes", Path(sys.prefix) / "share" / "staffrec" / "codes"):
        if (candidate / "indicators.csv").is_file():
            return candidate
    raise FileNotFoundError("staffrec codes/ directory not found; set STAFFREC_CODES_DIR")
