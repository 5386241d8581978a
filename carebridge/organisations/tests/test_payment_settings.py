"""The council's payment settings pages: its administrators change each contract type's payment
rule and the scheduled payments, one audited change a time (a repeat changes nothing); its
brokers may look; a provider, or a council role without organisation details, may not; bad input
is shown against its field with nothing written; another council's settings are never touched."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.permissions import Role
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.organisations.models import Council, PaymentRule, Rulebook
from carebridge.organisations.services import payment_settings as services
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("organisations:payment_settings")
SCHEDULE = reverse("organisations:scheduled_payments_edit")


def rule_url(kind: str = ContractType.SPOT) -> str:
    return f"{reverse('organisations:payment_rule_edit')}?type={kind}"


@dataclass
class Keepers:
    council: Council
    administrator: User
    broker: User
    payments_officer: User
    provider_user: User
    other_council: Council
    other_administrator: User


@pytest.fixture
def keepers() -> Keepers:
    council, other = make_council(), make_council()
    return Keepers(
        council=council,
        administrator=make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR),
        broker=make_user(council=council, role=Role.BROKER),
        payments_officer=make_user(council=council, role=Role.PAYMENTS_OFFICER),
        # Super User (Scheduled) edits its own organisation's details: still not a council's.
        provider_user=make_user(provider=make_provider(), role=Role.SUPER_USER_SCHEDULED),
        other_council=other,
        other_administrator=make_user(council=other, role=Role.COUNCIL_ADMINISTRATOR),
    )


def rule_form(**changes) -> dict[str, str]:
    data = {
        "payment_method": PaymentMethod.ON_INVOICE,
        "one_off_claims_allowed": "yes",
        "aborted_visit_max_minutes": "45",
        "aborted_visit_paid_percent": "50",
        "night_cancellation_paid_percent": "25",
        "missed_planned_absence_paid_percent": "0",
        "missed_non_engagement_paid_percent": "100",
        "missed_short_notice_paid_percent": "80",
        "missed_provider_failure_paid_percent": "0",
    }
    data.update(changes)
    return data


def events(action: str) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("pk"))


# --- The payment rule of a contract type -------------------------------------------------------


def test_the_administrator_changes_a_contract_types_rule_with_its_before_and_after_audited(
    keepers,
):
    client = client_for(keepers.administrator)
    assert client.get(rule_url()).status_code == 200

    response = client.post(rule_url(), rule_form())

    assert response.status_code == 302
    assert response.url == OVERVIEW
    rule = PaymentRule.objects.get(council=keepers.council, contract_type=ContractType.SPOT)
    assert rule.payment_method == PaymentMethod.ON_INVOICE
    assert rule.one_off_claims_allowed is True
    assert (rule.aborted_visit_max_minutes, rule.aborted_visit_paid_percent) == (45, 50)
    assert rule.missed_short_notice_paid_percent == 80
    (event,) = events("payment_rule.updated")
    assert event.actor == keepers.administrator
    assert event.council_id == keepers.council.pk
    # Only what changed from the defaults, before and after.
    assert event.before == {
        "payment_method": PaymentMethod.SELF_BILLING,
        "one_off_claims_allowed": False,
        "aborted_visit_max_minutes": 30,
        "aborted_visit_paid_percent": 100,
        "missed_short_notice_paid_percent": 100,
    }
    assert event.after["missed_short_notice_paid_percent"] == 80
    assert event.after["payment_method"] == PaymentMethod.ON_INVOICE


def test_submitting_the_same_rule_twice_is_one_change(keepers):
    client = client_for(keepers.administrator)

    client.post(rule_url(), rule_form())
    client.post(rule_url(), rule_form())

    assert PaymentRule.objects.filter(council=keepers.council).count() == 1
    assert len(events("payment_rule.updated")) == 1


def test_an_empty_cap_means_no_cap(keepers):
    client_for(keepers.administrator).post(rule_url(), rule_form(aborted_visit_max_minutes=""))

    rule = PaymentRule.objects.get(council=keepers.council, contract_type=ContractType.SPOT)
    assert rule.aborted_visit_max_minutes is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("missed_non_engagement_paid_percent", "101", "must be 100 or fewer"),
        ("aborted_visit_paid_percent", "-1", "must be 0 or more"),
        ("night_cancellation_paid_percent", "half", "must be a whole number"),
        ("aborted_visit_max_minutes", "0", "must be 1 or more"),
        ("payment_method", "cheque", "Select how this contract type is paid"),
        ("one_off_claims_allowed", "", "Select whether providers can claim one-off payments"),
    ],
)
def test_bad_input_is_shown_against_its_field_and_nothing_is_written(
    keepers, field, value, message
):
    response = client_for(keepers.administrator).post(rule_url(), rule_form(**{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_{field}' in page
    assert not PaymentRule.objects.filter(council=keepers.council).exists()
    assert not events("payment_rule.updated")


def test_a_contract_type_that_does_not_exist_is_not_found(keepers):
    client = client_for(keepers.administrator)
    assert client.get(reverse("organisations:payment_rule_edit")).status_code == 404

    assert client.get(rule_url("barter")).status_code == 404
    assert client.post(rule_url("barter"), rule_form()).status_code == 404


def test_another_councils_administrator_changes_only_their_own_councils_rule(keepers):
    client_for(keepers.other_administrator).post(rule_url(), rule_form())

    assert not PaymentRule.objects.filter(council=keepers.council).exists()
    assert PaymentRule.objects.get(council=keepers.other_council).payment_method == (
        PaymentMethod.ON_INVOICE
    )
    (event,) = events("payment_rule.updated")
    assert event.council_id == keepers.other_council.pk


@pytest.mark.parametrize("who", ["provider_user", "payments_officer", "broker"])
def test_only_the_councils_administrators_may_change_a_rule(keepers, who):
    client = client_for(getattr(keepers, who))

    assert client.get(rule_url()).status_code == 403
    assert client.post(rule_url(), rule_form()).status_code == 403
    assert not PaymentRule.objects.exists()


def test_the_service_refuses_a_user_who_is_not_the_councils_administrator(keepers):
    for user in (keepers.broker, keepers.other_administrator, keepers.provider_user):
        with pytest.raises(services.PaymentSettingsRefused):
            services.payment_rule_update(
                by=user,
                council=keepers.council,
                contract_type=ContractType.SPOT,
                aborted_visit_paid_percent=10,
            )
    assert not PaymentRule.objects.exists()


# --- The overview ------------------------------------------------------------------------------


def test_the_overview_shows_every_contract_type_with_change_links_for_the_administrator(keepers):
    client_for(keepers.administrator).post(rule_url(ContractType.FRAMEWORK), rule_form())

    response = client_for(keepers.administrator).get(OVERVIEW)

    assert response.status_code == 200
    page = response.content.decode()
    for kind in ContractType:
        assert rule_url(kind) in page
    assert [rule.contract_type for rule in response.context["rules"] if rule.pk] == [
        ContractType.FRAMEWORK
    ]
    assert page.count("Defaults") == len(ContractType) - 1
    assert SCHEDULE in page


def test_a_broker_sees_the_settings_without_change_links(keepers):
    response = client_for(keepers.broker).get(OVERVIEW)

    assert response.status_code == 200
    page = response.content.decode()
    assert rule_url() not in page
    assert SCHEDULE not in page


@pytest.mark.parametrize("who", ["provider_user", "payments_officer"])
def test_the_overview_is_refused_to_a_provider_and_to_a_role_without_organisation_details(
    keepers, who
):
    assert client_for(getattr(keepers, who)).get(OVERVIEW).status_code == 403


def test_the_overview_asks_the_same_queries_whatever_the_council_keeps(keepers):
    client = client_for(keepers.administrator)
    client.get(OVERVIEW)  # the session's own queries settle first
    with CaptureQueriesContext(connection) as none_saved:
        client.get(OVERVIEW)
    for kind in ContractType:
        services.payment_rule_update(
            by=keepers.administrator, council=keepers.council, contract_type=kind
        )
    with CaptureQueriesContext(connection) as all_saved:
        client.get(OVERVIEW)

    assert len(all_saved) == len(none_saved)


# --- Scheduled payments ------------------------------------------------------------------------


def test_the_administrator_changes_the_scheduled_payments_audited(keepers):
    response = client_for(keepers.administrator).post(
        SCHEDULE, {"scheduled_payment_weeks": "6", "scheduled_weeks_in_advance": "3"}
    )

    assert response.status_code == 302
    book = Rulebook.objects.get(council=keepers.council)
    assert (book.scheduled_payment_weeks, book.scheduled_weeks_in_advance) == (6, 3)
    (event,) = events("rulebook.scheduled_payments_updated")
    assert event.before == {"scheduled_payment_weeks": 4, "scheduled_weeks_in_advance": 2}
    assert event.after == {"scheduled_payment_weeks": 6, "scheduled_weeks_in_advance": 3}
    other = Rulebook.objects.get(council=keepers.other_council)
    assert (other.scheduled_payment_weeks, other.scheduled_weeks_in_advance) == (4, 2)


def test_saving_the_scheduled_payments_unchanged_writes_no_event(keepers):
    client = client_for(keepers.administrator)
    for _ in range(2):
        client.post(SCHEDULE, {"scheduled_payment_weeks": "4", "scheduled_weeks_in_advance": "2"})

    assert not events("rulebook.scheduled_payments_updated")


@pytest.mark.parametrize(
    ("weeks", "advance", "field", "message"),
    [
        ("4", "4", "scheduled_weeks_in_advance", "must be fewer than the weeks"),
        ("14", "2", "scheduled_payment_weeks", "must be 13 or fewer"),
        ("0", "0", "scheduled_payment_weeks", "must be 1 or more"),
        ("", "2", "scheduled_payment_weeks", "Enter the weeks one scheduled payment covers"),
    ],
)
def test_bad_scheduled_payments_are_shown_against_the_field(
    keepers, weeks, advance, field, message
):
    response = client_for(keepers.administrator).post(
        SCHEDULE, {"scheduled_payment_weeks": weeks, "scheduled_weeks_in_advance": advance}
    )

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not events("rulebook.scheduled_payments_updated")


def test_the_service_refuses_weeks_in_advance_not_fewer_than_the_block(keepers):
    with pytest.raises(Exception) as refused:
        services.scheduled_payments_update(
            by=keepers.administrator,
            council=keepers.council,
            scheduled_payment_weeks=2,
            scheduled_weeks_in_advance=2,
        )
    assert "scheduled_weeks_in_advance" in refused.value.message_dict  # type: ignore[attr-defined]


def test_a_registered_lock_refuses_a_change_of_the_schedule_and_says_why(keepers, monkeypatch):
    reason = "A scheduled payment has been paid: its blocks cannot be cut differently now."
    monkeypatch.setattr(
        services,
        "SCHEDULE_LOCKS",
        [lambda council_id: reason if council_id == keepers.council.pk else None],
    )
    client = client_for(keepers.administrator)

    assert reason in client.get(SCHEDULE).content.decode()
    response = client.post(
        SCHEDULE, {"scheduled_payment_weeks": "6", "scheduled_weeks_in_advance": "3"}
    )

    assert response.status_code == 200
    assert reason in response.context["form"].non_field_errors()
    assert Rulebook.objects.get(council=keepers.council).scheduled_payment_weeks == 4
    assert not events("rulebook.scheduled_payments_updated")


@pytest.mark.parametrize("who", ["provider_user", "payments_officer", "broker"])
def test_only_the_administrators_change_the_scheduled_payments(keepers, who):
    client = client_for(getattr(keepers, who))

    assert client.get(SCHEDULE).status_code == 403
    response = client.post(
        SCHEDULE, {"scheduled_payment_weeks": "6", "scheduled_weeks_in_advance": "3"}
    )
    assert response.status_code == 403
    assert Rulebook.objects.get(council=keepers.council).scheduled_payment_weeks == 4
