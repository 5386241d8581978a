"""Checks for the details on organisation, service and contact forms, with messages a provider's
office staff can act on. Postcodes are checked by `people.validators`."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

PHONE_MESSAGE = "Enter a UK telephone number, like 01632 960 001"
FAX_MESSAGE = "Enter a UK fax number, like 01632 960 002"
MOBILE_MESSAGE = "Enter a UK mobile number, like 07700 900 982"
UPRN_MESSAGE = "Enter the UPRN as up to 12 digits, like 100023336956"
USRN_MESSAGE = "Enter the USRN as up to 8 digits, like 21403780"

# What people type between digits: spaces, hyphens, dots and brackets around the area code.
_SEPARATORS = re.compile(r"[\s\-.()]+")
# A UK number: 0 then 9 or 10 digits, or +44 for the 0.
_UK_PHONE = re.compile(r"(?:0|\+44)[1-9][0-9]{8,9}")
_UK_MOBILE = re.compile(r"(?:0|\+44)7[0-9]{9}")
_UPRN = re.compile(r"[0-9]{1,12}")
_USRN = re.compile(r"[0-9]{1,8}")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value)


def validate_phone(value: str) -> None:
    if not _UK_PHONE.fullmatch(_compact(value)):
        raise ValidationError(PHONE_MESSAGE, code="invalid")


def validate_fax(value: str) -> None:
    """A fax number is a landline number: the same rule as a telephone number."""
    if not _UK_PHONE.fullmatch(_compact(value)):
        raise ValidationError(FAX_MESSAGE, code="invalid")


def validate_mobile(value: str) -> None:
    if not _UK_MOBILE.fullmatch(_compact(value)):
        raise ValidationError(MOBILE_MESSAGE, code="invalid")


def validate_uprn(value: str) -> None:
    if not _UPRN.fullmatch(value):
        raise ValidationError(UPRN_MESSAGE, code="invalid")


def validate_usrn(value: str) -> None:
    if not _USRN.fullmatch(value):
        raise ValidationError(USRN_MESSAGE, code="invalid")


def normalise_phone(value: str) -> str:
    """A number as typed, with runs of spaces made one: people read their own grouping best."""
    return " ".join(value.split())


def normalise_email(value: str) -> str:
    """An e-mail address as kept: an account's log-in (accounts) and a contact's address asked
    for in a change request compare the same way."""
    return value.strip().lower()
