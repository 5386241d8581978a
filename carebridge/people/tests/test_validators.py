import random
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from carebridge.people.validators import (
    format_nhs_number,
    generate_nhs_number,
    nhs_number_is_valid,
    normalise_nhs_number,
    normalise_postcode,
    postcode_is_valid,
    validate_nhs_number,
    validate_postcode,
)

# NHS numbers


@pytest.mark.parametrize(
    "number",
    ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 ", "4010232137", "9000000009"],
)
def test_it_accepts_valid_nhs_numbers_however_they_are_spaced(number: str) -> None:
    assert nhs_number_is_valid(number)
    validate_nhs_number(number)


@pytest.mark.parametrize("position", range(10))
@pytest.mark.parametrize("change", range(1, 10))
def test_it_rejects_an_nhs_number_with_any_one_digit_wrong(position: int, change: int) -> None:
    digits = list("9434765919")
    digits[position] = str((int(digits[position]) + change) % 10)
    assert not nhs_number_is_valid("".join(digits))


@pytest.mark.parametrize("first_nine", ["123456789", "999000000", "100000001"])
@pytest.mark.parametrize("last", range(10))
def test_it_rejects_nhs_numbers_whose_check_digit_would_be_ten(first_nine: str, last: int) -> None:
    assert not nhs_number_is_valid(f"{first_nine}{last}")


@pytest.mark.parametrize("digit", "0123456789")
def test_it_rejects_same_digit_placeholders_even_though_they_pass_the_checksum(
    digit: str,
) -> None:
    assert not nhs_number_is_valid(digit * 10)


@pytest.mark.parametrize(
    "number", ["", "943476591", "94347659190", "943476591X", "943.476.5919", "٩٤٣٤٧٦٥٩١٩"]
)
def test_it_rejects_nhs_numbers_that_are_not_ten_digits(number: str) -> None:
    assert not nhs_number_is_valid(number)


def test_it_tells_the_care_worker_the_expected_shape_when_the_length_is_wrong() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number("943 476 591")
    assert caught.value.code == "invalid"
    assert caught.value.messages == ["Enter a valid NHS number: 10 digits, like 943 476 5919"]


def test_it_tells_the_care_worker_to_check_the_digits_when_the_checksum_fails() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number("943 476 5918")
    assert caught.value.code == "invalid"
    assert caught.value.messages == ["This NHS number is not valid: check the digits"]


def test_it_normalises_an_nhs_number_to_digits_only() -> None:
    assert normalise_nhs_number(" 943-476 5919\t") == "9434765919"


def test_it_shows_an_nhs_number_in_three_three_four_groups() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("943-476-5919") == "943 476 5919"


def test_it_shows_a_malformed_nhs_number_as_it_was_entered() -> None:
    assert format_nhs_number(" 12345 ") == "12345"


@given(st.integers(min_value=0))
def test_every_generated_nhs_number_is_valid_and_in_the_test_range(seed: int) -> None:
    number = generate_nhs_number(random.Random(seed))
    assert nhs_number_is_valid(number)
    assert len(number) == 10
    assert 9990000000 <= int(number) <= 9999999999


def test_generated_nhs_numbers_repeat_for_the_same_seed() -> None:
    first = [generate_nhs_number(random.Random(7)) for _ in range(3)]
    second = [generate_nhs_number(random.Random(7)) for _ in range(3)]
    assert first == second


# Postcodes


@pytest.mark.parametrize(
    "postcode",
    ["M1 1AA", "M60 1NW", "W1A 1HQ", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "ec1a1bb", "GIR 0AA"],
)
def test_it_accepts_real_postcode_shapes(postcode: str) -> None:
    assert postcode_is_valid(postcode)
    validate_postcode(postcode)


@pytest.mark.parametrize(
    "postcode",
    [
        "Q1 1AA",
        "V1 1AA",
        "X1 1AA",
        "AI1 1AA",
        "AJ1 1AA",
        "AZ1 1AA",
        "M1 1CA",
        "M1 1AV",
        "W1I 1HQ",
        "EC1C 1BB",
        "M1 AAA",
        "M1",
        "",
        "SW1A 1AAA",
        "GIR 0AB",
        "BFPO 1234",
    ],
)
def test_it_rejects_postcodes_that_break_bs_7666(postcode: str) -> None:
    assert not postcode_is_valid(postcode)


def test_it_tells_the_care_worker_what_a_postcode_looks_like() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_postcode("not a postcode")
    assert caught.value.code == "invalid"
    assert caught.value.messages == ["Enter a real postcode, like SW1A 1AA"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ec1a1bb", "EC1A 1BB"), ("  sw1a   1aa ", "SW1A 1AA"), ("M1\t1AA", "M1 1AA"), ("m1", "M1")],
)
def test_it_normalises_a_postcode_with_one_space_before_the_inward_code(
    typed: str, stored: str
) -> None:
    assert normalise_postcode(typed) == stored


valid_postcodes = st.from_regex(
    r"\A(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2}\Z"
)


@given(valid_postcodes, st.sampled_from([str.lower, str.upper, str.title]), st.booleans())
def test_any_valid_postcode_survives_normalise(
    postcode: str, case: Callable[[str], str], squash: bool
) -> None:
    typed = case(postcode)
    if squash:
        typed = typed.replace(" ", "")
    assert normalise_postcode(typed) == postcode
    assert postcode_is_valid(typed)
    assert normalise_postcode(normalise_postcode(typed)) == postcode
