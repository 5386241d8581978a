"""The council terminates an agreed order: a termination document the provider agrees to or
rejects, the order terminated, and its lines ended on the last day of care."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.contracts import services
from carebridge.contracts.choices import CpliStatus, DocumentKind, DocumentStatus, PricingBasis
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.pdf import document_pdf
from carebridge.contracts.selectors import cplis_listed_for, purchase_order_value
from carebridge.contracts.tests.conftest import publish, url
from tests.support import (
    PASSWORD,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 23/11/2026 in London.
START = date(2026, 11, 23)


def line(world, *, start=START, end=None, quantity="3.5"):
    return services.Line(
        service_level=world["single"],
        quantity=Decimal(quantity),
        rate=Decimal("16.16"),
        pricing_basis=PricingBasis.SPOT,
        start_date=start,
        end_date=end,
    )


def agreed(world, lines=None):
    document = publish(world, lines=lines or [line(world)])
    return services.contract_document_agree(document=document, by=world["carer"], password=PASSWORD)


def terminate(world, order, end_date=date(2026, 12, 31), **fields):
    return services.contract_document_terminate(
        document=order,
        end_date=end_date,
        reason=fields.pop("reason", "The client has moved into residential care"),
        by=fields.pop("by", world["broker"]),
        **fields,
    )


def reject(world, document, notes="The last day is wrong: care stops on 15/01"):
    return services.contract_document_reject(
        document=document, by=world["carer"], password=PASSWORD, notes=notes
    )


def state(order):
    """What a termination changes, to compare before and after."""
    order.refresh_from_db()
    return (
        order.status,
        list(order.cplis.order_by("pk").values_list("end_date", "status", "ordered_end_date")),
        ContractDocument.objects.filter(kind=DocumentKind.TERMINATION).count(),
    )


# --- The service ------------------------------------------------------------------------------


def test_it_ends_the_lines_on_the_last_day_and_terminates_the_order(world):
    order = agreed(world)
    termination = terminate(world, order)
    assert termination.kind == DocumentKind.TERMINATION
    assert termination.status == DocumentStatus.PUBLISHED
    assert termination.reference == f"ISO-{termination.pk:07d}"
    assert termination.terminates == order
    assert termination.end_date == date(2026, 12, 31)
    assert termination.service_user == order.service_user
    assert termination.service == order.service
    assert termination.care_package_reference == order.care_package_reference
    order.refresh_from_db()
    assert order.status == DocumentStatus.TERMINATED
    cpli = order.cplis.get()
    assert cpli.end_date == date(2026, 12, 31)
    assert cpli.ordered_end_date is None
    assert cpli.status == CpliStatus.ACTIVE  # the last day is still to come
    event = Event.objects.get(action="contract_document.terminated")
    assert event.object_id == str(order.pk)
    assert event.detail["end_date"] == "2026-12-31"
    assert Event.objects.filter(
        action="contract_document.published", object_id=str(termination.pk)
    ).exists()


def test_a_last_day_in_the_past_ends_the_lines_at_once(world):
    order = agreed(world, [line(world, start=date(2026, 10, 5))])
    terminate(world, order, end_date=date(2026, 11, 22))  # yesterday
    cpli = order.cplis.get()
    assert cpli.end_date == date(2026, 11, 22)
    assert cpli.status == CpliStatus.ENDED


def test_a_line_that_ends_sooner_keeps_its_own_end(world):
    order = agreed(world, [line(world, end=date(2026, 12, 6)), line(world, quantity="7")])
    terminate(world, order, end_date=date(2026, 12, 31))
    ends = list(order.cplis.order_by("pk").values_list("end_date", flat=True))
    assert ends == [date(2026, 12, 6), date(2026, 12, 31)]


def test_a_failure_midway_leaves_nothing_changed(world):
    order = agreed(world)
    before = state(order)
    with (
        mock.patch.object(services, "record", side_effect=RuntimeError("audit log is down")),
        pytest.raises(RuntimeError),
    ):
        terminate(world, order)
    assert state(order) == before
    assert before[0] == DocumentStatus.AGREED


@pytest.mark.parametrize("answer", ["published", "rejected", "terminated"])
def test_only_an_agreed_order_can_be_terminated(world, answer):
    order = publish(world)
    if answer == "rejected":
        reject(world, order)
    elif answer == "terminated":
        services.contract_document_agree(document=order, by=world["carer"], password=PASSWORD)
        terminate(world, order)
    before = state(order)
    with pytest.raises(services.DocumentRefused) as refused:
        terminate(world, order, end_date=date(2026, 12, 20))
    assert order.reference in refused.value.message
    assert state(order) == before


def test_a_termination_cannot_itself_be_terminated(world):
    termination = terminate(world, agreed(world))
    with pytest.raises(services.DocumentRefused):
        terminate(world, termination)


def test_the_order_is_terminated_once_even_at_the_same_moment(world):
    order = agreed(world)
    terminate(world, order)
    before = state(order)
    # As if the second broker had checked the order before the first one's termination.
    with (
        mock.patch.object(services, "termination_refusal", return_value=None),
        pytest.raises(services.DocumentRefused) as refused,
    ):
        terminate(world, order, end_date=date(2026, 12, 20))
    assert "at the same moment" in refused.value.message
    assert state(order) == before


def test_the_last_day_must_fall_within_the_order(world):
    order = agreed(world, [line(world, end=date(2027, 3, 31))])
    with pytest.raises(ValidationError) as error:
        terminate(world, order, end_date=date(2026, 11, 22), reason=" ")
    assert set(error.value.message_dict) == {"end_date", "reason"}
    assert "on or after 23/11/2026" in error.value.message_dict["end_date"][0]
    with pytest.raises(ValidationError) as error:
        terminate(world, order, end_date=date(2027, 3, 31))
    assert "The order ends on 31/03/2027 anyway" in error.value.message_dict["end_date"][0]
    assert state(order)[0] == DocumentStatus.AGREED


def test_only_the_councils_editors_terminate(world):
    order = agreed(world)
    officer = make_user(council=world["council"], role="payments_officer")
    outsider = make_user(council=make_council(), role="broker")
    for user in (world["carer"], officer, outsider):
        with pytest.raises(PermissionDenied):
            terminate(world, order, by=user)
    assert state(order)[0] == DocumentStatus.AGREED


def test_the_provider_agrees_to_a_termination_with_its_password(world):
    termination = terminate(world, agreed(world))
    answered = services.contract_document_agree(
        document=termination, by=world["carer"], password=PASSWORD
    )
    assert answered.status == DocumentStatus.AGREED
    assert answered.signed_hash == services.document_fingerprint(answered)
    assert Cpli.objects.get().end_date == date(2026, 12, 31)


def test_a_terminations_content_says_the_order_and_the_last_day(world):
    order = agreed(world, [line(world, end=date(2026, 12, 6)), line(world, quantity="7")])
    termination = terminate(world, order)
    content = services.document_content(termination)
    assert content["kind"] == "termination"
    assert content["terminates"] == order.reference
    assert content["end_date"] == "2026-12-31"
    assert content["reason"] == "The client has moved into residential care"
    assert [item["end_date"] for item in content["lines"]] == ["2026-12-06", "2026-12-31"]
    before = services.document_fingerprint(termination)
    ContractDocument.objects.filter(pk=termination.pk).update(end_date=date(2026, 12, 30))
    termination.refresh_from_db()
    assert services.document_fingerprint(termination) != before


def test_terminating_does_not_change_what_the_provider_agreed_to(world):
    order = agreed(world)
    terminate(world, order)
    order.refresh_from_db()
    assert services.document_fingerprint(order) == order.signed_hash
    assert services.document_content(order)["lines"][0]["end_date"] is None


def test_a_corrected_termination_ends_the_lines_again_from_the_ordered_end(world):
    order = agreed(world, [line(world, end=date(2027, 1, 15)), line(world, quantity="7")])
    first = terminate(world, order, end_date=date(2026, 12, 6))
    assert list(order.cplis.values_list("end_date", flat=True)) == [date(2026, 12, 6)] * 2
    reject(world, first)
    corrected = terminate(world, order, end_date=date(2027, 1, 31), replaces=first)
    assert corrected.replaces == first
    assert corrected.terminates == order
    ends = list(order.cplis.order_by("pk").values_list("end_date", flat=True))
    assert ends == [date(2027, 1, 15), date(2027, 1, 31)]
    assert set(order.cplis.values_list("status", flat=True)) == {CpliStatus.ACTIVE}
    order.refresh_from_db()
    assert order.status == DocumentStatus.TERMINATED


def test_a_termination_is_corrected_only_after_a_rejection_and_once(world):
    order = agreed(world)
    first = terminate(world, order)
    with pytest.raises(services.DocumentRefused):
        terminate(world, order, end_date=date(2026, 12, 20), replaces=first)  # not rejected
    reject(world, first)
    terminate(world, order, end_date=date(2026, 12, 20), replaces=first)
    before = state(order)
    with pytest.raises(services.DocumentRefused) as refused:
        terminate(world, order, end_date=date(2026, 12, 10), replaces=first)
    assert "already been issued again" in refused.value.message
    assert state(order) == before


def test_a_rejected_order_cannot_be_put_right_as_a_termination(world):
    order = agreed(world)
    rejected_order = reject(world, publish(world, care_package_reference="CP-0002"))
    with pytest.raises(services.DocumentRefused):
        terminate(world, order, replaces=rejected_order)
    assert state(order)[0] == DocumentStatus.AGREED


# --- What a termination does to the CPLI list and the purchase orders ---------------------------


def test_the_purchase_order_covers_only_the_weeks_up_to_the_last_day(world):
    order = agreed(world)
    terminate(world, order, end_date=date(2026, 12, 6))  # two whole weeks, Monday to Sunday
    value = purchase_order_value(Cpli.objects.all(), year=2026, week_start=0)
    assert value == Decimal("56.56") * 2


def test_a_line_past_its_end_date_is_historical_even_while_active(world):
    order = agreed(world, [line(world, start=date(2026, 10, 5))])
    terminate(world, order, end_date=date(2026, 11, 29))
    cpli = Cpli.objects.get()
    assert cpli.status == CpliStatus.ACTIVE
    on_the_day = cplis_listed_for(world["broker"], today=date(2026, 11, 29))
    assert list(on_the_day) == [cpli]
    day_after = date(2026, 11, 30)
    assert not cplis_listed_for(world["broker"], today=day_after).exists()
    assert list(cplis_listed_for(world["broker"], today=day_after, include_historical=True)) == [
        cpli
    ]


def test_the_list_and_export_show_a_line_past_its_end_as_ended(world):
    order = agreed(world, [line(world, start=date(2026, 10, 5))])
    terminate(world, order, end_date=date(2026, 11, 29))
    later = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client = client_for(world["carer"])
        page = client.get(reverse("cplis:cpli_list")).content.decode()
        assert "Total number of line items = 0" in page
        page = client.get(reverse("cplis:cpli_list"), {"historical": "on"}).content.decode()
        assert "Goddard" in page and "29/11/2026" in page and ">Ended<" in page
        response = client.get(reverse("cplis:cpli_export_csv"), {"historical": "on"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert text.strip().splitlines()[1].endswith(",Ended")


# --- The pages ---------------------------------------------------------------------------------


def termination_form(**overrides):
    return {
        "end_date_0": "31",
        "end_date_1": "12",
        "end_date_2": "2026",
        "reason": "The client has moved into residential care",
        **overrides,
    }


def test_the_broker_terminates_an_order_from_its_page(world):
    order = agreed(world)
    client = client_for(world["broker"])
    page = client.get(url("document_detail", order)).content.decode()
    assert url("document_terminate", order) in page
    response = client.get(url("document_terminate", order))
    assert response.status_code == 200
    assert "Last day of care" in response.content.decode()
    response = client.post(url("document_terminate", order), termination_form(), follow=True)
    termination = ContractDocument.objects.get(kind=DocumentKind.TERMINATION)
    assert response.redirect_chain == [(url("document_detail", termination), 302)]
    page = response.content.decode()
    assert f"You terminated {order.reference}" in page
    assert "31/12/2026" in page
    assert "Terminates" in page and url("document_detail", order) in page
    page = client.get(url("document_detail", order)).content.decode()
    assert "Terminated by" in page and url("document_detail", termination) in page
    assert url("document_terminate", order) not in page


def test_a_bad_last_day_is_shown_against_its_field(world):
    order = agreed(world)
    response = client_for(world["broker"]).post(
        url("document_terminate", order), termination_form(end_date_1="", reason="")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_end_date_1"' in page
    assert 'href="#id_reason"' in page
    assert "Say why the order is terminated" in page
    response = client_for(world["broker"]).post(
        url("document_terminate", order),
        termination_form(end_date_0="1", end_date_1="11"),
    )
    page = response.content.decode()
    assert "The last day of care must be on or after 23/11/2026" in page
    assert 'href="#id_end_date_0"' in page
    assert state(order)[0] == DocumentStatus.AGREED


def test_an_order_that_is_not_agreed_shows_why_it_cannot_be_terminated(world):
    order = publish(world)
    client = client_for(world["broker"])
    assert url("document_terminate", order) not in (
        client.get(url("document_detail", order)).content.decode()
    )
    response = client.get(url("document_terminate", order))
    assert response.status_code == 200
    assert "only an agreed order can be terminated" in response.content.decode()
    response = client.post(url("document_terminate", order), termination_form())
    assert response.status_code == 200
    assert not ContractDocument.objects.filter(kind=DocumentKind.TERMINATION).exists()


def test_only_the_councils_editors_may_open_the_termination_page(world):
    order = agreed(world)
    officer = make_user(council=world["council"], role="payments_officer")
    reader = make_user(provider=world["provider"], role="read_only")
    for user in (officer, world["carer"], reader):
        client = client_for(user)
        assert url("document_terminate", order) not in (
            client.get(url("document_detail", order)).content.decode()
        )
        assert client.get(url("document_terminate", order)).status_code == 403
        assert client.post(url("document_terminate", order), termination_form()).status_code == 403
    other = make_provider()
    make_contract(world["council"], other)
    for user in (
        make_user(council=make_council(), role="broker"),
        make_user(provider=other, role="super_user_actuals"),
    ):
        client = client_for(user)
        assert client.get(url("document_terminate", order)).status_code == 404
        assert client.post(url("document_terminate", order), termination_form()).status_code == 404
    assert state(order)[0] == DocumentStatus.AGREED
    assert Client().get(url("document_terminate", order)).status_code == 302


def test_the_provider_sees_the_termination_and_agrees_to_it(world):
    order = agreed(world)
    termination = terminate(world, order)
    client = client_for(world["carer"])
    page = client.get(reverse("contracts:document_list")).content.decode()
    assert f"Termination {termination.reference}" in page
    page = client.get(url("document_agree", termination)).content.decode()
    assert "I agree to this termination" in page and "31/12/2026" in page
    response = client.post(url("document_agree", termination), {"password": PASSWORD}, follow=True)
    assert f"You agreed to the termination {termination.reference}" in response.content.decode()
    termination.refresh_from_db()
    assert termination.status == DocumentStatus.AGREED


def test_the_pdf_of_a_termination_says_so_with_the_lines_and_the_last_day(world):
    order = agreed(world)
    termination = terminate(world, order)
    raw = document_pdf(termination, compress=False)
    assert b"Termination" in raw
    assert f"terminates Individual Service Order {order.reference}".encode() in raw
    assert b"31/12/2026" in raw
    assert b"Last day" in raw
    assert b"Home Care - Single Assist Fixed Rate" in raw
    assert b"residential care" in raw


def test_the_council_issues_a_corrected_termination_from_the_rejected_one(world):
    order = agreed(world)
    first = reject(world, terminate(world, order))
    client = client_for(world["broker"])
    page = client.get(url("document_detail", first)).content.decode()
    assert "care stops on 15/01" in page
    assert url("document_reissue", first) in page
    response = client.get(url("document_reissue", first))
    page = response.content.decode()
    assert "Issue a corrected termination" in page
    assert 'name="end_date_0" value="31"' in page
    response = client.post(
        url("document_reissue", first),
        termination_form(end_date_0="15", end_date_1="1", end_date_2="2027"),
    )
    corrected = ContractDocument.objects.get(replaces=first)
    assert response["Location"] == url("document_detail", corrected)
    assert corrected.kind == DocumentKind.TERMINATION
    assert Cpli.objects.get().end_date == date(2027, 1, 15)
    response = client.get(url("document_reissue", first))
    assert "already been issued again" in response.content.decode()
