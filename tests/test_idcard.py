"""GB 11643-1999 ID number arithmetic."""

import datetime

import pytest

from staffrec.idcard import birth_date, check_character, is_valid, make_id_number, sex_code

VECTOR = "11010519491231002X"


def test_standard_test_vector_is_valid():
    assert is_valid(VECTOR)
    assert check_character(VECTOR[:17]) == "X"
    assert birth_date(VECTOR) == datetime.date(1949, 12, 31)
    assert sex_code(VECTOR) == "2"


@pytest.mark.parametrize(
    "first17, expected",
    [
        ("00000000000000000", "1"),  # S = 0
        ("00000001000000000", "0"),  # S = 1 (digit 8 has weight 1)
        ("00000000000000001", "X"),  # S = 2 (digit 17 has weight 2)
        ("00000000000000010", "8"),  # S = 4 (digit 16 has weight 4)
        ("15012119850312001", "X"),  # S = 200, 200 mod 11 = 2
    ],
)
def test_check_character_follows_weights_and_table(first17, expected):
    assert check_character(first17) == expected


@pytest.mark.parametrize(
    "bad", ["", "1234567890123456", "123456789012345678", "1101051949123100X", "１１０１０５１９４９１２３１００２"]
)
def test_check_character_needs_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_character(bad)


@pytest.mark.parametrize(
    "number",
    [
        VECTOR.lower(),  # lower-case x is the reader's job to fold, not valid as is
        VECTOR[:17] + "1",  # wrong check character
        VECTOR[:17],
        VECTOR + "0",
        "11010519491231002Ｘ",
        "１１０１０５１９４９１２３１００２X",
        " " + VECTOR[1:],
        "",
    ],
)
def test_malformed_numbers_are_invalid(number):
    assert not is_valid(number)


def test_non_text_is_invalid():
    assert not is_valid(110105194912310020)
    assert not is_valid(None)


@pytest.mark.parametrize("digits", ["19490230", "19001329", "19000229", "20230431", "00000101", "19850100"])
def test_unreal_birth_dates_are_invalid_even_with_right_check_character(digits):
    first17 = f"150121{digits}001"
    number = first17 + check_character(first17)
    assert birth_date(number) is None
    assert not is_valid(number)


def test_leap_day_is_a_real_date():
    first17 = "15012120000229001"
    number = first17 + check_character(first17)
    assert birth_date(number) == datetime.date(2000, 2, 29)
    assert is_valid(number)


def test_birth_date_of_short_or_non_digit_text_is_none():
    assert birth_date("150121") is None
    assert birth_date("1501211985031x001X") is None


@pytest.mark.parametrize("digit, sex", [(str(d), "1" if d % 2 else "2") for d in range(10)])
def test_sex_follows_parity_of_digit_17(digit, sex):
    assert sex_code(f"1501211985031200{digit}X") == sex


def test_sex_code_needs_a_17th_digit():
    with pytest.raises(ValueError):
        sex_code("1501211985")


@pytest.mark.parametrize("sex", ["1", "2"])
@pytest.mark.parametrize("sequence", [0, 1, 2, 57, 998, 999])
def test_made_numbers_are_valid_and_carry_birth_and_sex(sex, sequence):
    birth = datetime.date(1985, 3, 12)
    number = make_id_number("150121", birth, sequence, sex)
    assert is_valid(number)
    assert number.startswith("15012119850312")
    assert birth_date(number) == birth
    assert sex_code(number) == sex
    assert abs(int(number[14:17]) - sequence) <= 1


def test_made_number_keeps_a_sequence_of_the_right_parity():
    assert make_id_number("110105", datetime.date(1949, 12, 31), 2, "2") == VECTOR
    assert make_id_number("110105", datetime.date(1949, 12, 31), 3, "2") == VECTOR


@pytest.mark.parametrize(
    "area, sequence, sex",
    [
        ("15012", 1, "1"),
        ("1501211", 1, "1"),
        ("15O121", 1, "1"),
        ("150121", 1000, "1"),
        ("150121", -1, "2"),
        ("150121", 1, "男"),
    ],
)
def test_make_id_number_rejects_bad_parts(area, sequence, sex):
    with pytest.raises(ValueError):
        make_id_number(area, datetime.date(1985, 3, 12), sequence, sex)
