"""The demo shows the details a change request can ask for: an approved service update's fax and
country on the service, an organisation's fax in a rejected request's lines, and a new contact's
address and mobile in a pending request's."""

import pytest

from carebridge.demo.demo import seed_demo
from carebridge.organisations.choices import ChangeRequestKind, ChangeRequestStatus
from carebridge.organisations.models import ChangeRequest, Service

pytestmark = pytest.mark.django_db

K = ChangeRequestKind
S = ChangeRequestStatus


def test_the_demo_shows_the_new_details_through_change_requests():
    seed_demo()
    approved = ChangeRequest.objects.filter(kind=K.UPDATE_SERVICE, status=S.APPROVED)
    assert approved.exists()
    for change_request in approved:
        assert "fax" in change_request.proposed
    with_fax = Service.objects.exclude(fax="")
    assert with_fax.exists()
    assert set(with_fax.values_list("country", flat=True)) == {"United Kingdom"}

    rejected = ChangeRequest.objects.filter(kind=K.UPDATE_ORGANISATION, status=S.REJECTED)
    assert rejected.exists()
    assert all("Fax" in [c.label for c in r.changes()] for r in rejected)

    waiting = ChangeRequest.objects.filter(kind=K.NEW_CONTACT, status=S.PENDING)
    assert waiting.exists()
    for change_request in waiting:
        labels = [c.label for c in change_request.changes()]
        assert {"Address line 1", "Town or city", "Postcode", "Country", "Mobile"} <= set(labels)
    count = ChangeRequest.objects.count()
    seed_demo()
    assert ChangeRequest.objects.count() == count
