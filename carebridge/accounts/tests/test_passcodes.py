import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from carebridge.accounts.passcodes import validate_passcode


@pytest.mark.parametrize("passcode", ["135790", "123580", "987024", "246813", "120987", "112358"])
def test_it_accepts_passcodes_that_follow_the_rules(passcode):
    validate_passcode(passcode)


@pytest.mark.parametrize(
    ("passcode", "code"),
    [
        ("12345", "passcode_format"),
        ("1234567", "passcode_format"),
        ("12a456", "passcode_format"),
        ("", "passcode_format"),
        ("\uff11\uff13\uff15\uff17\uff19\uff10", "passcode_format"),  # full-width digits
        ("123456", "passcode_ascending"),
        ("901234", "passcode_ascending"),
        ("981234", "passcode_ascending"),
        ("987654", "passcode_descending"),
        ("519876", "passcode_descending"),
        ("777777", "passcode_same"),
    ],
)
def test_it_refuses_passcodes_that_break_a_rule(passcode, code):
    with pytest.raises(ValidationError) as raised:
        validate_passcode(passcode)
    assert code in {error.code for error in raised.value.error_list}


def test_it_allows_a_run_of_three():
    validate_passcode("123907")
    validate_passcode("321907")


@given(st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_a_passcode_is_refused_exactly_when_it_has_a_run_of_four_or_one_digit(passcode):
    digits = [int(d) for d in passcode]
    runs_of_four = any(
        all(digits[i + k + 1] - digits[i + k] == step for k in range(3))
        for i in range(3)
        for step in (1, -1)
    )
    should_fail = runs_of_four or len(set(passcode)) == 1
    try:
        validate_passcode(passcode)
    except ValidationError:
        assert should_fail
    else:
        assert not should_fail
