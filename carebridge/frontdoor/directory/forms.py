"""Forms of the directory pages."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from carebridge.core import uploads
from carebridge.core.forms import GovForm, email_field
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.directory.fetch import MAX_FEED_BYTES
from carebridge.frontdoor.directory.selectors import TermUse
from carebridge.frontdoor.directory.taxonomy import TermChoice


class NeighbouringAreaForm(GovForm):
    name = forms.CharField(
        label="Council name",
        max_length=200,
        help_text='For example "Ashcombe District Council".',
        error_messages={"required": "Enter the council's name"},
    )
    postcode_districts = forms.CharField(
        label="Postcode districts it looks after",
        max_length=500,
        help_text="The outward codes, the first part of a postcode, separated by spaces. "
        "For example, NG21 NG22.",
        error_messages={"required": "Enter at least one postcode district"},
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The council's adult social care page.",
        error_messages={"invalid": "Enter the website address, like https://www.example.gov.uk"},
    )
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)

    def clean_postcode_districts(self) -> str:
        codes = oruk.outward_codes(self.cleaned_data["postcode_districts"])
        wrong = oruk.invalid_outward_codes(codes)
        if wrong:
            raise ValidationError(
                "Enter postcode districts like NG22, separated by spaces: " + ", ".join(wrong)
            )
        if not codes:
            raise ValidationError("Enter at least one postcode district")
        return " ".join(codes)


def term_field_name(term: TermUse) -> str:
    """A stable field name for a term, whatever order the terms come in."""
    digest = hashlib.sha256(f"{term.vocabulary}\x1f{term.term_id}".encode()).hexdigest()
    return f"term_{digest[:16]}"


class TaxonomyMappingForm(GovForm):
    """One select per taxonomy term of the council's feed; the page lays them out as a table."""

    def __init__(self, *args: Any, terms: Sequence[TermUse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = list(terms)
        choices = [("", "Not mapped"), *SignpostNeed.choices]
        for term in self.terms:
            self.fields[term_field_name(term)] = forms.ChoiceField(
                label=f"Need for {term.term_name}",
                choices=choices,
                required=False,
                initial=term.outcome,
            )

    def rows(self) -> list[tuple[TermUse, forms.BoundField]]:
        return [(term, self[term_field_name(term)]) for term in self.terms]

    def choices_made(self) -> list[TermChoice]:
        return [
            TermChoice(
                vocabulary=term.vocabulary,
                term_id=term.term_id,
                term_name=term.term_name,
                outcome=self.cleaned_data.get(term_field_name(term), ""),
            )
            for term in self.terms
        ]


class FeedUploadForm(GovForm):
    feed = forms.FileField(
        label="Upload a feed file",
        help_text="An Open Referral UK services list saved as JSON.",
        error_messages={"required": "Choose a feed file"},
    )

    def clean_feed(self) -> Any:
        upload = self.cleaned_data["feed"]
        if upload.size > MAX_FEED_BYTES:
            raise ValidationError(
                f"The file must be smaller than {MAX_FEED_BYTES // 1024 // 1024} MB"
            )
        uploads.check(upload, accept=uploads.JSON_FILE, limit=MAX_FEED_BYTES)
        return upload


class ListEmailForm(GovForm):
    email = email_field(
        "Your e-mail address",
        required_message="Enter your e-mail address",
        help_text="We will only use it to send you this list.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
