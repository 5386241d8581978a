import pytest
from django.core.exceptions import ValidationError

from carebridge.organisations.validators import (
    normalise_phone,
    validate_mobile,
    validate_phone,
    validate_uprn,
    validate_usrn,
)


@pytest.mark.parametrize(
    "number",
    ["01632 960001", "0114 496 0311", "(0114) 496-0311", "+44 114 496 0311", "07700900982"],
)
def test_it_accepts_uk_telephone_numbers_as_people_type_them(number):
    validate_phone(number)


@pytest.mark.parametrize("number", ["12345", "0014 496 0311", "011449603111234", "phone me", ""])
def test_it_refuses_what_is_not_a_uk_telephone_number(number):
    with pytest.raises(ValidationError):
        validate_phone(number)


def test_a_mobile_number_starts_07_or_plus_44_7():
    validate_mobile("07700 900 982")
    validate_mobile("+44 7700 900982")
    with pytest.raises(ValidationError):
        validate_mobile("0114 496 0311")


def test_uprn_and_usrn_are_digits_kept_as_text():
    validate_uprn("000100023336956"[-12:])
    validate_usrn("21403780")
    for wrong, check in (("1234567890123", validate_uprn), ("123456789", validate_usrn)):
        with pytest.raises(ValidationError):
            check(wrong)
    with pytest.raises(ValidationError):
        validate_uprn("12ab")


def test_a_phone_number_keeps_its_grouping_with_single_spaces():
    assert normalise_phone("  0114   496 0311 ") == "0114 496 0311"
