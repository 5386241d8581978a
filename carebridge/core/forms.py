"""The base for every form: GOV.UK Frontend markup through crispy-forms-gds, and text fields
that are always bounded (a maximum length, no control characters)."""

from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

from carebridge.core.bounds import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    date_in_bounds,
    refuse_control_characters,
)

# The lengths a text field gets when nothing closer to its meaning (a model field's max_length,
# a format's own limit) gives it one: a name or a reference on one line, a comment or a
# description over several.
ONE_LINE_MAX = 300
MULTI_LINE_MAX = 10_000


def too_long_message(label: object, limit: int) -> str:
    """The GOV.UK character count's words: "Comment must be 10,000 characters or fewer"."""
    name = str(label or "").removesuffix(" (optional)").strip()
    if not name or name.endswith("?"):
        # A question makes a poor subject for the sentence.
        name = "Your answer"
    return f"{name[0].upper()}{name[1:]} must be {limit:,} characters or fewer"


def bound_text_field(field: forms.Field) -> None:
    """Give a text field a maximum length (when it has none) and refuse control characters in
    it, with messages a person can act on. Safe to call more than once."""
    if getattr(field, "bounded_text", False):
        return
    if isinstance(field, forms.MultiValueField):
        for part in field.fields:
            bound_text_field(part)
    if isinstance(field, forms.CharField):
        if field.max_length is None:
            multi_line = isinstance(field.widget, forms.Textarea)
            field.max_length = MULTI_LINE_MAX if multi_line else ONE_LINE_MAX
            field.validators.append(MaxLengthValidator(field.max_length))
        field.error_messages.setdefault(
            "max_length", too_long_message(field.label, field.max_length)
        )
        # Django's own check covers NUL alone, in its own words: this one covers every control
        # character, in ours.
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        field.validators.append(refuse_control_characters)
    field.bounded_text = True  # type: ignore[attr-defined]


class BoundedTextForm(forms.Form):
    """The base of every form, GOV.UK or GET filters: each text field has a maximum length and
    refuses control characters (PostgreSQL cannot store a NUL, and nobody types the others)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The fields this class declares itself; inherited ones were bounded with their class.
        for field in cls.__dict__.get("declared_fields", {}).values():
            bound_text_field(field)

    def full_clean(self) -> None:
        # Fields a form adds in its own __init__ (lines, choices) are bounded here.
        for field in self.fields.values():
            bound_text_field(field)
        super().full_clean()


class GovForm(BoundedTextForm):
    """Fields render as GOV.UK components; the page template supplies the form tag and buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def add_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError against the right fields (or the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class GuideDateField(DateInputField):
    """The GOV.UK date input (day, month, year). Its messages name the date and, when part of it
    is missing, which part ("The start date must include a month"), as the design system asks."""

    def __init__(self, *, label: str, required: bool = True, name: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        # Not require_all_fields: compress sees a half-filled date, so the message can name the gap.
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        name = name or f"the {label[0].lower()}{label[1:]}"
        named = f"{name[0].upper()}{name[1:]}"
        self.error_messages["required"] = f"Enter {name}"
        self.error_messages["incomplete"] = f"{named} must include a day, month and year"
        self.error_messages["invalid_date"] = f"{named} must be a real date"
        self.error_messages["year"] = f"The year of {name} must include 4 numbers"
        self.error_messages["out_of_range"] = (
            f"{named} must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
        )
        for part, word in zip(self.fields, ("day", "month", "year"), strict=True):
            part.error_messages["incomplete"] = f"{named} must include a {word}"

    def compress(self, data_list: Any) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = data_list
        if not (day and month and year):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if len(str(year)) != 4:
            raise ValidationError(self.error_messages["year"], code="invalid")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid") from error
        if not date_in_bounds(value):
            # Year 9999 is a real date, but every deadline counted from it overflows.
            raise ValidationError(self.error_messages["out_of_range"], code="date_out_of_range")
        return value


EMAIL_FORMAT_MESSAGE = "Enter an e-mail address in the correct format, like name@example.com"


def email_field(
    label: str = "E-mail address", *, required_message: str, **options: Any
) -> forms.EmailField:
    """An e-mail address field: 254 characters at most and, for an address that is not one,
    the GOV.UK pattern's words (`options` as forms.EmailField's, say help_text or widget)."""
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages={"required": required_message, "invalid": EMAIL_FORMAT_MESSAGE},
        **options,
    )
