"""Checks for NHS numbers and postcodes, with messages care workers can act on."""

from __future__ import annotations

import random
import re

from django.core.exceptions import ValidationError

NHS_NUMBER_FORMAT_MESSAGE = "Enter a valid NHS number: 10 digits, like 943 476 5919"
NHS_NUMBER_CHECK_MESSAGE = "This NHS number is not valid: check the digits"
POSTCODE_MESSAGE = "Enter a real postcode, like SW1A 1AA"

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
# ASCII only: str.isdigit would also accept digits from other scripts.
_TEN_DIGITS = re.compile(r"[0-9]{10}")
_NHS_SEPARATORS = re.compile(r"[\s-]+")

# BS 7666 PostCodeType, with the XSD's class subtraction spelt out:
# first letter not Q V X; second letter not I J Z; ANA third letter from
# A B C D E F G H J K S T U W; AANA fourth letter from A B E H M N P R V W X Y;
# inward letters never C I K M O V.
_POSTCODE = re.compile(
    r"GIR 0AA"
    r"|(?:"
    r"[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"
    r") [0-9][ABD-HJLNP-UW-Z]{2}"
)

_TEST_RANGE_PREFIX = "999"


def _nhs_check_digit(first_nine: str) -> int | None:
    # None stands for the "check digit would be 10" case, which can never be issued.
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    """The NHS number with spaces and hyphens removed, the form we store and compare."""
    return _NHS_SEPARATORS.sub("", value)


def format_nhs_number(value: str) -> str:
    """An NHS number shown 3-3-4, like "943 476 5919", the way the NHS displays it."""
    digits = normalise_nhs_number(value)
    if not _TEN_DIGITS.fullmatch(digits):
        # Legacy or half-typed values are shown as entered rather than breaking a page.
        return value.strip()
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def nhs_number_is_valid(value: str) -> bool:
    """Whether an NHS number passes the mandatory modulus 11 check."""
    digits = normalise_nhs_number(value)
    if not _TEN_DIGITS.fullmatch(digits):
        return False
    # Every same-digit number passes modulus 11 (the weights sum to -1 mod 11),
    # and they are what people type as placeholders, so they are refused.
    if len(set(digits)) == 1:
        return False
    return _nhs_check_digit(digits[:9]) == int(digits[9])


def validate_nhs_number(value: str) -> None:
    """Django validator for NHS numbers, telling the care worker what to fix."""
    digits = normalise_nhs_number(value)
    if not _TEN_DIGITS.fullmatch(digits):
        raise ValidationError(NHS_NUMBER_FORMAT_MESSAGE, code="invalid")
    if not nhs_number_is_valid(digits):
        raise ValidationError(NHS_NUMBER_CHECK_MESSAGE, code="invalid")


def generate_nhs_number(rng: random.Random) -> str:
    """A valid NHS number from the 999 range that is never issued, for demo data."""
    while True:
        first_nine = _TEST_RANGE_PREFIX + "".join(str(rng.randrange(10)) for _ in range(6))
        check = _nhs_check_digit(first_nine)
        if check is None:
            continue
        candidate = f"{first_nine}{check}"
        if nhs_number_is_valid(candidate):
            return candidate


def normalise_postcode(value: str) -> str:
    """A postcode upper-cased with one space before the inward code, the form we store."""
    compact = "".join(value.split()).upper()
    if len(compact) <= 3:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_is_valid(value: str) -> bool:
    """Whether a postcode has the BS 7666 shape; it does not prove the address exists."""
    return _POSTCODE.fullmatch(normalise_postcode(value)) is not None


def validate_postcode(value: str) -> None:
    """Django validator for postcodes, with a message a care worker can act on."""
    if not postcode_is_valid(value):
        raise ValidationError(POSTCODE_MESSAGE, code="invalid")
