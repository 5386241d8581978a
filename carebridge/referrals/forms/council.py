"""The council's referral forms: the new referral, with the HomeFirst guide's sections, and withdrawal."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import (
    Field,
    Fieldset,
    Fixed,
    Fluid,
    Layout,
    Size,
)
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.organisations.models import Council, District, Provider
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser
from carebridge.people.validators import normalise_postcode, postcode_is_valid
from carebridge.referrals.choices import Source
from carebridge.referrals.forms.options import NamedChoiceField
from carebridge.referrals.rules import (
    NEW_PERSON_REQUIRED,
    PostcodeOutside,
    postcode_outside,
    referral_check,
)


def _text(
    label: str, *, max_length: int, required: bool = False, message: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label if required or message else f"{label} (optional)",
        max_length=max_length,
        required=required,
        error_messages={"required": message} if message else {},
    )


def _long_text(
    label: str,
    *,
    required: bool = False,
    message: str = "",
    help_text: str = "",
    optional: bool = True,
) -> forms.CharField:
    return forms.CharField(
        label=f"{label} (optional)" if optional and not required else label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": message} if message else {},
    )


def _yes_no(value: str) -> bool:
    return value == "yes"


# The new person's details: ignored when the SS Ref of an existing service user is given.
PERSON_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "date_of_birth",
    "ss_ref",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "phone",
    "mobile",
    "gp_name",
    "gp_practice",
    "gp_phone",
)

REFERRAL_FIELDS = (
    "source",
    "hospital",
    "ward",
    "district_team",
    "discharge_date",
    "requested_start_date",
    "next_of_kin_name",
    "next_of_kin_relationship",
    "next_of_kin_address",
    "next_of_kin_phone",
    "consent_to_share",
    "mca_best_interest",
    "health_needs",
    "home_circumstances",
    "mobility",
    "support_summary",
    "risks",
    "carers_required",
    "visits_per_day",
    "worker_name",
    "worker_team",
    "worker_phone",
    "worker_mobile",
    "completed_on",
)

# Where the service's errors belong on this form, when its names differ from the fields'.
SERVICE_ERROR_FIELDS = {
    "service_user": "existing_ss_ref",
    # Without consent the missing piece is the best-interest decision: the broker fixes it there.
    "consent_to_share": "mca_best_interest",
}


class ReferralForm(GovForm):
    """The new referral, in the sections of the HomeFirst referral."""

    # Person information
    existing_ss_ref = forms.CharField(
        label="SS Ref of an existing service user",
        help_text=(
            "If the council already knows the person, enter their SS Ref and leave the new "
            "person's details blank."
        ),
        required=False,
        max_length=30,
    )
    title = _text("Title", max_length=20)
    first_name = _text("First name", max_length=100, message=NEW_PERSON_REQUIRED["first_name"])
    last_name = _text("Last name", max_length=100, message=NEW_PERSON_REQUIRED["last_name"])
    date_of_birth = GuideDateField(
        label="Date of birth",
        required=False,
        name="the person's date of birth",
        help_text="For example, 23 4 1940",
    )
    ss_ref = forms.CharField(
        label="SS Ref",
        help_text="The council's reference for the new service user.",
        required=False,
        max_length=30,
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        help_text="10 digits, if known.",
        required=False,
        max_length=20,
    )
    address_line_1 = _text(
        "Address line 1", max_length=200, message=NEW_PERSON_REQUIRED["address_line_1"]
    )
    address_line_2 = _text("Address line 2", max_length=200)
    town = _text("Town or city", max_length=100)
    county = _text("County", max_length=100)
    postcode = _text("Postcode", max_length=10, message=NEW_PERSON_REQUIRED["postcode"])
    phone = _text("Home phone number", max_length=30)
    mobile = _text("Mobile telephone number", max_length=30)
    gp_name = _text("GP name", max_length=200)
    gp_practice = _text("GP practice", max_length=200)
    gp_phone = _text("GP practice phone number", max_length=30)

    # District and provider
    district = forms.ModelChoiceField(
        label="District",
        queryset=District.objects.none(),
        empty_label="Choose a district",
        error_messages={
            "required": "Choose the district",
            "invalid_choice": "Choose one of the council's districts",
        },
    )
    provider = NamedChoiceField(
        label="Provider",
        help_text="The provider is asked to accept or refuse the referral within its reply window.",
        queryset=Provider.objects.none(),
        empty_label="Choose a provider",
        error_messages={
            "required": "Choose the provider",
            "invalid_choice": "Choose a provider the council holds a contract with",
        },
    )

    # Next of kin
    next_of_kin_name = _text("Name", max_length=200)
    next_of_kin_relationship = _text("Relationship", max_length=100)
    next_of_kin_address = _long_text("Address")
    next_of_kin_phone = _text("Telephone number", max_length=30)

    # Referral details
    source = forms.ChoiceField(
        label="Source",
        choices=Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the referral comes from"},
    )
    hospital = forms.CharField(
        label="Hospital",
        required=False,
        max_length=200,
        help_text="If the person is leaving hospital.",
    )
    ward = forms.CharField(
        label="Ward", required=False, max_length=100, help_text="If the person is leaving hospital."
    )
    discharge_date = GuideDateField(
        label="Discharge date (optional)",
        required=False,
        name="the discharge date",
        help_text="When the person is expected to leave hospital.",
    )
    district_team = forms.CharField(
        label="District team",
        required=False,
        max_length=200,
        help_text="If a district team is making the referral.",
    )
    requested_start_date = GuideDateField(
        label="Requested service start date",
        required=True,
        name="the requested service start date",
        help_text="For example, 25 11 2026",
    )

    # Consent
    consent_to_share = forms.TypedChoiceField(
        label="Consent to share information",
        help_text="Has the person agreed that their information is shared with the provider?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the person consents to share information"},
    )
    mca_best_interest = _long_text(
        "MCA best interest",
        optional=False,
        help_text=(
            "Needed when the person does not consent: the best-interest decision made under the "
            "Mental Capacity Act 2005."
        ),
    )

    # Requirements
    health_needs = _long_text("Health needs")
    home_circumstances = _long_text("Home circumstances")
    mobility = _long_text("Mobility / transfers")
    support_summary = _long_text(
        "Summary of needs / support required",
        required=True,
        message="Enter the summary of needs and the support required",
    )
    risks = _long_text("Risks")
    carers_required = forms.TypedChoiceField(
        label="Carers required",
        choices=[(n, str(n)) for n in range(1, 5)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how many carers are required",
            "invalid_choice": "Choose from 1 to 4 carers",
        },
    )
    visits_per_day = forms.TypedChoiceField(
        label="Approximately how many visits per day will be required?",
        choices=[(n, str(n)) for n in range(1, 9)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose approximately how many visits per day will be required",
            "invalid_choice": "Choose from 1 to 8 visits per day",
        },
    )

    # Completed by
    worker_name = _text(
        "Worker name", max_length=200, required=True, message="Enter the worker's name"
    )
    worker_team = _text(
        "Worker team", max_length=200, required=True, message="Enter the worker's team"
    )
    worker_phone = _text("Work telephone number", max_length=30)
    worker_mobile = _text("Work mobile telephone number", max_length=30)
    completed_on = GuideDateField(
        label="Date", required=True, name="the date the form was completed"
    )

    # Asked for only when the postcode is not in the district's postcode districts.
    confirm_postcode = forms.BooleanField(
        label="The address and district are right: send anyway", required=False
    )

    def __init__(
        self,
        *args: Any,
        council: Council,
        service_users: models.QuerySet[ServiceUser],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.service_users = service_users
        self.service_user: ServiceUser | None = None
        self.postcode_outside: PostcodeOutside | None = None
        district_field = self.fields["district"]
        provider_field = self.fields["provider"]
        assert isinstance(district_field, forms.ModelChoiceField)
        assert isinstance(provider_field, forms.ModelChoiceField)
        district_field.queryset = council.districts.order_by("name")
        provider_field.queryset = providers_of_council(council.pk).order_by("name")
        self.helper.layout = self._layout()

    @staticmethod
    def _layout() -> Layout:
        def section(legend: str, *fields: Any) -> Fieldset:
            return Fieldset(*fields, legend=legend, legend_size=Size.MEDIUM, legend_tag="h2")

        return Layout(
            section(
                "Person information",
                Field.text("existing_ss_ref", field_width=Fixed.TEN),
                Fieldset(
                    Field.text("title", field_width=Fixed.FIVE),
                    Field.text("first_name", field_width=Fluid.TWO_THIRDS),
                    Field.text("last_name", field_width=Fluid.TWO_THIRDS),
                    Field("date_of_birth"),
                    Field.text("ss_ref", field_width=Fixed.TEN),
                    Field.text("nhs_number", field_width=Fixed.TEN),
                    Field.text("address_line_1"),
                    Field.text("address_line_2"),
                    Field.text("town", field_width=Fluid.TWO_THIRDS),
                    Field.text("county", field_width=Fluid.TWO_THIRDS),
                    Field.text("postcode", field_width=Fixed.TEN),
                    Field.text("phone", field_width=Fixed.TWENTY),
                    Field.text("mobile", field_width=Fixed.TWENTY),
                    Field.text("gp_name", field_width=Fluid.TWO_THIRDS),
                    Field.text("gp_practice", field_width=Fluid.TWO_THIRDS),
                    Field.text("gp_phone", field_width=Fixed.TWENTY),
                    legend="Or a new person",
                    legend_size=Size.SMALL,
                ),
            ),
            section("District and provider", Field.select("district"), Field.select("provider")),
            section(
                "Next of kin",
                Field.text("next_of_kin_name", field_width=Fluid.TWO_THIRDS),
                Field.text("next_of_kin_relationship", field_width=Fixed.TWENTY),
                Field.textarea("next_of_kin_address", rows=3),
                Field.text("next_of_kin_phone", field_width=Fixed.TWENTY),
            ),
            section(
                "Referral details",
                # Plain radios with every question shown: GOV.UK Frontend's revealed questions
                # put aria-expanded on radio buttons, which WCAG 4.1.2 (axe) does not allow.
                Field.radios("source"),
                Field.text("hospital", field_width=Fluid.TWO_THIRDS),
                Field.text("ward", field_width=Fixed.TWENTY),
                Field("discharge_date"),
                Field.text("district_team", field_width=Fluid.TWO_THIRDS),
                Field("requested_start_date"),
            ),
            section(
                "Consent",
                Field.radios("consent_to_share"),
                Field.textarea("mca_best_interest", rows=4),
            ),
            section(
                "Requirements",
                Field.textarea("health_needs", rows=4),
                Field.textarea("home_circumstances", rows=4),
                Field.textarea("mobility", rows=4),
                Field.textarea("support_summary", rows=5),
                Field.textarea("risks", rows=4),
                Field.radios("carers_required"),
                Field.radios("visits_per_day"),
            ),
            section(
                "Completed by",
                Field.text("worker_name", field_width=Fluid.TWO_THIRDS),
                Field.text("worker_team", field_width=Fluid.TWO_THIRDS),
                Field.text("worker_phone", field_width=Fixed.TWENTY),
                Field.text("worker_mobile", field_width=Fixed.TWENTY),
                Field("completed_on"),
            ),
        )

    @property
    def uses_existing_person(self) -> bool:
        return bool((self.data.get(self.add_prefix("existing_ss_ref")) or "").strip())

    def clean_existing_ss_ref(self) -> str:
        ss_ref = self.cleaned_data["existing_ss_ref"].strip()
        if ss_ref:
            # Only the council's own service users: another council's reference is "not found".
            self.service_user = (
                self.service_users.filter(ss_ref__iexact=ss_ref).order_by("pk").first()
            )
            if self.service_user is None:
                raise ValidationError(
                    "There is no service user with this SS Ref: check it, or leave it blank and "
                    "enter the new person's details"
                )
        return ss_ref

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        # A postcode that is not real is refused by the rules, as it was typed.
        return normalise_postcode(postcode) if postcode_is_valid(postcode) else postcode

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.uses_existing_person:
            self._ignore_new_person(data)
        self._clear_other_source(data)
        self._check_rules(data)
        return data

    def _check_rules(self, data: dict[str, Any]) -> None:
        """The rules every referral meets (`referrals.rules`, which the API and the service ask
        too), on the answers this form could read, so the first submit shows every error."""
        person = self.service_user if self.uses_existing_person else None
        new_person = None if self.uses_existing_person else {n: data.get(n) for n in PERSON_FIELDS}
        district = data.get("district")
        postcode = person.postcode if person else (data.get("postcode") or "")
        # Outside its district the broker confirms the address: a warning, not an error.
        self.postcode_outside = postcode_outside(district, postcode)
        try:
            referral_check(
                council=self.council,
                district=district,
                provider=data.get("provider"),
                service_user=person,
                new_person=new_person,
                postcode_confirmed=True,
                **{name: data.get(name) for name in REFERRAL_FIELDS},
            )
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                field = SERVICE_ERROR_FIELDS.get(name, name)
                # A field that could not be read already says so: one error at a time.
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)

    def _ignore_new_person(self, data: dict[str, Any]) -> None:
        for name in PERSON_FIELDS:
            data.pop(name, None)
            self.errors.pop(name, None)
            # A date input also keeps its parts' errors on the parts' widgets.
            for part in getattr(self.fields[name], "fields", ()):
                part.widget.errors = []

    def _clear_other_source(self, data: dict[str, Any]) -> None:
        """What was typed for the other source before the broker changed it does not apply."""
        source = data.get("source")
        if source == Source.HOSPITAL:
            data["district_team"] = ""
        elif source == Source.DISTRICT_TEAM:
            data.update(hospital="", ward="", discharge_date=None)

    def new_person(self) -> dict[str, Any] | None:
        """The new service user's details for the service, or None for an existing one."""
        if self.service_user is not None:
            return None
        data = self.cleaned_data
        person = {name: data[name] for name in PERSON_FIELDS}
        # The service user's record keeps the next of kin and consent the referral gives.
        person.update(
            next_of_kin_name=data["next_of_kin_name"],
            next_of_kin_relationship=data["next_of_kin_relationship"],
            next_of_kin_phone=data["next_of_kin_phone"],
            consent_to_share=data["consent_to_share"],
        )
        return person

    def referral_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in REFERRAL_FIELDS}

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors against this form's fields (its names are the model's)."""
        if hasattr(error, "error_dict"):
            moved: dict[str, list[ValidationError]] = {}
            for name, errors in error.error_dict.items():
                moved.setdefault(SERVICE_ERROR_FIELDS.get(name, name), []).extend(errors)
            error = ValidationError(moved)
        self.add_errors(error)


class WithdrawForm(GovForm):
    reason = forms.CharField(
        label="Reason for withdrawing this referral",
        help_text="The provider sees this reason.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reason for withdrawing this referral"},
    )
