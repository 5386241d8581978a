"""The front-door officers' forms: the queue's filters and each triage step. They only read
input; the writes are services in frontdoor.services."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms

from carebridge.core.forms import BoundedTextForm, GovForm, GuideDateField
from carebridge.frontdoor.choices import WEEKDAYS, RequestStatus, TeamRoute
from carebridge.frontdoor.models import NEEDS, FrontDoorTeam
from carebridge.organisations.models import Team
from carebridge.people.models import ServiceUser

NEW = "new"


class QueueFiltersForm(BoundedTextForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "Waiting for the council"), ("all", "Any")]
        + [(s.value, s.label) for s in RequestStatus if s != RequestStatus.SIGNPOSTED],
    )
    urgent_only = forms.BooleanField(label="Urgent only", required=False)
    q = forms.CharField(label="Reference, name or postcode", required=False, max_length=100)
    # The council's front-door teams are added per request (QueueFilters).
    team = forms.ChoiceField(label="Team", required=False, choices=[("all", "Any team")])


def _text(
    label: str, required_message: str, *, hint: str = "", required: bool = True
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=hint,
        error_messages={"required": required_message},
    )


class InformationForm(GovForm):
    text = _text(
        "What do you need to know?",
        "Enter what you need to know",
        hint="The person reads this on their tracking page, and we e-mail them to look.",
    )


class NoteForm(GovForm):
    text = _text("Note", "Enter the note", hint="Only council staff see notes.")


class CloseForm(GovForm):
    text = _text(
        "Outcome",
        "Enter the outcome the person will read",
        hint="The person reads this on their tracking page.",
    )


class RedirectForm(GovForm):
    redirected_to = forms.CharField(
        label="Redirected to",
        max_length=200,
        help_text="The service that fits better, for example the community mental health team.",
        error_messages={"required": "Enter the service you are redirecting them to"},
    )
    text = _text(
        "What the person needs to know",
        "Enter what you are telling the person",
        hint="How to reach that service. The person reads this on their tracking page.",
    )


class AppropriateForm(GovForm):
    appropriate = forms.TypedChoiceField(
        label="Was sending this request to the council appropriate?",
        choices=[("yes", "Yes, an appropriate referral"), ("no", "No, an inappropriate referral")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the referral was appropriate"},
    )


class AcceptForm(GovForm):
    """Accept for assessment: a person the council knows, or a new one (with their SS Ref)."""

    service_user = forms.ChoiceField(
        label="Who is this?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person, or add them as new"},
    )
    ss_ref = forms.CharField(
        label="SS Ref",
        required=False,
        max_length=30,
        help_text="Only for someone new: their reference in the case-management system.",
    )
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = GuideDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 1941"
    )
    text = _text(
        "Message to the person (optional)",
        "",
        required=False,
        hint="What happens next, for example when the assessor will call.",
    )

    def __init__(self, *args: Any, matches: list[ServiceUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(person.pk),
                f"{person.full_name}, born {person.date_of_birth:%-d %B %Y} ({person.ss_ref})",
            )
            for person in matches
        ]
        choices.append((NEW, "Someone new to the council's records"))
        cast(forms.ChoiceField, self.fields["service_user"]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("service_user") == NEW:
            for name, message in (
                ("ss_ref", "Enter the SS Ref from the case-management system"),
                ("first_name", "Enter the first name"),
                ("last_name", "Enter the last name"),
                ("date_of_birth", "Enter the date of birth"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


FormT = TypeVar("FormT", bound=forms.Form)

_TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I.%M%p", "%I%p"]


def _office_time(label: str, what: str, example: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=_TIME_FORMATS,
        help_text=f"For example, {example}",
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what}, like {example}",
        },
    )


def keep_carried(form: FormT) -> FormT:
    """Leave the bound form only the fields its POST carried, so a partial or empty POST never
    blanks a setting it did not send. A group of checkboxes (which sends nothing when none is
    ticked) is carried by the hidden "<name>-carried" marker the page sends with it."""
    if form.is_bound:
        for name in list(form.fields):
            if name not in form.data and f"{name}-carried" not in form.data:
                del form.fields[name]
    return form


class SettingsForm(GovForm):
    """The council's front-door settings that its front-door officers keep."""

    contact_phone = forms.CharField(label="Front-door phone", max_length=30, required=False)
    contact_hours = forms.CharField(
        label="Phone hours",
        max_length=200,
        required=False,
        help_text="For example, Monday to Friday, 9am to 5pm.",
    )
    office_days = forms.TypedMultipleChoiceField(
        label="Days the office is open",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Bank holidays are always shut.",
        error_messages={"required": "Select the days the office is open"},
    )
    office_opens = _office_time("Office opens", "the time the office opens", "09:00")
    office_closes = _office_time("Office closes", "the time the office closes", "17:00")
    out_of_hours_contact = forms.CharField(
        label="Out-of-hours emergency duty team",
        max_length=200,
        required=False,
        help_text="Shown whenever the office is shut, for example: Emergency duty team "
        "(evenings, weekends and bank holidays) 01632 960 999.",
    )
    response_promise_hours = forms.IntegerField(
        label="Response promise, in business hours",
        min_value=1,
        max_value=400,
        help_text="People are told their request will be looked at within this many business "
        "hours (the office hours above, bank holidays shut), and the time that makes it.",
        error_messages={
            "required": "Enter the response promise in business hours",
            "invalid": "Enter the response promise as a whole number of hours, like 24",
            "min_value": "The response promise must be at least 1 business hour",
            "max_value": "The response promise must be 400 business hours or fewer",
        },
    )
    default_team = forms.ModelChoiceField(
        label="Default team",
        queryset=FrontDoorTeam.objects.none(),
        required=False,
        empty_label="No default team",
        help_text="Takes every request that no team's rules match.",
    )
    emergency_contacts = forms.CharField(
        label="Emergency contacts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, shown at once when someone may be in danger. 999 and NHS 111 "
        "are always shown first.",
    )

    def __init__(self, *args: Any, council_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "default_team" in self.fields:
            cast(
                forms.ModelChoiceField, self.fields["default_team"]
            ).queryset = FrontDoorTeam.objects.filter(council_id=council_id).select_related("team")

    def clean_office_days(self) -> str:
        return "".join(sorted(self.cleaned_data.get("office_days") or []))


class FrontDoorTeamForm(GovForm):
    """One of the council's teams, with the requests the front door routes to it."""

    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        help_text="The council team, with the e-mail address it is told of moved requests at.",
        error_messages={"required": "Select the team", "invalid_choice": "Select the team"},
    )
    order = forms.IntegerField(
        label="Order",
        min_value=1,
        max_value=99,
        help_text="Teams are tried lowest first: the first whose rules a request meets takes it.",
        error_messages={
            "required": "Enter the team's order",
            "invalid": "Enter the order as a whole number, like 1",
            "min_value": "The order must be 1 or more",
            "max_value": "The order must be 99 or less",
        },
    )
    routes = forms.MultipleChoiceField(
        label="Routes it takes",
        choices=TeamRoute.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for any route.",
    )
    needs = forms.MultipleChoiceField(
        label="Needs it takes",
        choices=list(NEEDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A request that flagged any one of these. Leave all unticked for any need.",
    )
    districts = forms.CharField(
        label="Postcode districts it takes",
        max_length=500,
        required=False,
        help_text="Outward codes separated by spaces, for example TF1 TF2. Leave blank for any "
        "area.",
    )

    def __init__(self, *args: Any, council_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.filter(
            council_id=council_id
        )


class MoveForm(GovForm):
    """Move a request to another of the council's front-door teams, saying why."""

    team = forms.ChoiceField(
        label="Move it to",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the team to move it to"},
    )
    reason = forms.CharField(
        label="Why are you moving it?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The receiving team reads this; the person does not.",
        error_messages={"required": "Enter why you are moving the request"},
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(team.pk), team.name) for team in teams]
        cast(forms.ChoiceField, self.fields["team"]).choices = choices


class OpenForm(GovForm):
    """Opening or closing the public front door: the page states which, the person confirms."""

    is_open = forms.TypedChoiceField(
        choices=[("yes", "Open"), ("no", "Closed")],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
        error_messages={"required": "Choose whether to open or close the front door"},
    )
    confirm = forms.BooleanField(
        label="I understand",
        required=True,
        error_messages={"required": "Confirm that you mean to do this"},
    )


def _outbound_url(label: str, hint: str) -> forms.URLField:
    return forms.URLField(
        label=label,
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=hint,
        error_messages={"invalid": "Enter a web address that starts with https://"},
    )


class ConnectionsForm(GovForm):
    """Where the council's data goes and what the portal fetches: administrators only."""

    crm_webhook_url = _outbound_url(
        "CRM webhook",
        "Requests sent to the council are posted here as signed JSON. Leave blank for none.",
    )
    directory_feed_url = _outbound_url(
        "Directory feed (Open Referral UK)",
        "The services endpoint of the council's community directory, read each night.",
    )

    def clean(self) -> dict[str, Any]:
        from carebridge.core.outbound import url_refusal

        data = super().clean() or {}
        for name in ("crm_webhook_url", "directory_feed_url"):
            value = data.get(name)
            refusal = url_refusal(value) if value else ""
            if refusal and name not in self.errors:
                self.add_error(name, refusal)
        return data
