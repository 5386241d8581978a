"""The forms of the council's own help: a support contact, and an entry of each kind (a do, a
don't, a question and its answer, a note on a page), each checked again by the services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.core.exceptions import ValidationError

from carebridge.core.forms import GovForm, email_field
from carebridge.help import topics
from carebridge.help.choices import EntryKind
from carebridge.help.services import BODY_MAX, NO_WAY_TO_CONTACT_MESSAGE
from carebridge.organisations.validators import PHONE_MESSAGE, normalise_phone, validate_phone


class ContactForm(GovForm):
    team = forms.CharField(
        label="Team",
        max_length=200,
        help_text="The name people will recognise, for example Brokerage team.",
        error_messages={"required": "Enter the team's name"},
    )
    what_for = forms.CharField(
        label="What to contact them about (optional)",
        max_length=300,
        required=False,
        help_text="For example, questions about payments and remittance advice.",
    )
    phone = forms.CharField(
        label="Telephone (optional)",
        max_length=30,
        required=False,
        validators=[validate_phone],
        error_messages={"invalid": PHONE_MESSAGE},
    )
    email = email_field(
        "E-mail address (optional)",
        required=False,
        required_message="Enter the team's e-mail address",
    )
    hours = forms.CharField(
        label="Opening hours (optional)",
        max_length=200,
        required=False,
        help_text="For example, Monday to Friday, 9am to 5pm.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "off", "type": "tel"})
        self.fields["email"].widget.attrs.update({"spellcheck": "false"})
        self.helper.layout = Layout(
            Field.text("team"),
            Field.text("what_for"),
            Field.text("phone", field_width=20),
            Field.text("email"),
            Field.text("hours"),
        )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("phone") and not data.get("email"):
            raise ValidationError({"phone": NO_WAY_TO_CONTACT_MESSAGE})
        return data


# What each kind of entry asks for: (the heading's label, whether it must be given, the text's
# label, its hint).
_WORDS: dict[EntryKind, tuple[str, bool, str, str]] = {
    EntryKind.DO: (
        "Short heading (optional)",
        False,
        "What to do",
        "One piece of advice, in a sentence or two.",
    ),
    EntryKind.DONT: (
        "Short heading (optional)",
        False,
        "What not to do",
        "One thing to avoid, and why, in a sentence or two.",
    ),
    EntryKind.FAQ: ("Question", True, "Answer", "Leave a blank line between paragraphs."),
    EntryKind.PAGE_NOTE: (
        "Heading (optional)",
        False,
        "Note",
        "Shown beside the portal's own help for the page. Leave a blank line between paragraphs.",
    ),
}


def page_choices() -> list[tuple[str, str]]:
    """Every help topic, by title, for the page a note is about."""
    return [("", "Choose a page")] + [
        (slug, each.title) for slug, each in topics.all_topics().items()
    ]


class EntryForm(GovForm):
    topic = forms.ChoiceField(
        label="Page", choices=(), error_messages={"required": "Choose the page the note is about"}
    )
    title = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea, max_length=BODY_MAX)

    def __init__(self, *args: Any, kind: EntryKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        title_label, title_required, body_label, body_hint = _WORDS[kind]
        title, body = self.fields["title"], self.fields["body"]
        title.label, title.required = title_label, title_required
        title.error_messages["required"] = "Enter the question"
        body.label, body.help_text = body_label, body_hint
        body.error_messages["required"] = f"Enter the {body_label[0].lower()}{body_label[1:]}"
        body.error_messages["max_length"] = f"{body_label} must be {BODY_MAX:,} characters or fewer"
        fields = []
        if kind == EntryKind.PAGE_NOTE:
            self.fields["topic"].choices = page_choices()  # type: ignore[attr-defined]
            self.fields["topic"].help_text = "The help page the note is shown on."
            fields.append(Field.select("topic"))
        else:
            del self.fields["topic"]
        fields += [Field.text("title"), Field.textarea("body", rows=6, max_characters=BODY_MAX)]
        self.helper.layout = Layout(*fields)
