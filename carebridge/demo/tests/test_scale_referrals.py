"""The benchmark's referrals (`seed_scale`): bulk-loaded, yet only states the services reach."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from carebridge.accounts.models import User
from carebridge.core.calendar import ServiceHours, add_service_time, service_time_between
from carebridge.core.permissions import Function, can_edit
from carebridge.demo.common import service_moment_before
from carebridge.demo.scale import SCALE_API_KEY, SCALE_SLUG, seed_scale
from carebridge.integrations.authentication import ApiTokenAuthentication
from carebridge.integrations.models import ApiToken
from carebridge.organisations.deadlines import referral_respond_by, referral_update_due_by
from carebridge.organisations.models import Council, Rulebook
from carebridge.organisations.selectors import providers_of_council
from carebridge.referrals import services
from carebridge.referrals.choices import CLOSED_STATES, ReferralEventKind, ReferralStatus
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.selectors import Urgency, reply_urgency

pytestmark = pytest.mark.django_db

E = ReferralEventKind
S = ReferralStatus
NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday, inside the service hours

# The update log each state is reached by, oldest first, as the services write it.
PATHS = {
    S.PENDING: [E.ADDED],
    S.ACCEPTED: [E.ADDED, E.ACCEPTED],
    S.UPDATED: [E.ADDED, E.ACCEPTED, E.UPDATED],
    S.COMPLETED: [E.ADDED, E.ACCEPTED, E.UPDATED, E.ACTUALS],
    S.REFUSED: [E.ADDED, E.REFUSED],
    S.FAILED: [E.ADDED, E.ACCEPTED, E.FAILED],
    S.WITHDRAWN: [E.ADDED, E.WITHDRAWN],
}
ANSWERED = {S.ACCEPTED, S.UPDATED, S.COMPLETED, S.REFUSED, S.FAILED}


@pytest.fixture(autouse=True)
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def seed(**numbers):
    numbers = {"pending_referrals": 40, "closed_referrals": 60, **numbers}
    return seed_scale(clients=200, **numbers)


def counts() -> dict[str, int]:
    return {
        "referrals": Referral.objects.count(),
        "events": ReferralEvent.objects.count(),
        "users": User.objects.count(),
        "tokens": ApiToken.objects.count(),
    }


def test_it_builds_the_numbers_asked_for_in_every_state():
    made = seed(in_service_referrals=10)
    council = Council.objects.get(slug=SCALE_SLUG)
    referrals = Referral.objects.filter(council=council)
    assert made["referrals"] == {"pending": 40, "in service": 10, "closed": 60}
    assert referrals.filter(status=S.PENDING).count() == 40
    assert referrals.filter(status__in=[S.ACCEPTED, S.UPDATED]).count() == 10
    assert referrals.filter(status__in=CLOSED_STATES).count() == 60
    assert set(referrals.values_list("status", flat=True)) == set(S)
    assert referrals.count() == Referral.objects.count()


def test_in_service_referrals_default_to_a_sixteenth_of_the_pending_ones():
    seed(pending_referrals=64, closed_referrals=0)
    assert Referral.objects.filter(status__in=[S.ACCEPTED, S.UPDATED]).count() == 4


def test_every_referral_has_the_fields_and_update_log_its_state_is_reached_by():
    seed(in_service_referrals=10)
    rulebook = Rulebook.objects.get(council__slug=SCALE_SLUG)
    for referral in Referral.objects.select_related("answered_by", "provider"):
        referral.full_clean()
        status = S(referral.status)
        kinds = list(referral.events.order_by("at", "pk").values_list("kind", flat=True))
        assert kinds == PATHS[status], (status, kinds)
        assert referral.respond_by == referral_respond_by(rulebook, referral.received_at)
        assert referral.received_at <= referral.changed_at <= NOW
        assert referral.events.order_by("at", "pk").last().at == referral.changed_at
        assert (referral.closed_at is not None) == (status in CLOSED_STATES)
        if status in CLOSED_STATES:
            assert referral.closed_at == referral.changed_at
        if status in ANSWERED:
            assert referral.answered_at is not None
            assert referral.answered_by.provider_id == referral.provider_id
            assert can_edit(referral.answered_by.role, Function.REFERRALS)
        else:
            assert referral.answered_at is None and referral.answered_by is None
        assert (referral.refusal_reason != "") == (status == S.REFUSED)
        assert (referral.failure_reason != "") == (status == S.FAILED)
        assert (referral.withdrawal_reason != "") == (status == S.WITHDRAWN)
        if referral.first_visit_at is not None:
            assert referral.update_due_by == referral_update_due_by(
                rulebook, referral.first_visit_at
            )
        if status in {S.UPDATED, S.COMPLETED}:
            assert referral.care_start_date is not None and referral.update_completed_by
        if status == S.COMPLETED:
            assert referral.actuals_end_date >= referral.actuals_start_date
            assert referral.hours_delivered % 1 in {0, 0.25, 0.5, 0.75}


def test_the_referrals_go_to_the_councils_providers_and_mostly_the_personas():
    seed()
    council = Council.objects.get(slug=SCALE_SLUG)
    persona = User.objects.get(email=f"provider@{SCALE_SLUG}.example")
    contracted = set(providers_of_council(council.pk).values_list("pk", flat=True))
    assert set(Referral.objects.values_list("provider_id", flat=True)) <= contracted
    mine = Referral.objects.filter(provider_id=persona.provider_id).count()
    assert 0.3 < mine / Referral.objects.count() < 0.7


def test_the_pending_referrals_are_missed_due_soon_and_in_time():
    seed(pending_referrals=60)
    rulebook = Rulebook.objects.get(council__slug=SCALE_SLUG)
    urgencies = [
        reply_urgency(respond_by, rulebook, NOW)
        for respond_by in Referral.objects.filter(status=S.PENDING).values_list(
            "respond_by", flat=True
        )
    ]
    assert urgencies.count(Urgency.RED) == 36
    assert urgencies.count(Urgency.AMBER) == 9
    assert urgencies.count(Urgency.GREEN) == 15
    received = Referral.objects.filter(status=S.PENDING).values_list("received_at", flat=True)
    assert all(NOW - timedelta(days=5) < moment <= NOW for moment in received)


def test_the_closed_referrals_are_older_than_the_open_ones():
    seed()
    closed = Referral.objects.filter(status__in=CLOSED_STATES)
    assert all(
        moment < NOW - timedelta(days=4) for moment in closed.values_list("received_at", flat=True)
    )


def test_a_second_run_makes_nothing_more_and_a_larger_one_tops_up():
    seed()
    before = counts()
    again = seed()
    assert counts() == before
    assert again["created"].get("pending referrals", 0) == 0

    seed(pending_referrals=50, closed_referrals=70)
    assert Referral.objects.filter(status=S.PENDING).count() == 50
    assert Referral.objects.filter(status__in=CLOSED_STATES).count() == 70
    assert ReferralEvent.objects.filter(kind=E.ADDED).count() == Referral.objects.count()


def test_the_services_carry_on_from_the_seeded_states():
    seed(in_service_referrals=10)
    persona = User.objects.get(email=f"provider@{SCALE_SLUG}.example")
    pending = Referral.objects.filter(status=S.PENDING, provider=persona.provider).first()
    accepted = services.referral_accept(
        referral=pending, by=persona, first_visit_at=NOW + timedelta(hours=4)
    )
    assert accepted.status == S.ACCEPTED
    booked = Referral.objects.filter(status=S.ACCEPTED).exclude(pk=pending.pk).first()
    assert booked.answered_by is not None
    failed = services.referral_fail(referral=booked, by=booked.answered_by, reason="declined")
    assert failed.status == S.FAILED


def test_the_scale_api_key_authenticates_as_the_scale_council():
    seed(pending_referrals=0, closed_referrals=0)
    request = RequestFactory().get(
        "/api/v1/referrals/", HTTP_AUTHORIZATION=f"Bearer {SCALE_API_KEY}"
    )
    _caller, token = ApiTokenAuthentication().authenticate(request)
    assert token.council.slug == SCALE_SLUG
    assert ApiToken.objects.count() == 1


def test_the_command_takes_the_numbers_of_referrals():
    call_command(
        "seed_scale",
        "--clients=50",
        "--pending-referrals=5",
        "--closed-referrals=7",
        "--in-service-referrals=2",
        stdout=mock.Mock(),
    )
    assert Referral.objects.filter(status=S.PENDING).count() == 5
    assert Referral.objects.filter(status__in=CLOSED_STATES).count() == 7
    assert Referral.objects.filter(status__in=[S.ACCEPTED, S.UPDATED]).count() == 2


@pytest.mark.parametrize(
    "arguments",
    [["--pending-referrals=-1"], ["--closed-referrals=-5"], ["--clients=0"]],
)
def test_the_command_refuses_numbers_it_cannot_build(arguments):
    with pytest.raises(CommandError):
        call_command("seed_scale", *arguments, stdout=mock.Mock())


@pytest.mark.parametrize(
    ("at", "minutes"),
    [
        (NOW, 0),
        (NOW, 90),
        (NOW, 300),  # back into Tuesday
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), 120),  # Monday: back over the weekend
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), 45),  # a Saturday
    ],
)
def test_service_moment_before_is_the_reverse_of_adding_service_time(at, minutes):
    hours = ServiceHours(
        start=time(8, 0),
        end=time(17, 30),
        weekdays=frozenset(range(5)),
        bank_holidays_closed=True,
    )
    start = service_moment_before(at, timedelta(minutes=minutes), hours)
    assert service_time_between(start, at, hours) == timedelta(minutes=minutes)
    if minutes:
        assert add_service_time(start, timedelta(minutes=minutes), hours) <= at


def test_referrals_made_by_the_service_after_seeding_get_new_ids():
    from tests.support import make_referral

    seed(pending_referrals=10, closed_referrals=10)
    persona = User.objects.get(email=f"provider@{SCALE_SLUG}.example")
    council = Council.objects.get(slug=SCALE_SLUG)
    highest = Referral.objects.order_by("-pk").first().pk
    referral = make_referral(council, persona.provider)
    assert referral.pk > highest
    assert referral.events.get().kind == E.ADDED
