"""The referral lifecycle: every allowed and every refused transition of the table."""

import importlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from carebridge.referrals import services
from carebridge.referrals.choices import (
    TRANSITIONS,
    ReferralEventKind,
    ReferralStatus,
)
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.tests.conftest import NOW, Parties
from tests.support import make_contract, make_council, make_provider, make_referral, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

E = ReferralEventKind
S = ReferralStatus


@pytest.fixture
def world(parties: Parties):
    return {
        "council": parties.council,
        "provider": parties.provider,
        "broker": parties.broker,
        "carer": parties.carer,
    }


FIRST_VISIT = NOW + timedelta(hours=6)


def do(kind: ReferralEventKind, referral: Referral, world, *, other: bool = False) -> Referral:
    """Carry out one event of the table with valid answers (`other`: different answers, so the
    request is not a repeat of one already carried out)."""
    carer = world["carer"]
    later = timedelta(hours=2 if other else 0)
    if kind == E.ACCEPTED:
        return services.referral_accept(
            referral=referral, by=carer, first_visit_at=FIRST_VISIT + later
        )
    if kind == E.REFUSED:
        reason = "cannot_meet_needs" if other else "no_capacity"
        return services.referral_refuse(referral=referral, by=carer, reason=reason)
    if kind == E.DELAYED:
        return services.referral_delay(
            referral=referral, by=carer, first_visit_at=FIRST_VISIT + timedelta(days=1) + later
        )
    if kind == E.FAILED:
        reason = "died" if other else "declined"
        return services.referral_fail(referral=referral, by=carer, reason=reason)
    if kind == E.UPDATED:
        return services.referral_update(
            referral=referral,
            by=carer,
            care_start_date=date(2026, 11, 23),
            predicted_end_date=date(2026, 12, 18) if other else None,
            terminated_within_72_hours=False,
            needs_changed=False,
            needs_change_details="",
            completed_by="Jo Carer",
            completed_on=date(2026, 11, 23),
        )
    if kind == E.ACTUALS:
        return services.referral_send_actuals(
            referral=referral,
            by=carer,
            start_date=date(2026, 11, 23),
            end_date=date(2026, 11, 23),
            visits_delivered=7 if other else 6,
            hours_delivered=Decimal("15"),
            carers_at_start=1,
            carers_at_end=1,
        )
    if kind == E.WITHDRAWN:
        return services.referral_withdraw(
            referral=referral, by=world["broker"], reason="Moved away" if other else "Died"
        )
    raise AssertionError(kind)


# How to bring a new referral into each state, by events of the table.
PATHS = {
    S.PENDING: [],
    S.ACCEPTED: [E.ACCEPTED],
    S.UPDATED: [E.ACCEPTED, E.UPDATED],
    S.COMPLETED: [E.ACCEPTED, E.UPDATED, E.ACTUALS],
    S.REFUSED: [E.REFUSED],
    S.FAILED: [E.ACCEPTED, E.FAILED],
    S.WITHDRAWN: [E.WITHDRAWN],
}


def referral_in(state: ReferralStatus, world) -> Referral:
    referral = make_referral(world["council"], world["provider"], by=world["broker"])
    for kind in PATHS[state]:
        referral = do(kind, referral, world)
    assert referral.status == state
    return referral


CASES = [(state, kind) for state in S for kind in E if kind != E.ADDED]


@pytest.mark.parametrize(("state", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_it_allows_exactly_the_transitions_of_the_table(state, kind, world):
    referral = referral_in(state, world)
    events_before = ReferralEvent.objects.filter(referral=referral).count()
    allowed, to = TRANSITIONS[kind]
    if state in allowed:
        after = do(kind, referral, world)
        assert after.status == to
        assert ReferralEvent.objects.filter(referral=referral).count() == events_before + 1
        assert ReferralEvent.objects.filter(referral=referral).first().kind == kind
    else:
        with pytest.raises(services.TransitionRefused) as refusal:
            do(kind, referral, world, other=True)
        assert f"currently in the state {state.label}" in refusal.value.message
        referral.refresh_from_db()
        assert referral.status == state
        assert ReferralEvent.objects.filter(referral=referral).count() == events_before


def test_it_gives_the_guides_message_for_actuals_before_the_update(world):
    referral = referral_in(S.ACCEPTED, world)
    with pytest.raises(services.TransitionRefused) as refusal:
        do(E.ACTUALS, referral, world)
    assert refusal.value.message == (
        "The selected referral is currently in the state Accepted, but needs to be in the state "
        "Updated in order for actuals to be sent."
    )


@pytest.mark.parametrize("kind", [k for k in E if k not in (E.ADDED, E.DELAYED)])
def test_a_repeated_identical_request_changes_nothing(kind, world):
    allowed, _to = TRANSITIONS[kind]
    start = next(state for state in S if state in allowed)
    referral = referral_in(start, world)
    first = do(kind, referral, world)
    events = ReferralEvent.objects.filter(referral=referral).count()
    second = do(kind, referral, world)
    assert second.status == first.status
    assert second.changed_at == first.changed_at
    assert ReferralEvent.objects.filter(referral=referral).count() == events


def test_a_repeated_delay_is_one_delay(world):
    referral = referral_in(S.ACCEPTED, world)
    do(E.DELAYED, referral, world)
    after = do(E.DELAYED, referral, world)
    assert after.delay_count == 1
    assert ReferralEvent.objects.filter(referral=referral, kind=E.DELAYED).count() == 1


def test_it_refuses_a_third_delay(world):
    referral = referral_in(S.ACCEPTED, world)
    for days in (1, 2):
        referral = services.referral_delay(
            referral=referral, by=world["carer"], first_visit_at=FIRST_VISIT + timedelta(days=days)
        )
    with pytest.raises(services.TransitionRefused) as refusal:
        services.referral_delay(
            referral=referral, by=world["carer"], first_visit_at=FIRST_VISIT + timedelta(days=3)
        )
    assert "already been delayed 2 times" in refusal.value.message
    referral.refresh_from_db()
    assert referral.delay_count == 2


def test_the_rulebook_sets_how_many_delays(world):
    council = make_council(referral_max_delays=1)
    provider = world["provider"]
    make_contract(council, provider)
    referral = make_referral(council, provider)
    referral = services.referral_accept(
        referral=referral, by=world["carer"], first_visit_at=FIRST_VISIT
    )
    services.referral_delay(
        referral=referral, by=world["carer"], first_visit_at=FIRST_VISIT + timedelta(days=1)
    )
    with pytest.raises(services.TransitionRefused):
        services.referral_delay(
            referral=referral, by=world["carer"], first_visit_at=FIRST_VISIT + timedelta(days=2)
        )


def test_other_is_refused_without_details(world):
    referral = referral_in(S.PENDING, world)
    with pytest.raises(ValidationError) as error:
        services.referral_refuse(referral=referral, by=world["carer"], reason="other")
    assert "details" in error.value.message_dict


def test_another_provider_cannot_answer(world):
    referral = referral_in(S.PENDING, world)
    stranger = make_user(provider=make_provider(), role="super_user_actuals")
    with pytest.raises(PermissionError):
        services.referral_accept(referral=referral, by=stranger, first_visit_at=FIRST_VISIT)


def test_acceptance_sets_when_the_update_is_due(world):
    referral = referral_in(S.ACCEPTED, world)
    assert referral.update_due_by == FIRST_VISIT + timedelta(hours=72)
    assert referral.answered_by == world["carer"]


def test_the_update_is_due_72_hours_after_a_first_visit_weeks_away(world):
    referral = make_referral(world["council"], world["provider"], by=world["broker"])
    in_three_weeks = NOW + timedelta(weeks=3)
    referral = services.referral_accept(
        referral=referral, by=world["carer"], first_visit_at=in_three_weeks
    )
    assert referral.update_due_by == in_three_weeks + timedelta(hours=72)


def test_a_delay_moves_when_the_update_is_due(world):
    referral = referral_in(S.ACCEPTED, world)
    later = FIRST_VISIT + timedelta(days=5)
    referral = services.referral_delay(referral=referral, by=world["carer"], first_visit_at=later)
    assert referral.update_due_by == later + timedelta(hours=72)
    event = ReferralEvent.objects.filter(referral=referral, kind=E.DELAYED).get()
    assert event.details["update_due_by"] == (later + timedelta(hours=72)).isoformat()


def test_referrals_awaiting_their_update_get_the_new_deadline_when_migrated(world):
    referral = referral_in(S.ACCEPTED, world)
    # As the rule before this change set it: 72 hours after the acceptance.
    Referral.objects.filter(pk=referral.pk).update(update_due_by=NOW + timedelta(hours=72))
    updated = referral_in(S.UPDATED, world)
    migration = importlib.import_module(
        "carebridge.referrals.migrations.0003_update_due_after_first_visit"
    )
    migration.due_after_first_visit(django_apps, None)
    referral.refresh_from_db()
    assert referral.update_due_by == FIRST_VISIT + timedelta(hours=72)
    assert Referral.objects.get(pk=updated.pk).update_due_by == updated.update_due_by


def update_answers(**overrides):
    return {
        "care_start_date": date(2026, 11, 23),
        "predicted_end_date": None,
        "terminated_within_72_hours": False,
        "needs_changed": False,
        "needs_change_details": "",
        "completed_by": "Jo Carer",
        "completed_on": date(2026, 11, 23),
        **overrides,
    }


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (
            {"care_start_date": date(2026, 11, 24), "completed_on": date(2026, 11, 23)},
            "care_start_date",
            "The start date cannot be in the future",
        ),
        (
            {"care_start_date": date(2026, 11, 20)},
            "care_start_date",
            "The start date cannot be before the referral was received on 23/11/2026",
        ),
        ({"completed_on": date(2026, 11, 24)}, "completed_on", "The date cannot be in the future"),
    ],
    ids=["started-tomorrow", "started-before-the-referral", "completed-tomorrow"],
)
def test_it_refuses_a_provider_update_with_impossible_dates(world, answers, field, message):
    referral = referral_in(S.ACCEPTED, world)
    with pytest.raises(ValidationError) as error:
        services.referral_update(referral=referral, by=world["carer"], **update_answers(**answers))
    assert error.value.message_dict[field][0].startswith(message)
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED


def actuals_answers(**overrides):
    return {
        "start_date": date(2026, 11, 23),
        "end_date": date(2026, 11, 23),
        "visits_delivered": 6,
        "hours_delivered": Decimal("15"),
        "carers_at_start": 1,
        "carers_at_end": 1,
        **overrides,
    }


def test_it_refuses_visit_actuals_ending_before_the_first_visit(world):
    received = NOW - timedelta(days=4)
    with mock.patch("django.utils.timezone.now", return_value=received):
        referral = make_referral(
            world["council"], world["provider"], by=world["broker"], received_at=received
        )
        referral = services.referral_accept(
            referral=referral, by=world["carer"], first_visit_at=NOW - timedelta(days=1)
        )
    referral = do(E.UPDATED, referral, world)
    with pytest.raises(ValidationError) as error:
        services.referral_send_actuals(
            referral=referral,
            by=world["carer"],
            **actuals_answers(start_date=date(2026, 11, 19), end_date=date(2026, 11, 21)),
        )
    assert error.value.message_dict == {
        "end_date": ["The end date cannot be before the first visit on 22/11/2026"]
    }
    referral.refresh_from_db()
    assert referral.status == S.UPDATED


def test_it_refuses_visit_actuals_starting_before_the_referral_or_in_the_future(world):
    referral = referral_in(S.UPDATED, world)
    for start, message in [
        (date(2026, 11, 22), "The start date cannot be before the referral was received"),
        (date(2026, 11, 24), "The start date cannot be in the future"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.referral_send_actuals(
                referral=referral, by=world["carer"], **actuals_answers(start_date=start)
            )
        assert error.value.message_dict["start_date"][0].startswith(message)


def test_it_works_out_respond_by_in_service_hours(world):
    # 4:57pm on Monday 21/05/2018 with 08:00-17:30 hours is due at 9:27am on Tuesday.
    received = datetime(2018, 5, 21, 15, 57, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=received):
        referral = make_referral(world["council"], world["provider"], received_at=received)
    assert referral.respond_by == datetime(2018, 5, 22, 8, 27, tzinfo=UTC)


def test_received_at_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        make_referral(world["council"], world["provider"], received_at=NOW + timedelta(minutes=5))
    assert "received_at" in error.value.message_dict


def test_it_refuses_a_provider_the_council_has_no_contract_with(world):
    with pytest.raises(ValidationError) as error:
        make_referral(world["council"], make_provider())
    assert "provider" in error.value.message_dict
