"""The actions forms: a new action (with what it is about) and a post on an action's thread (the
inbox's filters are actions.filters.InboxFilters). They only read input: every write is a service
in actions.services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from carebridge.actions.choices import OFFERED_KINDS, RelatedKind
from carebridge.actions.models import ActionType
from carebridge.core import uploads
from carebridge.core.forms import GovForm, GuideDateField
from carebridge.organisations.models import Team

# The most files one post may carry.
MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each is checked by the service (uploads.check)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attachments (optional)")
        kwargs.setdefault(
            "help_text",
            "You can attach several files: PDF, Word, Excel or images (PNG, JPEG or GIF), each smaller than 10 MB.",
        )
        super().__init__(**kwargs)
        self.widget.attrs["class"] = "govuk-file-upload"

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [f for f in files if f]
        if len(files) > MAX_FILES:
            raise ValidationError(f"Attach up to {MAX_FILES} files at a time")
        cleaned = [super(AttachmentsField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            uploads.check(upload)
        return cleaned


def entity_value(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


class ActionForm(GovForm):
    """A new action: the guide's Type, Related to, Entity, Due date, Assign to, Title and Text."""

    action_type = forms.TypedChoiceField(
        label="Type", coerce=int, error_messages={"required": "Choose the type of action"}
    )
    related_kind = forms.ChoiceField(
        label="Related to",
        error_messages={"required": "Choose what the action is related to"},
        help_text="The kind of thing the action is about.",
    )
    entity = forms.ChoiceField(
        label="Entity",
        required=False,
        help_text="Which one: choose from the group for what it is related to "
        "(not needed when it is related to the provider).",
    )
    due_date = GuideDateField(label="Due date")
    team = forms.TypedChoiceField(
        label="Assign to",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Only for types without a team of their own (such as Other or Telephone "
        "call): other types go to their team.",
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Enough detail for the action to be resolved in one visit.",
        error_messages={"required": "Enter the text of the action"},
    )
    attachments = AttachmentsField()

    def __init__(
        self,
        *args: Any,
        types: Sequence[ActionType],
        teams: Sequence[Team] | None,
        entities: dict[str, list[tuple[str, str]]],
        narrow_url: str = "",
        held_kinds: Sequence[str] = (),
        due_date_required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not due_date_required:
            # The council sets the due dates itself (its rulebook says a provider need not).
            self.fields["due_date"] = GuideDateField(
                label="Due date (optional)",
                required=False,
                name="the due date",
                help_text="You do not need to set one: the council can. For example, 27 3 2026",
            )
        if narrow_url:
            # With JavaScript, choosing "Related to" asks for that kind's entities alone and
            # swaps them in; without it, the grouped list stays and clean() checks the pair.
            self.fields["related_kind"].widget.attrs.update(
                {
                    "hx-get": narrow_url,
                    "hx-trigger": "change",
                    "hx-target": "#id_entity",
                    "hx-select": "#id_entity",
                    "hx-swap": "outerHTML",
                }
            )
        cast(forms.ChoiceField, self.fields["action_type"]).choices = [("", "Please select")] + [
            (t.pk, _type_label(t)) for t in types
        ]
        cast(forms.ChoiceField, self.fields["related_kind"]).choices = [
            ("", "Please select"),
            *((kind, RelatedKind(kind).label) for kind in (*OFFERED_KINDS, *held_kinds)),
        ]
        cast(forms.ChoiceField, self.fields["entity"]).choices = [("", "Please select")] + [
            (RelatedKind(kind).label, options) for kind, options in entities.items() if options
        ]
        if teams is None:
            # The council's own actions go to the provider.
            del self.fields["team"]
        else:
            cast(forms.ChoiceField, self.fields["team"]).choices = [("", "The type's team")] + [
                (t.pk, t.name) for t in teams
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("related_kind")
        entity = data.get("entity") or ""
        data["related_id"] = None
        if kind and kind != RelatedKind.PROVIDER:
            entity_kind, _sep, pk = entity.partition(":")
            if entity_kind != kind or not pk.isdigit():
                self.add_error("entity", f"Choose the {RelatedKind(kind).label.lower()}")
            else:
                data["related_id"] = int(pk)
        return data

    def add_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "related_id" in error.error_dict:
            renamed = dict(error.error_dict)
            renamed["entity"] = renamed.pop("related_id")
            error = ValidationError(renamed)
        super().add_errors(error)


def _type_label(action_type: ActionType) -> str:
    if action_type.is_safeguarding:
        return f"{action_type.name} (straight to the safeguarding team, urgent)"
    if action_type.default_team is not None:
        return f"{action_type.name} ({action_type.default_team.name})"
    return f"{action_type.name} (choose the team)"


class PostForm(GovForm):
    """A comment, reply, closure request or closure on an action's thread."""

    text = forms.CharField(
        label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField()
    team = forms.TypedChoiceField(
        label="Assign to",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The council team a reply or closure request goes to.",
    )
    due_date = GuideDateField(
        label="New due date",
        required=False,
        name="the new due date",
        help_text="Optional. For example, 27 3 2026",
    )

    def __init__(self, *args: Any, teams: Sequence[Team] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
        else:
            cast(forms.ChoiceField, self.fields["team"]).choices = [
                ("", "The team it is with now")
            ] + [(t.pk, t.name) for t in teams]
