"""The contract document list's filters, the council's document and termination forms, and the
provider's signature (agree or reject)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import HTML, Field, Fieldset, Fixed, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.html import format_html

from carebridge.contracts.choices import PricingBasis
from carebridge.contracts.models import ServiceLevel
from carebridge.contracts.services import Line
from carebridge.core.forms import GovForm, GuideDateField
from carebridge.organisations.models import Service
from carebridge.people.models import ServiceUser


def _password_field() -> forms.CharField:
    return forms.CharField(
        label="Password",
        help_text="Your password is your signature.",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class AgreeForm(GovForm):
    password = _password_field()


class RejectForm(GovForm):
    notes = forms.CharField(
        label="Reason for rejecting this document",
        help_text="Say what is wrong, so the council can issue a new document.",
        max_length=2000,
        # Some browsers fill the first text box of a password form with the username.
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        error_messages={"required": "Say why you are rejecting this document"},
    )
    password = _password_field()


# --- The council's contract document: the client, the service and one or more lines ----------

LINE_FIELDS = (
    "service_level",
    "quantity",
    "visits",
    "yearly_allocation",
    "rate",
    "pricing_basis",
    "start_date",
    "end_date",
)
MAX_LINES = 20
_LINE_KEY = re.compile(r"lines\.(?P<number>\d+)\.(?P<name>\w+)")


def line_field(number: int, name: str) -> str:
    """The form's name for a line's field: line_2_quantity is the service's lines.2.quantity."""
    return f"line_{number}_{name}"


# GOV.UK asks for a text box for numbers (a number box changes the value as you scroll).
_DECIMAL = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})
_WHOLE = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


def _line_amount(number: int, *, label: str, hint: str, what: str, like: str) -> forms.DecimalField:
    """An optional amount of a line (a week's quantity, a year's nights), to 2 decimal places."""
    return forms.DecimalField(
        label=label,
        help_text=hint,
        required=False,
        max_digits=7,
        decimal_places=2,
        widget=_DECIMAL,
        error_messages={
            "invalid": f"Enter the {what} of line {number} as a number, like {like}",
            "max_digits": f"The {what} of line {number} is too large",
            "max_decimal_places": f"Give the {what} of line {number} to 2 decimal places at most",
        },
    )


def _line_fields(number: int, levels: list[tuple[str, str]]) -> dict[str, forms.Field]:
    return {
        "service_level": forms.ChoiceField(
            label="Service level",
            choices=[("", "Choose a service level"), *levels],
            error_messages={
                "required": f"Choose the service level of line {number}",
                "invalid_choice": f"Choose one of the council's service levels for line {number}",
            },
        ),
        # Required unless the line is a short break: the form's clean() says so.
        "quantity": _line_amount(
            number,
            label="Quantity a week",
            hint="In the service level's unit: hours, sessions, nights or weeks. Leave it "
            "empty or 0 for a short break.",
            what="quantity a week",
            like="3.5",
        ),
        "visits": forms.IntegerField(
            label="Visits a week",
            help_text="Optional: how many visits the care is given in, for example 14.",
            required=False,
            min_value=0,
            max_value=32767,
            widget=_WHOLE,
            error_messages={
                "invalid": f"Enter the visits a week of line {number} as a whole number, like 14",
                "min_value": f"The visits a week of line {number} cannot be negative",
                "max_value": f"The visits a week of line {number} is too large",
            },
        ),
        "yearly_allocation": _line_amount(
            number,
            label="Nights a year (short breaks only)",
            hint="For a short break taken as the client needs it: the most nights in a "
            "financial year, for example 28. Leave it empty for care planned each week.",
            what="nights a year",
            like="28",
        ),
        "rate": forms.DecimalField(
            label="Rate (£)",
            help_text="For each unit, for example 16.16.",
            max_digits=9,
            decimal_places=2,
            widget=_DECIMAL,
            error_messages={
                "required": f"Enter the rate of line {number}",
                "invalid": f"Enter the rate of line {number} in pounds, like 16.16",
                "max_digits": f"The rate of line {number} is too large",
                "max_decimal_places": f"Give the rate of line {number} in pounds and pence",
            },
        ),
        "pricing_basis": forms.ChoiceField(
            label="Pricing basis",
            choices=PricingBasis.choices,
            initial=PricingBasis.SPOT,
            error_messages={"required": f"Choose the pricing basis of line {number}"},
        ),
        "start_date": GuideDateField(label=f"Start date of line {number}"),
        "end_date": GuideDateField(
            label=f"End date of line {number}",
            required=False,
            help_text="Optional: leave blank if the care is ongoing.",
        ),
    }


def _date_parts(value: Any) -> Any:
    """A date as the day, month and year boxes show it; anything typed is shown as typed."""
    if isinstance(value, date):
        return [str(value.day), str(value.month), str(value.year)]
    return value


class ContractDocumentForm(GovForm):
    """The council's Individual Service Order: who, which service, and each line of care. Lines
    are numbered from 1, as the publishing service numbers its errors."""

    ss_ref = forms.CharField(
        label="Client's SS Ref",
        help_text="The council's reference for the client.",
        max_length=30,
        error_messages={"required": "Enter the client's SS Ref"},
    )
    service = forms.TypedChoiceField(
        label="Service",
        help_text="The provider's service (site) that will deliver the care.",
        coerce=int,
        error_messages={
            "required": "Choose the service",
            "invalid_choice": "Choose one of the services of a provider the council contracts with",
        },
    )
    care_package_reference = forms.CharField(
        label="Care package reference",
        max_length=50,
        error_messages={"required": "Enter the care package reference"},
    )
    # How many lines the page shows; the view reads it before building the form.
    line_count = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        line_count: int,
        clients: QuerySet[ServiceUser],
        services: list[Service],
        levels: list[ServiceLevel],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.number_of_lines = line_count
        self.clients = clients
        self.services = {service.pk: service for service in services}
        self.levels = {str(level.pk): level for level in levels}
        self.client: ServiceUser | None = None
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a service"),
            *((s.pk, f"{s.name} ({s.provider.name})") for s in services),
        ]
        self.fields["line_count"].initial = line_count
        level_choices = [(str(level.pk), level.name) for level in levels]
        for number in range(1, line_count + 1):
            for name, line in _line_fields(number, level_choices).items():
                self.fields[line_field(number, name)] = line
        self.helper.layout = self._layout()

    def _layout(self) -> Layout:
        parts: list[Any] = [
            Field.text("ss_ref", field_width=Fixed.TEN),
            Field.select("service"),
            Field.text("care_package_reference", field_width=Fixed.TEN),
            Field("line_count"),
        ]
        for number in range(1, self.number_of_lines + 1):
            remove = (
                HTML(
                    format_html(
                        '<button type="submit" name="remove" value="{}" class="govuk-button '
                        'govuk-button--secondary" data-module="govuk-button">Remove<span '
                        'class="govuk-visually-hidden"> line {}</span></button>',
                        number,
                        number,
                    )
                )
                if self.number_of_lines > 1
                else HTML("")
            )
            parts.append(
                Fieldset(
                    Field.select(line_field(number, "service_level")),
                    Field.text(line_field(number, "quantity"), field_width=Fixed.FIVE),
                    Field.text(line_field(number, "visits"), field_width=Fixed.THREE),
                    Field.text(line_field(number, "yearly_allocation"), field_width=Fixed.FIVE),
                    Field.text(line_field(number, "rate"), field_width=Fixed.FIVE),
                    Field.select(line_field(number, "pricing_basis")),
                    Field(line_field(number, "start_date")),
                    Field(line_field(number, "end_date")),
                    remove,
                    legend=f"Line {number}",
                    legend_size=Size.MEDIUM,
                    css_id=f"line-{number}",
                )
            )
        return Layout(*parts)

    def clean_ss_ref(self) -> str:
        ss_ref: str = self.cleaned_data["ss_ref"].strip()
        matches = list(self.clients.filter(ss_ref__iexact=ss_ref)[:2])
        exact = [person for person in matches if person.ss_ref == ss_ref]
        if len(matches) == 1 or exact:
            self.client = exact[0] if exact else matches[0]
            return ss_ref
        raise ValidationError(f"There is no client of the council with SS Ref {ss_ref}")

    def clean(self) -> dict[str, Any]:
        """A line without a quantity a week must be a short break (nights a year given)."""
        super().clean()
        data = self.cleaned_data
        for number in range(1, self.number_of_lines + 1):
            quantity = line_field(number, "quantity")
            allocation = line_field(number, "yearly_allocation")
            if (
                quantity in data
                and data[quantity] is None
                and data.get(allocation) is None
                and allocation not in self.errors
            ):
                self.add_error(quantity, f"Enter the quantity a week of line {number}")
        return data

    def lines(self) -> list[Line]:
        """The lines as the publishing service takes them (after is_valid): a short break's
        quantity a week left empty is 0, and so are visits left empty."""
        data = self.cleaned_data
        return [
            Line(
                service_level=self.levels[data[line_field(n, "service_level")]],
                quantity=data[line_field(n, "quantity")] or Decimal("0"),
                rate=data[line_field(n, "rate")],
                pricing_basis=data[line_field(n, "pricing_basis")],
                start_date=data[line_field(n, "start_date")],
                end_date=data[line_field(n, "end_date")],
                visits=data[line_field(n, "visits")] or 0,
                yearly_allocation=data[line_field(n, "yearly_allocation")],
            )
            for n in range(1, self.number_of_lines + 1)
        ]

    def chosen_service(self) -> Service:
        return self.services[self.cleaned_data["service"]]

    def add_errors(self, error: ValidationError) -> None:
        """The service names a line's fields lines.N.field and the client service_user."""
        if not hasattr(error, "error_dict"):
            super().add_errors(error)
            return
        renamed: dict[str, Any] = {}
        for key, errors in error.error_dict.items():
            line = _LINE_KEY.fullmatch(key)
            if line is not None:
                key = line_field(int(line["number"]), line["name"])
            elif key == "service_user":
                key = "ss_ref"
            renamed[key] = errors
        super().add_errors(ValidationError(renamed))

    def typed(self) -> dict[str, Any]:
        """What was typed into each field, as it was typed (a date as its three boxes)."""
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }

    @staticmethod
    def initial_for(
        *,
        ss_ref: str = "",
        service: Any = "",
        care_package_reference: str = "",
        lines: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """The initial values of a form with these lines (each a dict of LINE_FIELDS)."""
        initial: dict[str, Any] = {
            "ss_ref": ss_ref,
            "service": service,
            "care_package_reference": care_package_reference,
            "line_count": len(lines),
        }
        for number, line in enumerate(lines, start=1):
            for name in LINE_FIELDS:
                value = line.get(name)
                if name in ("start_date", "end_date"):
                    value = _date_parts(value)
                elif isinstance(value, Decimal):
                    value = f"{value.normalize():f}"
                if value is not None:
                    initial[line_field(number, name)] = value
        return initial

    def rearranged(self, *, add: bool = False, remove: int | None = None) -> dict[str, Any]:
        """The initial values of this form again, with a line added or one removed, so the page
        shows what was typed (unchecked) without needing JavaScript."""
        typed = self.typed()
        lines = [
            {name: typed[line_field(number, name)] for name in LINE_FIELDS}
            for number in range(1, self.number_of_lines + 1)
        ]
        if remove is not None and 1 <= remove <= len(lines) and len(lines) > 1:
            del lines[remove - 1]
        if add and len(lines) < MAX_LINES:
            lines.append({"pricing_basis": PricingBasis.SPOT})
        return self.initial_for(
            ss_ref=typed["ss_ref"] or "",
            service=typed["service"] or "",
            care_package_reference=typed["care_package_reference"] or "",
            lines=lines,
        )


class TerminationForm(GovForm):
    """The council's termination of an agreed order: the last day of care and why."""

    end_date = GuideDateField(
        label="Last day of care",
        help_text="The last day the provider delivers the order's care. For example, 31 3 2027",
    )
    reason = forms.CharField(
        label="Reason for the termination",
        help_text="The provider sees this on the termination document.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the order is terminated"},
    )
