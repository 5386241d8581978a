"""The base for every form: GOV.UK Frontend markup through crispy-forms-gds."""

from typing import Any

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
