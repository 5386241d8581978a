"""The whole of a dispute through the pages, as the test client's officer and provider click
them: raised on two rows, the provider amends one on the actuals page (coming back to the
dispute) and requests resolution, the council reopens it, the provider answers again, the
council resolves it; and the daily summary's Disputes section of each side."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from carebridge.actuals.models import Actual
from carebridge.disputes import services
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute
from carebridge.disputes.selectors import open_disputed_actual_ids
from carebridge.disputes.tests.conftest import LAST_WEEK, reason_of
from carebridge.notifications import services as notifications
from carebridge.notifications.digest import digest_for
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def seen_of(page: str) -> str:
    found = re.search(r'name="seen" value="([^"]+)"', page)
    assert found
    return found.group(1)


def decide(client, dispute, decision: str, note: str):
    url = reverse("disputes:council_decide", args=[dispute.pk, decision])
    return client.post(url, {"seen": seen_of(body(client.get(url))), "note": note}, follow=True)


def amend(client, world, dispute, actual: Actual, value: str):
    """Add/Edit from the dispute's page: the actuals page of the row's client and week, whose
    save brings the provider back to the dispute."""
    page = body(client.get(reverse("disputes:dispute_detail", args=[dispute.pk])))
    links = re.findall(r'href="(/actuals/clients/[^"]+)"', page)
    link = next(
        each.replace("&amp;", "&")
        for each in links
        if f"/clients/{actual.service_user_id}/" in each and LAST_WEEK.isoformat() in each
    )
    assert "return=" in link
    data = {"service": actual.service_id, "week": LAST_WEEK.isoformat(), "rows": [actual.cpli_id]}
    values = {"actual": value, "frustrated": "0", "missed": "0", "extra": "0", "visits": "7"}
    values["comments"] = "One call was not delivered"
    data.update({f"line{actual.cpli_id}-{name}": each for name, each in values.items()})
    return client.post(link, data)


def test_a_dispute_from_raised_to_resolved_through_the_pages(disputing, clock):
    w = disputing.world
    officer, carer = client_for(w.payments_officer), client_for(w.carer)
    first, second = disputing.rows
    raise_url = reverse(
        "disputes:dispute_raise",
        kwargs={"period_id": first.period_id, "provider_id": first.provider_id},
    )
    page = body(officer.get(raise_url))
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    response = officer.post(
        raise_url,
        {
            "form_token": token.group(1),
            "rows": [first.pk, second.pk],
            "reason": reason_of(w.council).label,
            "details": "Two calls on Tuesday were not delivered.",
        },
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert open_disputed_actual_ids(council_id=w.council.pk) == {first.pk, second.pk}

    # The provider finds it among its open disputes and amends one row in place.
    assert f"Dispute {dispute.pk}" in body(carer.get(reverse("disputes:dispute_list")))
    clock.move(minutes=5)
    saved = amend(carer, w, dispute, second, "6")
    assert saved.status_code == 302
    assert saved["Location"] == reverse("disputes:dispute_detail", args=[dispute.pk])
    assert Actual.objects.get(pk=second.pk).actual == 6
    detail = reverse("disputes:dispute_detail", args=[dispute.pk])
    response = carer.post(detail, {"response": "One call was missed: amended to 6."}, follow=True)
    assert "Resolution requested" in body(response)
    assert Dispute.objects.get().status == DisputeStatus.RESOLUTION_REQUESTED

    # The council is not satisfied and reopens it with a note.
    clock.move(minutes=5)
    page = body(decide(officer, dispute, "reopen", "The other row is still 7 hours."))
    assert "Dispute reopened" in page
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_DISPUTE
    assert "The other row is still 7 hours." in body(carer.get(detail))

    # The provider answers again; the council resolves it, releasing the rows for payment.
    clock.move(minutes=5)
    carer.post(detail, {"response": "Both rows checked against the rota."})
    assert Dispute.objects.get().status == DisputeStatus.RESOLUTION_REQUESTED
    clock.move(minutes=5)
    page = body(decide(officer, dispute, "resolve", ""))
    assert "Dispute resolved" in page
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert open_disputed_actual_ids(council_id=w.council.pk) == set()
    # Resolved: gone from the provider's open list, found under its status.
    listing = reverse("disputes:dispute_list")
    assert f"Dispute {dispute.pk}<" not in body(carer.get(listing))
    assert f"Dispute {dispute.pk}<" in body(carer.get(listing, {"status": "resolved"}))


def test_the_actuals_page_ignores_a_return_address_elsewhere(disputing):
    w = disputing.world
    actual = disputing.rows[0]
    url = reverse("actuals:client", args=[actual.service_user_id])
    data = {"service": actual.service_id, "week": LAST_WEEK.isoformat(), "rows": [actual.cpli_id]}
    values = {"actual": "13", "frustrated": "0", "missed": "0", "extra": "0", "visits": "14"}
    values["comments"] = "One hour short"
    data.update({f"line{actual.cpli_id}-{name}": each for name, each in values.items()})
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example", "/a\x07"):
        query = f"?service={actual.service_id}&week={LAST_WEEK.isoformat()}&return={elsewhere}"
        response = client_for(w.carer).post(url + query, data)
        assert response.status_code == 302
        assert response["Location"].startswith(url)


def subscribe(user) -> None:
    notifications.subscription_update(user=user, by=user, choices={"daily_disputes": True})


def summary(user, clock) -> str | None:
    return digest_for(user, clock() - timedelta(hours=1), clock() + timedelta(hours=1))


def test_the_daily_summary_tells_each_side_what_the_other_did(disputing, clock):
    w = disputing.world
    first, second = disputing.rows
    added = disputing.raise_([first])
    clock.move(minutes=1)
    answered = services.dispute_request_resolution(
        by=w.carer, dispute=disputing.raise_([second]), response="Checked"
    )
    clock.move(minutes=1)
    services.dispute_reopen(by=w.payments_officer, dispute=answered, note="Still wrong")
    clock.move(minutes=1)
    resolved = Dispute.objects.get(pk=added.pk)
    services.dispute_resolve(by=w.payments_officer, dispute=resolved, note="Settled by phone")
    for user in (w.carer, w.payments_officer, w.stranger, w.other_officer):
        subscribe(user)
    text = summary(w.carer, clock)
    assert text is not None and "Disputes" in text
    reason = "Care not delivered"
    lines = [
        f"Dispute {added.pk} ({w.council.name}, {reason}): added",
        f"Dispute {answered.pk} ({w.council.name}, {reason}): added",
        f"Dispute {answered.pk} ({w.council.name}, {reason}): reopened",
        f"Dispute {added.pk} ({w.council.name}, {reason}): resolved",
    ]
    assert [text.index(line) for line in lines] == sorted(text.index(line) for line in lines)
    assert reverse("disputes:dispute_detail", args=[added.pk]) in text
    # The notes and details are for the dispute's page, behind the log-in.
    assert "Still wrong" not in text and "Settled by phone" not in text
    council_text = summary(w.payments_officer, clock)
    assert council_text is not None
    assert f"Dispute {answered.pk} ({w.provider.name}, {reason}): resolution requested" in (
        council_text
    )
    assert reverse("disputes:council_detail", args=[answered.pk]) in council_text
    assert summary(w.stranger, clock) is None
    assert summary(w.other_officer, clock) is None
    clock.move(days=2)
    assert summary(w.carer, clock) is None


def test_a_role_that_does_not_read_disputes_hears_nothing_of_them(disputing, clock):
    disputing.raise_()
    admin = make_user(council=disputing.world.council, role="council_administrator")
    subscribe(admin)
    assert summary(admin, clock) is None
