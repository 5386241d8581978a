"""The base for every form: GOV.UK Frontend markup through crispy-forms-gds."""

from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError


class GovForm(forms.Form):
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
        for part, word in zip(self.fields, ("day", "month", "year"), strict=True):
            part.error_messages["incomplete"] = f"{named} must include a {word}"

    def compress(self, data_list: Any) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = data_list
        if not (day and month and year):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if len(str(year)) != 4 or int(year) < 1900:
            raise ValidationError(self.error_messages["year"], code="invalid")
        try:
            return date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid") from error
