"""The rules for the 6-digit passcode, the second step of logging in."""

from itertools import pairwise

from django.core.exceptions import ValidationError

PASSCODE_LENGTH = 6
# "No ascending or descending run of more than three digits": 1234 and 9876 are refused.
LONGEST_RUN_ALLOWED = 3


def _longest_run(digits: str, step: int) -> int:
    longest = current = 1
    for previous, following in pairwise(digits):
        current = current + 1 if int(following) - int(previous) == step else 1
        longest = max(longest, current)
    return longest


def validate_passcode(passcode: str) -> None:
    """Refuse a passcode that breaks the rules, saying which rule in plain words."""
    if len(passcode) != PASSCODE_LENGTH or not passcode.isascii() or not passcode.isdigit():
        raise ValidationError("Your passcode must be exactly 6 digits", code="passcode_format")
    errors = []
    if len(set(passcode)) == 1:
        errors.append(
            ValidationError("Your passcode cannot be the same digit 6 times", code="passcode_same")
        )
    if _longest_run(passcode, 1) > LONGEST_RUN_ALLOWED:
        errors.append(
            ValidationError(
                "Your passcode cannot have more than 3 digits in a row going up, like 1234",
                code="passcode_ascending",
            )
        )
    if _longest_run(passcode, -1) > LONGEST_RUN_ALLOWED:
        errors.append(
            ValidationError(
                "Your passcode cannot have more than 3 digits in a row going down, like 9876",
                code="passcode_descending",
            )
        )
    if errors:
        raise ValidationError(errors)
