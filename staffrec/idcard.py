"""Resident identity numbers (居民身份证号, GB 11643-1999): check character, birth date, sex digit."""

import datetime
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
MALE, FEMALE = "1", "2"

# ASCII digits only: str.isdigit() also accepts full-width and superscript digits.
_FIRST17 = re.compile(r"[0-9]{17}")
ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


def check_character(first17):
    """Return the check character (a digit or X) of the first 17 digits of an ID number."""
    if not isinstance(first17, str) or not _FIRST17.fullmatch(first17):
        raise ValueError(f"need exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


def birth_date(id_number):
    """Return the birth date in digits 7-14 of an ID number, or None when it is no real date."""
    text = str(id_number)[6:14]
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def sex_code(id_number):
    """Return the 性别 code digit 17 of an ID number stands for: '1' (男, odd) or '2' (女, even)."""
    digit = str(id_number)[16:17]
    if not (digit.isascii() and digit.isdigit()):
        raise ValueError(f"{id_number!r} has no 17th digit")
    return MALE if int(digit) % 2 else FEMALE


def is_valid(id_number):
    """Tell whether `id_number` is 18 characters with a real birth date and the right check character."""
    if not isinstance(id_number, str) or not ID_PATTERN.fullmatch(id_number):
        return False
    return birth_date(id_number) is not None and check_character(id_number[:17]) == id_number[17]


def make_id_number(area6, birth, sequence3, sex):
    """Build a valid ID number, changing the parity of `sequence3` when it disagrees with `sex`."""
    if not (isinstance(area6, str) and len(area6) == 6 and area6.isascii() and area6.isdigit()):
        raise ValueError(f"area code must be 6 ASCII digits, got {area6!r}")
    if sex not in (MALE, FEMALE):
        raise ValueError(f"sex must be '1' or '2', got {sex!r}")
    if not 0 <= sequence3 <= 999:
        raise ValueError(f"sequence must be 0..999, got {sequence3!r}")
    # Changing only the lowest bit keeps the sequence inside 0..999.
    sequence3 = sequence3 | 1 if sex == MALE else sequence3 & ~1
    first17 = f"{area6}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence3:03d}"
    return first17 + check_character(first17)
