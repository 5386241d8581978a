"""Password rules: the council rulebooks' own, and the ones that always apply.

Always: not a common password (Django's list of 20,000), not the user's name or e-mail address,
at least 64 characters allowed, paste allowed and nothing truncated (the forms take 1,024).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from carebridge.accounts.policy import login_policy_for

PASSWORD_MAX_LENGTH = 1024


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _counted(policy: Any) -> list[tuple[int, str, Callable[[str], bool], str]]:
    """The kinds of character a password needs so many of: how many, their name, the test of
    one character and the error's code."""
    return [
        (policy.password_min_capitals, "capital letter", str.isupper, "password_no_capital"),
        (policy.password_min_letters, "letter", str.isalpha, "password_no_letter"),
        (policy.password_min_digits, "number", str.isdigit, "password_no_digit"),
    ]


class RulebookPasswordValidator:
    """The password rules of every council the user answers to (the strictest of each)."""

    def validate(self, password: str, user: Any = None) -> None:
        policy = login_policy_for(user)
        errors = []
        if len(password) < policy.password_min_length:
            errors.append(
                ValidationError(
                    f"Your password must be at least {policy.password_min_length} characters long",
                    code="password_too_short",
                )
            )
        for count, word, is_kind, code in _counted(policy):
            if sum(is_kind(ch) for ch in password) < count:
                errors.append(
                    ValidationError(
                        f"Your password must contain at least {_plural(count, word)}",
                        code=code,
                    )
                )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return "Your password must follow the rules of each council you work with."


class PersonalDetailsPasswordValidator:
    """Refuses passwords containing the user's name, e-mail address or the product's name."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        words = ["carebridge"]
        if user is not None:
            email = (getattr(user, "email", "") or "").lower()
            words += [email, email.split("@")[0]]
            words += [getattr(user, "first_name", ""), getattr(user, "last_name", "")]
        for word in words:
            word = (word or "").lower().strip()
            if len(word) >= 3 and word in lowered:
                raise ValidationError(
                    "Your password cannot contain your name, your e-mail address or the "
                    "name of this service",
                    code="password_personal",
                )

    def get_help_text(self) -> str:
        return "Your password cannot contain your name or e-mail address."


def password_rules(user: Any) -> list[str]:
    """The rules a user's new password must meet, in words, for the hint under the field."""
    policy = login_policy_for(user)
    rules = [f"Use at least {policy.password_min_length} characters."]
    for count, word, _is_kind, _code in _counted(policy):
        if count:
            rules.append(f"Include at least {_plural(count, word)}.")
    rules.append("Three random words make a strong password that is easy to remember.")
    return rules
