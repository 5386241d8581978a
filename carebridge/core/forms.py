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
    """The GOV.UK date input (day, month, year) with messages that name the date."""

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(label=label, required=required, **kwargs)
        what = label[0].lower() + label[1:]
        self.what = what
        self.error_messages["required"] = f"Enter the {what}"
        self.error_messages["incomplete"] = f"Enter the {what} as a day, month and year"

    def compress(self, data_list: Any) -> date | None:
        try:
            value = super().compress(data_list)
        except ValidationError:
            raise ValidationError(f"The {self.what} must be a real date", code="invalid") from None
        if value is not None and value.year < 1900:
            raise ValidationError(f"Enter the year of the {self.what} as 4 digits, like 2026")
        return value
