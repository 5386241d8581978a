"""Every form in the project bounds its text: a maximum length and no control characters, so a
2 MB comment or a NUL (which PostgreSQL cannot store) is refused against its field."""

import importlib
import pkgutil
from datetime import date

import pytest
from django import forms
from django.urls import get_resolver

import carebridge
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE, refuse_control_characters
from carebridge.core.forms import (
    MULTI_LINE_MAX,
    ONE_LINE_MAX,
    BoundedTextForm,
    GovForm,
    GuideDateField,
)


def _project_forms() -> list[type[forms.BaseForm]]:
    # The pages' modules first (in the order the URLs load them), then any form module or view
    # module no URL reaches yet.
    get_resolver().url_patterns  # noqa: B018
    for module in pkgutil.walk_packages(carebridge.__path__, "carebridge."):
        last = module.name.rsplit(".", 1)[-1]
        if ".tests" not in module.name and last.startswith(("forms", "views")):
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    waiting = list(forms.BaseForm.__subclasses__())
    while waiting:
        cls = waiting.pop()
        waiting.extend(cls.__subclasses__())
        if cls.__module__.startswith("carebridge.") and ".tests" not in cls.__module__:
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORMS = _project_forms()


def _form_param(cls: type[forms.BaseForm]) -> object:
    name = f"{cls.__module__}.{cls.__qualname__}"
    return pytest.param(cls, id=name.removeprefix("carebridge."))


def _text_fields(field: forms.Field, name: str):
    if isinstance(field, forms.MultiValueField):
        for number, part in enumerate(field.fields):
            yield from _text_fields(part, f"{name}_{number}")
    if isinstance(field, forms.CharField):
        yield name, field


def test_it_finds_the_projects_forms():
    names = {cls.__qualname__ for cls in FORMS}
    assert {"PostForm", "ReferralForm", "QueueFiltersForm", "TrackForm", "LoginForm"} <= names


@pytest.mark.parametrize("form_class", [_form_param(cls) for cls in FORMS])
def test_every_text_field_of_every_form_is_bounded(form_class):
    # Fields a form adds in __init__ are bounded when it cleans: only BoundedTextForm does that.
    assert issubclass(form_class, BoundedTextForm)
    for name, field in form_class.base_fields.items():
        for part_name, text in _text_fields(field, name):
            assert text.max_length is not None, part_name
            assert refuse_control_characters in text.validators, part_name
            if isinstance(text, forms.EmailField):
                # Django's default is 320; the models (and RFC 5321) hold 254.
                assert text.max_length <= 254, part_name


class _Comment(GovForm):
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea)
    title = forms.CharField(label="Title", required=False)
    reference = forms.CharField(label="Reference", required=False, max_length=20)
    question = forms.CharField(
        label="How could we improve this service? (optional)", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late"] = forms.CharField(label="Added late", required=False)


def _errors(**data) -> dict:
    form = _Comment(data)
    form.is_valid()
    return form.errors


def test_it_bounds_multi_line_text_at_ten_thousand_characters_in_govuk_words():
    assert _errors(comment="x" * MULTI_LINE_MAX) == {}
    assert _errors(comment="x" * (MULTI_LINE_MAX + 1)) == {
        "comment": ["Comment must be 10,000 characters or fewer"]
    }


def test_it_bounds_one_line_text_and_keeps_a_fields_own_maximum():
    assert _errors(title="x" * (ONE_LINE_MAX + 1)) == {
        "title": [f"Title must be {ONE_LINE_MAX} characters or fewer"]
    }
    assert _errors(reference="x" * 21) == {
        "reference": ["Reference must be 20 characters or fewer"]
    }
    assert _errors(question="x" * (ONE_LINE_MAX + 1)) == {
        "question": [f"Your answer must be {ONE_LINE_MAX} characters or fewer"]
    }


def test_it_refuses_control_characters_once_with_its_own_words_and_keeps_new_lines():
    assert _errors(title="Ann\x00Smith") == {"title": [CONTROL_CHARACTERS_MESSAGE]}
    assert _errors(comment="Ann\x1bSmith") == {"comment": [CONTROL_CHARACTERS_MESSAGE]}
    assert _errors(comment="Line one\r\n\tLine two") == {}


def test_it_bounds_a_field_added_after_the_form_was_made():
    assert _errors(late="Ann\x07Smith") == {"late": [CONTROL_CHARACTERS_MESSAGE]}
    assert list(_errors(late="x" * (ONE_LINE_MAX + 1))) == ["late"]


class _Dated(GovForm):
    day = GuideDateField(label="Start date")


def _date_errors(year: str) -> list[str]:
    form = _Dated({"day_0": "31", "day_1": "12", "day_2": year})
    form.is_valid()
    return form.errors.get("day", [])


@pytest.mark.parametrize("year", ["2101", "9999", "1899", "0001"])
def test_it_refuses_a_date_before_1900_or_after_2100(year):
    assert _date_errors(year) == ["The start date must be between 1900 and 2100"]


def test_it_takes_the_last_day_of_2100():
    form = _Dated({"day_0": "31", "day_1": "12", "day_2": "2100"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2100, 12, 31)
