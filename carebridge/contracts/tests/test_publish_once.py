"""Publish clicked twice (or sent again after a slow answer) publishes one contract document,
and the repeat opens it (core.idempotency; the other creates are in tests/test_double_submits)."""

import pytest
from django.urls import reverse

from carebridge.contracts.models import ContractDocument
from carebridge.contracts.tests.test_publishing import NEW, form_data
from tests.support import client_for
from tests.test_double_submits import form_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_publish_clicked_twice_publishes_one_document_and_the_repeat_opens_it(world):
    client = client_for(world["broker"])
    page = client.get(NEW).content.decode()
    assert 'data-prevent-double-click="true">Publish<' in page
    data = {**form_data(world), "form_token": form_token(page)}
    first = client.post(NEW, data)
    again = client.post(NEW, data)
    document = ContractDocument.objects.get()
    assert (
        first["Location"]
        == again["Location"]
        == reverse("contracts:document_detail", args=[document.pk])
    )
    assert document.cplis.count() == 1
