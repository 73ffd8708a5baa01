"""Text folding shared by cell reading and code lookup."""

import re

# Full-width digits, Latin letters and the hyphen typed by Chinese input methods.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp - 0xFEE0).isalnum()}
_WIDTH[0xFF0D] = ord("-")
# Headers retyped with a Chinese input method may carry any full-width punctuation.
_ALL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def clean_spaces(text):
    """Turn NBSP, ideographic and other odd spaces into plain ones and trim the ends."""
    return _SPACES.sub(" ", text).strip()


def fold(text):
    """Fold `text` for comparison: half-width digits and letters, odd spaces cleaned."""
    return clean_spaces(str(text).translate(_WIDTH))


def header_key(text):
    """Fold a column header for matching: no `*` marks, no spaces, half-width letters."""
    return _SPACES.sub("", str(text).translate(_ALL_WIDTH)).lstrip("*")
