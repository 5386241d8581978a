"""Send change request clicked twice sends one change request, and the council is told once
(core.idempotency; the other creates are in tests/test_double_submits)."""

import pytest
from django.core import mail
from django.urls import reverse

from carebridge.organisations.models import ChangeRequest
from carebridge.organisations.tests.test_views import ORGANISATION_FORM
from tests.support import client_for
from tests.test_double_submits import form_token

pytestmark = pytest.mark.django_db


def test_send_change_request_clicked_twice_sends_one_request(
    world, django_capture_on_commit_callbacks
):
    client = client_for(world.super_user)
    path = reverse("organisations:organisation_edit")
    page = client.get(path).content.decode()
    data = {
        **ORGANISATION_FORM,
        "phone": "0114 496 0399",
        "council": world.council.pk,
        "form_token": form_token(page),
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path, data)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(path, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert ChangeRequest.objects.count() == 1
    assert len(mail.outbox) == sent
