"""Date forms a mapping declares, such as `DD/MM/YYYY` or `MM/YYYY`, and reading values with them."""

import datetime
import re

import attrs

from .issues import MigrationError

# Longest first, so `MM` is not read as two `M`.
_TOKENS = (("YYYY", "y", r"\d{4}"), ("MM", "m", r"\d{2}"), ("DD", "d", r"\d{2}"), ("M", "m", r"\d{1,2}"), ("D", "d", r"\d{1,2}"))


@attrs.frozen
class DateForm:
    """One declared form: `YYYY` four digits, `MM`/`DD` two, `M`/`D` one or two, anything else literal."""

    pattern: str
    regex: re.Pattern = attrs.field(eq=False, repr=False)
    has_day: bool

    def read(self, text, want_day):
        """Return `YYYY-MM-DD` (or `YYYY-MM` when `want_day` is false) for a real date, else None."""
        match = self.regex.fullmatch(text.strip())
        if match is None or (want_day and not self.has_day):
            return None
        year, month = int(match["y"]), int(match["m"])
        day = int(match["d"]) if self.has_day else 1
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            return None
        return value.isoformat() if want_day else value.isoformat()[:7]


def parse_form(pattern):
    """Compile a declared form; MigrationError says what is wrong with it."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise MigrationError(f"[dates] 中的写法“{pattern}”不是文字。")
    regex, seen, position = [], set(), 0
    while position < len(pattern):
        for token, group, expression in _TOKENS:
            if pattern.startswith(token, position):
                if group in seen:
                    raise MigrationError(f"[dates] 中的写法“{pattern}”重复写了年、月或日。")
                seen.add(group)
                regex.append(f"(?P<{group}>{expression})")
                position += len(token)
                break
        else:
            regex.append(re.escape(pattern[position]))
            position += 1
    if not {"y", "m"} <= seen:
        raise MigrationError(
            f"[dates] 中的写法“{pattern}”须含四位年份 YYYY 和月份 MM 或 M（两位年份无法判断世纪，不支持）。"
        )
    return DateForm(pattern, re.compile("".join(regex)), "d" in seen)
