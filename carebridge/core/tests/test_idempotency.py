"""Single-use form tokens and Idempotency-Keys (core.idempotency): which keys count, a create
that fails leaves its key free, and old claims are forgotten by the hourly task. The pages that
use them are tried in tests/test_double_submits.py."""

import re
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from carebridge.core import idempotency
from carebridge.core.calendar import now
from carebridge.core.models import Submission
from carebridge.core.tasks import purge_submissions
from carebridge.organisations.models import Council
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db


def _posted(token: str, user=None):
    request = RequestFactory().post("/", {idempotency.FIELD: token})
    request.user = user or AnonymousUser()
    return request


def _shown_to(user=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return idempotency.form_token_issue(request)


def test_a_token_is_a_key_for_whoever_it_was_shown_to_and_nobody_else():
    council = make_council()
    officer, colleague = make_user(council=council), make_user(council=council)
    token = _shown_to(officer)
    key = idempotency.key_from_form(_posted(token, officer))
    assert key is not None and key == idempotency.key_from_form(_posted(token, officer))
    assert idempotency.key_from_form(_posted(token, colleague)) is None
    assert idempotency.key_from_form(_posted(token)) is None
    # Each rendering of a form is a new token, so a new key.
    assert idempotency.key_from_form(_posted(_shown_to(officer), officer)) != key


def test_a_made_up_or_altered_token_is_no_key():
    token = _shown_to()
    assert idempotency.key_from_form(_posted("made-up")) is None
    assert (
        idempotency.key_from_form(_posted(token[:-1] + ("A" if token[-1] != "A" else "B"))) is None
    )
    assert idempotency.key_from_form(_posted("x" * 5000)) is None
    assert idempotency.key_from_form(RequestFactory().post("/", {})) is None


def test_a_token_older_than_a_day_is_no_key():
    token = _shown_to()
    later = time.time() + idempotency.LIFETIME.total_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert idempotency.key_from_form(_posted(token)) is None


def test_an_api_key_belongs_to_its_caller_and_must_be_printable():
    def sent(value: str):
        return RequestFactory().post("/", HTTP_IDEMPOTENCY_KEY=value)

    assert idempotency.key_from_header(RequestFactory().post("/"), client=1) is None
    assert idempotency.key_from_header(sent("order-7"), client=1) == idempotency.key_from_header(
        sent("order-7"), client=1
    )
    assert idempotency.key_from_header(sent("order-7"), client=1) != idempotency.key_from_header(
        sent("order-7"), client=2
    )
    for bad in ("", "with space", "x" * 256, "caf\u00e9"):
        with pytest.raises(idempotency.BadIdempotencyKey):
            idempotency.key_from_header(sent(bad), client=1)


def _council_create(names: list[str]):
    def create() -> Council:
        council = make_council()
        names.append(council.name)
        return council

    return create


def test_a_key_creates_once_and_a_repeat_gets_the_first_object():
    made: list[str] = []
    first, created = idempotency.create_once(
        key="k1", purpose="test", create=_council_create(made), find=_find_council
    )
    again, created_again = idempotency.create_once(
        key="k1", purpose="test", create=_council_create(made), find=_find_council
    )
    assert (created, created_again) == (True, False)
    assert again == first and len(made) == 1
    # The same key for another kind of create is no repeat of this one.
    other, created_other = idempotency.create_once(
        key="k1", purpose="another", create=_council_create(made), find=_find_council
    )
    assert created_other and other != first


def _find_council(pk: int) -> Council | None:
    return Council.objects.filter(pk=pk).first()


def test_a_create_that_fails_leaves_its_key_free_for_the_corrected_form():
    def refused() -> Council:
        raise ValidationError({"name": "Enter the name"})

    with pytest.raises(ValidationError):
        idempotency.create_once(key="k2", purpose="test", create=refused, find=_find_council)
    assert not Submission.objects.exists()
    made: list[str] = []
    _council, created = idempotency.create_once(
        key="k2", purpose="test", create=_council_create(made), find=_find_council
    )
    assert created and len(made) == 1


def test_a_repeat_whose_first_object_is_gone_creates_it_again():
    made: list[str] = []
    first, _ = idempotency.create_once(
        key="k3", purpose="test", create=_council_create(made), find=_find_council
    )
    second, created = idempotency.create_once(
        key="k3", purpose="test", create=_council_create(made), find=lambda pk: None
    )
    assert created and second != first
    assert Submission.objects.get().object_id == second.pk


def test_the_hourly_task_forgets_claims_older_than_a_token_lives():
    made: list[str] = []
    for key in ("old", "new"):
        idempotency.create_once(
            key=key, purpose="test", create=_council_create(made), find=_find_council
        )
    Submission.objects.filter(pk=Submission.objects.order_by("pk").first().pk).update(
        created_at=now() - idempotency.LIFETIME - timedelta(minutes=1)
    )
    assert purge_submissions.call_local() == 1
    assert Submission.objects.count() == 1
    assert idempotency.created_before(key="new", purpose="test") is not None
    assert idempotency.created_before(key="old", purpose="test") is None


def test_every_form_with_a_token_guards_its_buttons_against_a_double_click():
    root = Path(idempotency.__file__).resolve().parents[1]
    forms = [path for path in root.rglob("*.html") if "{% form_token %}" in path.read_text()]
    assert len(forms) >= 12  # the creates named in decision 0007
    for path in forms:
        for button in re.findall(r"<button[^>]*>", path.read_text()):
            if 'type="submit"' in button and "govuk-visually-hidden" not in button:
                assert 'data-prevent-double-click="true"' in button, (path, button)
