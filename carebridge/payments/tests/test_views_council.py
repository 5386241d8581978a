"""The council's payments team's pages: the invoice queue, an invoice with its lines and their
actuals, and Authorise / Hold / Return, tried by every kind of user; and the provider's line in
the daily summary when the team decides."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.notifications import services as notifications
from carebridge.notifications.digest import digest_for
from carebridge.payments import services
from carebridge.payments.choices import InvoiceEvent, InvoiceStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.services.invoices import CHANGED_SINCE_SEEN
from carebridge.payments.tests.conftest import clients, create, enter, period_of
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db
S = InvoiceStatus
QUEUE = reverse("payments:council_invoice_list")


def detail(invoice: Invoice) -> str:
    return reverse("payments:council_invoice_detail", args=[invoice.pk])


def decide(invoice: Invoice, decision: str) -> str:
    return reverse("payments:council_invoice_decide", args=[invoice.pk, decision])


def post(client, invoice: Invoice, decision: str, **data):
    """The decision's form as its page sends it: with what the page showed of the invoice."""
    seen = Invoice.objects.get(pk=invoice.pk).changed_at.isoformat()
    return client.post(decide(invoice, decision), {"seen": seen, **data}, follow=True)


def submitted(world, reference: str, actual_ids=None) -> Invoice:
    invoice = create(world, actual_ids, reference=reference)
    return services.invoice_submit(by=world.carer, invoice=invoice)


@pytest.fixture
def ready(paying):
    """Three clients' weeks entered; the first two each on a submitted invoice, one submitted a
    minute after the other; the third on an Unsubmitted one (the provider's draft)."""
    first, second = clients(paying, 2)
    enter(paying, (paying.cpli, "14"), (first, "10"), (second, "10"))
    lines = pre_invoice(paying.carer, paying.service, period_of(paying))
    paying.older = submitted(paying, "INV-OLD", [lines[0].actual_id])
    paying.clock.move(minutes=1)
    paying.newer = submitted(paying, "INV-NEW", [lines[1].actual_id])
    paying.draft = create(paying, [lines[2].actual_id], reference="INV-DRAFT")
    return paying


@pytest.fixture
def paying(paying, clock):
    paying.clock = clock
    return paying


def references(response) -> list[str]:
    return [invoice.reference for invoice, _totals in response.context["rows"]]


def test_the_queue_shows_submitted_invoices_oldest_first_with_totals(ready):
    response = client_for(ready.payments_officer).get(QUEUE)
    assert response.status_code == 200
    assert references(response) == ["INV-OLD", "INV-NEW"]
    body = response.content.decode()
    assert "INV-DRAFT" not in body
    (_invoice, totals) = response.context["rows"][0]
    assert totals[2] == sum(line.amount for line in ready.older.lines.all())
    assert f"£{totals[2]:,}" in body


def test_a_held_invoice_stays_in_the_queue_and_an_authorised_one_leaves_it(ready):
    officer = ready.payments_officer
    services.invoice_hold(by=officer, invoice=ready.older, reason="Checking the hours")
    services.invoice_authorise(by=officer, invoice=ready.newer)
    client = client_for(officer)
    assert references(client.get(QUEUE)) == ["INV-OLD"]
    assert references(client.get(QUEUE, {"status": "authorised"})) == ["INV-NEW"]
    assert references(client.get(QUEUE, {"status": "all"})) == ["INV-OLD", "INV-NEW"]
    # A status that is not one shows the queue as it starts.
    assert references(client.get(QUEUE, {"status": "unsubmitted"})) == ["INV-OLD"]


def test_the_queue_filters_by_provider_service_and_reference(ready):
    client = client_for(ready.payments_officer)
    assert references(client.get(QUEUE, {"q": "new"})) == ["INV-NEW"]
    assert references(client.get(QUEUE, {"provider": ready.provider.pk})) == ["INV-OLD", "INV-NEW"]
    assert references(client.get(QUEUE, {"service": ready.service.pk})) == ["INV-OLD", "INV-NEW"]
    # Another provider is not one of the choices: the filter is ignored, never widened.
    other = client.get(QUEUE, {"provider": ready.other_provider.pk})
    assert references(other) == ["INV-OLD", "INV-NEW"]
    assert client.get(QUEUE, {"q": "x" * 500}).status_code == 200


def test_the_queue_counts_each_invoices_lines_with_an_exception(paying):
    (other,) = clients(paying, 1)
    # 12 of 14 planned hours with nothing frustrated or missed: it does not add up.
    enter(paying, (paying.cpli, "12"), comments="Short visits")
    enter(paying, (other, "10"))
    submitted(paying, "INV-1")
    (row,) = client_for(paying.payments_officer).get(QUEUE).context["rows"]
    assert row[0].exceptions == 1


def test_the_queue_reads_the_database_as_often_whatever_its_length(ready):
    client = client_for(ready.payments_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    queries()  # the first request of a session reads more (the user's log-in)
    few = queries()
    more = clients(ready, 3)
    enter(ready, *[(cpli, "10") for cpli in more])
    for n, line in enumerate(pre_invoice(ready.carer, ready.service, period_of(ready))):
        if line.actual_id not in set(ready.draft.lines.values_list("actual_id", flat=True)):
            submitted(ready, f"INV-MORE-{n}", [line.actual_id])
    assert len(references(client.get(QUEUE))) == 5
    assert queries() == few


def test_the_invoice_shows_its_lines_with_their_actuals_and_totals_and_is_audited(ready):
    response = client_for(ready.payments_officer).get(detail(ready.older))
    assert response.status_code == 200
    body = response.content.decode()
    (line,) = response.context["lines"]
    assert line.actual.planned == 14 and line.actual.actual == 14
    for words in ("Monica Geller", "MG123", "Frstd", "Msd", "Xtr", "Vst", "Excl VAT", "£226.24"):
        assert words in body
    event = Event.objects.get(action="invoice.viewed")
    assert (event.actor, event.object_id) == (ready.payments_officer, str(ready.older.pk))
    assert event.council_id == ready.council.pk and event.provider_id == ready.provider.pk


def test_the_invoice_reads_the_database_as_often_whatever_its_lines(paying):
    more = clients(paying, 4)
    enter(paying, (paying.cpli, "14"), *[(cpli, "10") for cpli in more])
    lines = pre_invoice(paying.carer, paying.service, period_of(paying))
    one = submitted(paying, "INV-1", [lines[0].actual_id])
    many = submitted(paying, "INV-5", [line.actual_id for line in lines[1:]])
    client = client_for(paying.payments_officer)

    def queries(invoice: Invoice) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail(invoice)).status_code == 200
        return len(captured)

    queries(one)  # the first request of a session reads more (the user's log-in)
    assert queries(one) == queries(many)


@pytest.mark.parametrize("role", ["broker", "front_door_officer", "council_administrator"])
def test_council_roles_without_invoices_get_403(ready, role):
    client = client_for(make_user(council=ready.council, role=role))
    for url in (QUEUE, detail(ready.older), decide(ready.older, "hold")):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "role", ["super_user_actuals", "payments", "invoice_only", "reports", "read_only"]
)
def test_a_providers_users_get_403_even_for_their_own_invoice(ready, role):
    client = client_for(make_user(provider=ready.provider, role=role))
    for url in (QUEUE, detail(ready.older), decide(ready.older, "authorise")):
        assert client.get(url).status_code == 403
    assert client.post(decide(ready.older, "authorise")).status_code == 403
    assert Invoice.objects.get(pk=ready.older.pk).status == S.SUBMITTED


def test_another_councils_officer_gets_404_and_sees_none_in_the_queue(ready):
    client = client_for(ready.other_officer)
    assert client.get(QUEUE).context["rows"] == []
    for url in (detail(ready.older), decide(ready.older, "authorise")):
        assert client.get(url).status_code == 404
    assert client.post(decide(ready.older, "authorise")).status_code == 404
    assert Invoice.objects.get(pk=ready.older.pk).status == S.SUBMITTED


def test_the_providers_draft_is_not_found_by_the_council(ready):
    client = client_for(ready.payments_officer)
    assert client.get(detail(ready.draft)).status_code == 404
    assert client.post(decide(ready.draft, "authorise")).status_code == 404


def test_an_unknown_decision_is_not_found(ready):
    client = client_for(ready.payments_officer)
    assert client.get(decide(ready.older, "pay")).status_code == 404


def test_the_invoice_offers_the_decisions_its_status_allows(ready):
    client = client_for(ready.payments_officer)
    body = client.get(detail(ready.older)).content.decode()
    for slug in ("authorise", "hold", "return"):
        assert decide(ready.older, slug) in body
    services.invoice_hold(by=ready.payments_officer, invoice=ready.older, reason="Checking")
    body = client.get(detail(ready.older)).content.decode()
    assert decide(ready.older, "hold") not in body and decide(ready.older, "authorise") in body
    assert "Checking" in body


def test_a_hold_needs_a_reason_shown_in_the_error_summary(ready):
    response = post(client_for(ready.payments_officer), ready.older, "hold", reason="  ")
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Enter the reason, for the provider to read" in body
    assert Invoice.objects.get(pk=ready.older.pk).status == S.SUBMITTED
    assert not Event.objects.filter(action="invoice.hold").exists()


def test_a_reason_with_a_control_character_is_refused(ready):
    response = post(client_for(ready.payments_officer), ready.older, "return", reason="A\x00B")
    assert response.status_code == 200 and response.context["form"].errors
    assert Invoice.objects.get(pk=ready.older.pk).status == S.SUBMITTED


def test_hold_then_authorise(ready):
    client = client_for(ready.payments_officer)
    page = client.get(decide(ready.older, "hold"))
    assert page.status_code == 200 and "Hold invoice" in page.content.decode()
    response = post(client, ready.older, "hold", reason="Checking week 2")
    assert "Invoice held" in response.content.decode()
    invoice = Invoice.objects.get(pk=ready.older.pk)
    assert (invoice.status, invoice.held_reason) == (S.HELD, "Checking week 2")
    response = post(client, ready.older, "authorise")
    assert "Invoice authorised" in response.content.decode()
    assert Invoice.objects.get(pk=ready.older.pk).status == S.AUTHORISED


def test_authorising_an_authorised_invoice_again_says_why_not(ready):
    client = client_for(ready.payments_officer)
    post(client, ready.older, "authorise")
    events = Event.objects.filter(action="invoice.authorise").count()
    response = post(client, ready.older, "authorise")
    assert services.MOVE_REFUSED[InvoiceEvent.AUTHORISE] in response.content.decode()
    assert Event.objects.filter(action="invoice.authorise").count() == events == 1


def test_return_then_the_provider_submits_again_and_it_joins_the_queue_at_the_back(ready):
    client = client_for(ready.payments_officer)
    post(client, ready.older, "return", reason="Wrong hours in week 2")
    invoice = Invoice.objects.get(pk=ready.older.pk)
    assert (invoice.status, invoice.returned_reason) == (S.RETURNED, "Wrong hours in week 2")
    assert references(client.get(QUEUE)) == ["INV-NEW"]
    ready.clock.move(minutes=5)
    services.invoice_resubmit(by=ready.carer, invoice=invoice)
    assert references(client.get(QUEUE)) == ["INV-NEW", "INV-OLD"]


def subscribe(user) -> None:
    notifications.subscription_update(user=user, by=user, choices={"daily_invoices": True})


def summary(user, clock) -> str | None:
    return digest_for(user, clock() - timedelta(hours=1), clock() + timedelta(hours=1))


def test_the_daily_summary_tells_the_provider_what_the_payments_team_decided(ready):
    officer = ready.payments_officer
    services.invoice_hold(by=officer, invoice=ready.older, reason="Checking")
    services.invoice_authorise(by=officer, invoice=ready.older)
    services.invoice_return(by=officer, invoice=ready.newer, reason="Wrong hours")
    subscribe(ready.carer)
    text = summary(ready.carer, ready.clock)
    assert text is not None and "Invoices/Credit Notes" in text
    service = ready.service.name
    held = f"Invoice INV-OLD ({service}): held"
    authorised = f"Invoice INV-OLD ({service}): authorised"
    returned = f"Invoice INV-NEW ({service}): returned to you"
    assert text.index(held) < text.index(authorised) < text.index(returned)
    assert reverse("payments:invoice_detail", args=[ready.older.pk]) in text
    # The reason is for the invoice's page, behind the log-in.
    assert "Wrong hours" not in text


def test_the_daily_summary_line_is_only_for_the_invoices_provider_and_its_day(ready):
    services.invoice_hold(by=ready.payments_officer, invoice=ready.older, reason="Checking")
    for user in (ready.stranger, ready.payments_officer, ready.carer):
        subscribe(user)
    assert summary(ready.stranger, ready.clock) is None
    assert summary(ready.payments_officer, ready.clock) is None
    ready.clock.move(days=2)
    assert summary(ready.carer, ready.clock) is None


def test_a_role_without_invoices_hears_nothing_of_them(ready):
    services.invoice_hold(by=ready.payments_officer, invoice=ready.older, reason="Checking")
    admin = make_user(provider=ready.provider, role="administration")
    subscribe(admin)
    assert summary(admin, ready.clock) is None


def test_a_decision_on_an_invoice_that_changed_since_its_page_showed_it_is_refused(ready):
    client = client_for(ready.payments_officer)
    seen = client.get(decide(ready.older, "authorise")).context["seen"]
    ready.clock.move(minutes=1)
    # Another officer holds it meanwhile: authorising from the page showing it submitted would
    # authorise what its officer never saw held.
    colleague = make_user(council=ready.council, role="payments_officer")
    services.invoice_hold(by=colleague, invoice=ready.older, reason="Checking the hours")
    response = client.post(decide(ready.older, "authorise"), {"seen": seen}, follow=True)
    assert CHANGED_SINCE_SEEN in response.content.decode()
    assert Invoice.objects.get(pk=ready.older.pk).status == S.HELD
