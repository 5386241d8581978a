"""Actions related to an invoice (Norfolk's guide, section 12): the new-action page offers the
provider's own invoices with the council the action is with, and no one else's; the action's
"Re:" names the invoice and links to it for whoever may see it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actions import services as actions
from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action, ActionType
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import item, make_payment_rule, weeks_ago
from carebridge.organisations import services as org
from carebridge.organisations.choices import ContractType, PaymentMethod, TeamKind
from carebridge.payments import services
from carebridge.payments.models import Invoice
from carebridge.payments.tests.conftest import clock  # noqa: F401 (a fixture)
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_contract,
    make_provider,
    make_two_council_provider,
    make_user,
)

pytestmark = pytest.mark.django_db


@dataclass
class Invoiced:
    two: TwoCouncilProvider
    invoice: Invoice  # the provider's, with the weekly council: still unsubmitted
    payment_query: ActionType  # the weekly council's, to its payments team


@pytest.fixture
def invoiced(clock) -> Invoiced:  # noqa: F811
    two = make_two_council_provider()
    make_payment_rule(two.weekly, ContractType.SPOT, payment_method=PaymentMethod.ON_INVOICE)
    actuals.actuals_save(two.carer, [item(two.weekly_cpli, two.week, "10", visits=10)])
    actual = Actual.objects.get(cpli=two.weekly_cpli, week_start=two.week)
    invoice = services.invoice_create(
        by=two.carer,
        service=two.service,
        period=two.open_period,
        reference="LF-17",
        invoice_date=weeks_ago(0),
        actual_ids=[actual.pk],
    )
    team = org.team_create(council=two.weekly, name="Payments Team", kind=TeamKind.PAYMENTS)
    query = actions.action_type_create(council=two.weekly, name="Payment Query", default_team=team)
    return Invoiced(two, invoice, query)


def new_action_page(user, council) -> str:
    response = client_for(user).get(reverse("actions:action_new"), {"council": council.slug})
    assert response.status_code == 200
    return response.content.decode()


def raise_about(invoiced: Invoiced, invoice_id: int) -> Action:
    two = invoiced.two
    return actions.action_create(
        by=two.carer,
        new=actions.NewAction(
            council=two.weekly,
            provider=two.provider,
            action_type=invoiced.payment_query,
            related_kind=RelatedKind.INVOICE,
            related_id=invoice_id,
            due_date=weeks_ago(-1),
            team=None,
            title="Invoice query",
            text="Is anything missing from this invoice?",
        ),
    )


def test_it_offers_the_provider_its_invoices_with_the_council_the_action_is_with(invoiced):
    two = invoiced.two
    page = new_action_page(two.carer, two.weekly)
    assert '<option value="invoice">Invoice</option>' in page
    assert f'value="invoice:{invoiced.invoice.pk}"' in page
    assert "Invoice LF-17, Larchfield – Riverside" in page


def test_it_offers_no_invoice_with_a_council_the_provider_has_not_invoiced(invoiced):
    two = invoiced.two
    page = new_action_page(two.carer, two.four_weekly)
    assert '<option value="invoice">' not in page
    assert "LF-17" not in page


def test_another_provider_is_neither_offered_the_invoice_nor_may_choose_it(invoiced):
    two = invoiced.two
    other = make_provider("Zephyrine Domiciliary Services")
    make_contract(two.weekly, other)
    stranger = make_user(provider=other, role="super_user_actuals")
    assert "LF-17" not in new_action_page(stranger, two.weekly)
    response = client_for(stranger).post(
        reverse("actions:action_new"),
        {
            "council": two.weekly.slug,
            "action_type": invoiced.payment_query.pk,
            "related_kind": RelatedKind.INVOICE,
            "entity": f"invoice:{invoiced.invoice.pk}",
            "title": "Invoice query",
            "text": "Whose invoice is this?",
        },
    )
    assert response.status_code == 200
    assert not Action.objects.exists()


def test_a_role_that_does_not_see_invoices_is_not_offered_them(invoiced):
    two = invoiced.two
    administrator = make_user(provider=two.provider, role="administration")
    assert "LF-17" not in new_action_page(administrator, two.weekly)


def test_the_provider_raises_an_action_about_its_invoice_from_the_form(invoiced):
    two = invoiced.two
    day = weeks_ago(-1)
    response = client_for(two.carer).post(
        reverse("actions:action_new"),
        {
            "council": two.weekly.slug,
            "action_type": invoiced.payment_query.pk,
            "related_kind": RelatedKind.INVOICE,
            "entity": f"invoice:{invoiced.invoice.pk}",
            "due_date_0": str(day.day),
            "due_date_1": str(day.month),
            "due_date_2": str(day.year),
            "team": "",
            "title": "Invoice query",
            "text": "Is anything missing from this invoice?",
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302
    assert (action.related_kind, action.related_id) == (RelatedKind.INVOICE, invoiced.invoice.pk)


def test_the_service_refuses_an_invoice_of_another_council(invoiced):
    two = invoiced.two
    with pytest.raises(ValidationError) as refused:
        actions.action_create(
            by=two.carer,
            new=actions.NewAction(
                council=two.four_weekly,
                provider=two.provider,
                action_type=two.four_weekly_action_type,
                related_kind=RelatedKind.INVOICE,
                related_id=invoiced.invoice.pk,
                due_date=weeks_ago(-1),
                team=None,
                title="Invoice query",
                text="Is this yours?",
            ),
        )
    assert refused.value.message_dict["related_id"] == ["Choose the invoice"]


def test_the_action_names_its_invoice_and_links_it_for_the_provider(invoiced):
    two = invoiced.two
    action = raise_about(invoiced, invoiced.invoice.pk)
    page = client_for(two.carer).get(reverse("actions:action_detail", args=[action.pk]))
    detail = page.content.decode()
    link = reverse("payments:invoice_detail", args=[invoiced.invoice.pk])
    assert f'<a class="govuk-link" href="{link}">Invoice LF-17, Larchfield' in detail
    inbox = client_for(two.carer).get(reverse("actions:action_list")).content.decode()
    assert "Invoice LF-17, Larchfield – Riverside" in inbox


def test_the_council_sees_the_invoice_named_and_linked_once_it_is_submitted(invoiced):
    two = invoiced.two
    action = raise_about(invoiced, invoiced.invoice.pk)
    url = reverse("actions:action_detail", args=[action.pk])
    council_link = reverse("payments:council_invoice_detail", args=[invoiced.invoice.pk])
    draft = client_for(two.weekly_officer).get(url).content.decode()
    assert "Invoice LF-17" in draft and council_link not in draft
    services.invoice_submit(by=two.carer, invoice=invoiced.invoice)
    submitted = client_for(two.weekly_officer).get(url).content.decode()
    assert f'href="{council_link}"' in submitted


def test_the_inbox_names_its_invoices_in_the_same_queries_however_many(invoiced):
    two = invoiced.two
    client = client_for(two.carer)
    url = reverse("actions:action_list")
    raise_about(invoiced, invoiced.invoice.pk)
    client.get(url)  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        raise_about(invoiced, invoiced.invoice.pk)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count("Invoice LF-17, Larchfield – Riverside") == 4
    assert len(four.captured_queries) == len(one.captured_queries)
