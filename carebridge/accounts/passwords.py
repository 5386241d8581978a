"""Password rules: the council rulebooks' own, and the ones that always apply.

Always: not a common password (Django's list of 20,000), no context word (the product's name and
its trade's words, the user's names and e-mail local part, their organisations' names),
at least 64 characters allowed, paste allowed and nothing truncated (the forms take 1,024).
Where `PWNED_PASSWORDS_URL` is set: not a password known from a data breach.
"""

import hashlib
import http.client
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from carebridge.accounts.policy import login_policy_for
from carebridge.core.outbound import OutboundRefused, open_url
from carebridge.organisations.selectors import councils_of_provider

logger = logging.getLogger(__name__)

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


# Words no password may contain (ASVS 6.1.2; the list is in docs/security.md, "Authentication
# pathways"): the product's name and the words of its trade that someone guessing at a council's
# portal would try first, beside the user's own names and their organisations' names.
CONTEXT_WORDS = (
    "carebridge",
    "portal",
    "council",
    "provider",
    "broker",
    "homecare",
    "socialcare",
    "password",
    "passcode",
)
# Shorter words (a first name like "Ana", "Ltd") would refuse too many good passwords by chance.
CONTEXT_WORD_MIN_LENGTH = 4


def _run_together(text: str) -> str:
    """Lower case, with spaces and punctuation gone: "Wrekin-Shire" and "wrekin shire" alike."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# Words that say what kind of organisation a name is, not which one: an attacker learns nothing
# from them, and refusing them would refuse "careful" to everyone at "Oak Home Care Ltd".
GENERIC_NAME_WORDS = frozenset(
    [
        "care",
        "home",
        "homes",
        "homecare",
        "council",
        "borough",
        "county",
        "city",
        "district",
        "metropolitan",
        "unitary",
        "royal",
        "services",
        "service",
        "limited",
        "health",
        "support",
        "group",
        "trust",
        "social",
        "living",
        "community",
        "nursing",
        "residential",
        "agency",
        "solutions",
        "partnership",
    ]
)


def _words_of(text: str) -> set[str]:
    """A name's own words of 4 or more letters (not its generic ones), and the whole name run
    together."""
    words = {_run_together(word) for word in re.split(r"[\W_]+", text)} - GENERIC_NAME_WORDS
    words.add(_run_together(text))
    return {word for word in words if len(word) >= CONTEXT_WORD_MIN_LENGTH}


def _names_known(user: Any) -> list[str]:
    """The user's names and e-mail local part, their council's name or their provider's name
    with the councils it works for (whose names an attacker knows it by)."""
    email = getattr(user, "email", "") or ""
    names = [getattr(user, "first_name", ""), getattr(user, "last_name", ""), email.split("@")[0]]
    if getattr(user, "council_id", None) is not None:
        names.append(user.council.name)
    elif getattr(user, "provider_id", None) is not None:
        names.append(user.provider.name)
        names += councils_of_provider(user.provider_id).values_list("name", flat=True)
    return [name for name in names if name]


def context_words(user: Any = None) -> set[str]:
    """Every word a password of this user may not contain (spaces and punctuation ignored)."""
    words = set(CONTEXT_WORDS)
    if user is not None:
        for name in _names_known(user):
            words |= _words_of(name)
    return words


class PersonalDetailsPasswordValidator:
    """Refuses a password containing a context word (ASVS 6.1.2): the product's name and its
    trade's words, the user's names and e-mail local part, and their organisations' names, in
    any case, whatever spaces or punctuation are put between the letters."""

    def validate(self, password: str, user: Any = None) -> None:
        plain = _run_together(password)
        # The longest first: "wrekinshire" says more than the "shire" inside it.
        found = sorted((w for w in context_words(user) if w in plain), key=lambda w: (-len(w), w))
        if found:
            raise ValidationError(
                'Your password cannot contain "%(word)s": choose one without your '
                "name, your e-mail address, your organisation's name or words about this "
                "service",
                code="password_personal",
                params={"word": found[0]},
            )

    def get_help_text(self) -> str:
        return (
            "Your password cannot contain your name, your e-mail address, your organisation's "
            "name or words about this service."
        )


def password_rules(user: Any) -> list[str]:
    """The rules a user's new password must meet, in words, for the hint under the field."""
    policy = login_policy_for(user)
    rules = [f"Use at least {policy.password_min_length} characters."]
    for count, word, _is_kind, _code in _counted(policy):
        if count:
            rules.append(f"Include at least {_plural(count, word)}.")
    rules.append("Three random words make a strong password that is easy to remember.")
    return rules


BREACHED_MESSAGE = "This password has appeared in a data breach, choose a different one"
# Short: someone is waiting on the page, and a slow answer is treated as no answer.
BREACH_CHECK_TIMEOUT_SECONDS = 3.0
# A range answer is about 1,000 lines of 40 characters (padded to at most about 1,000 more).
_RANGE_MOST_BYTES = 256 * 1024


def breach_count(
    password: str, *, url: str, timeout: float = BREACH_CHECK_TIMEOUT_SECONDS
) -> int | None:
    """How often the password appears in Pwned Passwords' breached set (0: never), asked by
    k-anonymity: only the first 5 hex characters of its SHA-1 leave this server, with padding
    asked for so the answer's size tells an onlooker nothing. None when the service could not
    be asked (down, slow, refused, a strange answer): the caller lets the password through."""
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = digest[:5], digest[5:]
    request = urllib.request.Request(  # noqa: S310 (open_url guards the address)
        f"{url.rstrip('/')}/{prefix}",
        headers={"Add-Padding": "true", "User-Agent": "Carebridge password check"},
    )
    try:
        with open_url(request, timeout=timeout) as response:
            body = response.read(_RANGE_MOST_BYTES + 1)
    except (OutboundRefused, urllib.error.URLError, http.client.HTTPException, OSError) as error:
        logger.warning("Breached-password check not made (password allowed): %s", error)
        return None
    if len(body) > _RANGE_MOST_BYTES:
        logger.warning("Breached-password check not made (password allowed): answer too long")
        return None
    for line in body.decode("ascii", errors="replace").splitlines():
        found, _, count = line.strip().partition(":")
        if found.upper() == suffix:
            # Padding lines are made-up suffixes with a count of 0.
            return int(count) if count.isdigit() else 0
    return 0


class BreachedPasswordValidator:
    """Refuses a password known from a data breach (ASVS 6.2.12), when `PWNED_PASSWORDS_URL`
    names a Pwned Passwords range API. A service that cannot be asked stops no one setting a
    password: the check is skipped with a logged warning."""

    def validate(self, password: str, user: Any = None) -> None:
        url = getattr(settings, "PWNED_PASSWORDS_URL", "")
        if url and breach_count(password, url=url, timeout=BREACH_CHECK_TIMEOUT_SECONDS):
            raise ValidationError(BREACHED_MESSAGE, code="password_breached")

    def get_help_text(self) -> str:
        return "Your password cannot be one that has appeared in a data breach."
