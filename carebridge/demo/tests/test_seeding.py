from datetime import time
from decimal import Decimal

import pytest

from carebridge.accounts import services as accounts
from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.services import confirmation_state
from carebridge.audit.models import Event
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.contracts.services import document_fingerprint
from carebridge.core.calendar import now, today
from carebridge.core.formats import round_money
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Role
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.demo.demo import seed_demo
from carebridge.demo.scale import SCALE_SLUG, seed_scale
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import (
    Contract,
    Council,
    District,
    PaymentRule,
    Provider,
    Service,
    Team,
)
from carebridge.organisations.selectors import councils_of_provider, providers_of_council
from carebridge.payments.models import VariationRequest
from carebridge.people.models import ServiceUser
from carebridge.people.validators import nhs_number_is_valid, postcode_is_valid
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.selectors import reply_urgency, with_stage

MODELS = (
    Council,
    Team,
    District,
    Provider,
    Service,
    Contract,
    User,
    ServiceUser,
    Referral,
    ReferralEvent,
    ServiceLevel,
    ContractDocument,
    Cpli,
    PaymentRule,
    Period,
    Actual,
    Confirmation,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo() -> dict:
    return seed_demo()


@pytest.mark.django_db
def test_it_changes_nothing_when_run_twice(demo):
    first = counts()
    second_run = seed_demo()
    assert counts() == first
    assert second_run["created"] == {}


@pytest.mark.django_db
def test_it_gives_every_run_the_same_people(demo):
    people = list(ServiceUser.objects.order_by("ss_ref").values_list("ss_ref", "nhs_number"))
    # Someone without referrals or contracts: those keep their person from being deleted.
    ServiceUser.objects.filter(referrals__isnull=True, contract_documents__isnull=True).order_by(
        "ss_ref"
    ).first().delete()
    seed_demo()
    assert list(ServiceUser.objects.order_by("ss_ref").values_list("ss_ref", "nhs_number")) == (
        people
    )


@pytest.mark.django_db
def test_it_makes_at_least_sixty_service_users_in_both_councils(demo):
    assert ServiceUser.objects.count() >= 60
    assert ServiceUser.objects.filter(council__slug="northshire").count() >= 30
    assert ServiceUser.objects.filter(council__slug="westbrook").count() >= 30


@pytest.mark.django_db
def test_it_makes_a_user_for_every_role(demo):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for slug in ("northshire", "westbrook"):
        roles = set(User.objects.filter(council__slug=slug).values_list("role", flat=True))
        assert roles == {role.value for role in COUNCIL_ROLES}
    larkspur = User.objects.filter(provider__name="Larkspur Home Care")
    assert set(larkspur.values_list("role", flat=True)) == {role.value for role in PROVIDER_ROLES}
    for provider in Provider.objects.all():
        assert provider.contacts.filter(role=Role.SUPER_USER_SCHEDULED).exists()


@pytest.mark.django_db
def test_it_lists_every_log_in_it_made(demo):
    emails = {login["email"] for login in demo["logins"]}
    assert emails == set(User.objects.values_list("email", flat=True))
    assert {"broker@northshire.example", "admin@westbrook.example"} <= emails
    assert {"superuser@larkspur.example", "readonly@larkspur.example"} <= emails
    assert all(email.endswith(".example") for email in emails)


@pytest.mark.django_db
def test_one_provider_works_for_both_councils_and_the_others_for_one(demo):
    reach = {
        p.name: set(councils_of_provider(p.pk).values_list("slug", flat=True))
        for p in Provider.objects.all()
    }
    assert reach["Larkspur Home Care"] == {"northshire", "westbrook"}
    assert sorted(len(slugs) for slugs in reach.values()) == [1, 1, 2]
    assert set(Contract.objects.values_list("contract_type", flat=True)) == {
        "spot",
        "block_2015",
        "framework",
    }
    for provider in Provider.objects.all():
        assert 1 <= provider.services.count() <= 3


@pytest.mark.django_db
def test_every_nhs_number_and_postcode_is_valid(demo):
    for person in ServiceUser.objects.all():
        assert nhs_number_is_valid(person.nhs_number), person.nhs_number
        assert person.nhs_number.startswith("999")
        assert postcode_is_valid(person.postcode), person.postcode
    for place in [*Provider.objects.all(), *Service.objects.all()]:
        assert postcode_is_valid(place.postcode), place.postcode


@pytest.mark.django_db
def test_the_two_councils_have_their_own_rulebooks(demo):
    northshire = Council.objects.get(slug="northshire").rulebook
    westbrook = Council.objects.get(slug="westbrook").rulebook
    assert (northshire.referral_service_start, northshire.referral_service_end) == (
        time(8, 0),
        time(17, 30),
    )
    assert northshire.referral_service_days == "01234"
    assert northshire.referral_service_closed_on_bank_holidays
    assert northshire.actuals_period == "four_weekly"
    assert northshire.actuals_confirmation_rule == "working_days_after"
    assert northshire.actuals_confirmation_working_days == 5
    assert (
        northshire.password_min_length,
        northshire.password_min_capitals,
        northshire.password_min_letters,
        northshire.password_min_digits,
        northshire.password_expiry_days,
    ) == (9, 1, 1, 2, 365)
    assert northshire.login_failures_before_lock == 3
    assert northshire.suspend_after_days == 60

    assert (westbrook.referral_service_start, westbrook.referral_service_end) == (
        time(7, 0),
        time(22, 0),
    )
    assert westbrook.referral_service_days == "0123456"
    assert not westbrook.referral_service_closed_on_bank_holidays
    assert westbrook.actuals_period == "weekly"
    assert westbrook.actuals_confirmation_rule == "weekday_after"
    assert westbrook.actuals_confirmation_weekday == 1
    assert westbrook.close_of_business == time(17, 0)
    assert (
        westbrook.password_min_length,
        westbrook.password_min_capitals,
        westbrook.password_min_letters,
        westbrook.password_min_digits,
        westbrook.password_expiry_days,
    ) == (12, 0, 0, 0, 0)
    assert westbrook.login_failures_before_lock == 3
    assert westbrook.suspend_after_days == 90
    assert not westbrook.staff_require_authenticator


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["broker@northshire.example", "admin@westbrook.example", "superuser@larkspur.example"],
)
def test_a_demo_user_logs_in_with_the_demo_password_and_passcode(demo, email):
    first = accounts.login_check_password(email=email, password=DEMO_PASSWORD)
    assert first.outcome == accounts.Outcome.OK
    assert accounts.second_step_for(first.user) == accounts.SecondStep.PASSCODE
    second = accounts.login_check_second_step(user=first.user, answer=DEMO_PASSCODE)
    assert second.outcome == accounts.Outcome.OK
    assert not accounts.password_change_is_due(first.user)


@pytest.mark.django_db
def test_the_scale_council_is_built_and_topped_up():
    made = seed_scale(clients=500)
    council = Council.objects.get(slug=SCALE_SLUG)
    assert made["clients"] == 500
    assert ServiceUser.objects.filter(council=council).count() == 500
    assert councils_of_provider(Provider.objects.order_by("name").first().pk).count() == 1
    assert Provider.objects.filter(contracts__council=council).count() == 5
    assert District.objects.filter(council=council).count() == 10
    assert (
        User.objects.filter(provider__contracts__council=council, role=Role.READ_ONLY).count() == 50
    )

    topped_up = seed_scale(clients=600)
    assert topped_up["clients"] == 600
    people = ServiceUser.objects.filter(council=council)
    assert people.count() == 600
    assert people.values("ss_ref").distinct().count() == 600
    assert people.values("nhs_number").distinct().count() == 600
    assert all(nhs_number_is_valid(n) for n in people.values_list("nhs_number", flat=True))
    assert all(postcode_is_valid(p) for p in people.values_list("postcode", flat=True))
    assert (
        User.objects.filter(provider__contracts__council=council, role=Role.READ_ONLY).count() == 60
    )

    before = counts()
    seed_scale(clients=600)
    assert counts() == before


@pytest.mark.django_db
def test_the_scale_log_ins_work():
    seed_scale(clients=100)
    for email in ("admin@scale.example", "broker@scale.example", "provider@scale.example"):
        first = accounts.login_check_password(email=email, password=DEMO_PASSWORD)
        assert first.outcome == accounts.Outcome.OK, email
        second = accounts.login_check_second_step(user=first.user, answer=DEMO_PASSCODE)
        assert second.outcome == accounts.Outcome.OK, email


@pytest.mark.django_db
def test_every_demo_council_has_referrals_in_every_state_for_each_provider(demo):
    at = now()
    for council in Council.objects.all():
        providers = Provider.objects.filter(contracts__council=council).distinct()
        assert providers.count() == 2
        for provider in providers:
            referrals = with_stage(Referral.objects.filter(council=council, provider=provider), at)
            stages = set(referrals.values_list("stage", flat=True))
            statuses = set(referrals.values_list("status", flat=True))
            assert {"booked", "delayed", "awaiting_update", "awaiting_actuals"} <= stages
            assert {"pending", "accepted", "updated", "completed", "refused", "failed"} <= statuses
            pending = referrals.filter(status="pending").select_related("council__rulebook")
            urgencies = [reply_urgency(r.respond_by, r.council.rulebook, at) for r in pending]
            assert sorted(urgencies) == ["amber", "green", "green", "red"], "in time, close, missed"
            assert referrals.filter(delay_count=1, status="accepted").exists()
            assert all(r.received_at <= at for r in referrals)
            # Accepted before its first visit, which has now passed: the update is awaited.
            awaiting = referrals.get(external_id__endswith="awaiting-update")
            assert awaiting.first_visit_at <= at


@pytest.mark.django_db
def test_demo_people_live_in_their_districts(demo):
    districts = District.objects.filter(council__slug__in=["northshire", "westbrook"])
    assert all(district.postcode_districts for district in districts)
    for person in ServiceUser.objects.select_related("district"):
        assert person.district.covers_postcode(person.postcode), (person.postcode, person.district)
    for district in districts:
        assert not any(code.startswith("NG") for code in district.outward_codes())


@pytest.mark.django_db
def test_the_demo_has_contract_documents_in_each_answer_and_150_cplis(demo):
    for council in Council.objects.all():
        statuses = set(
            ContractDocument.objects.filter(council=council).values_list("status", flat=True)
        )
        assert {"published", "agreed", "rejected", "terminated"} <= statuses
    assert Cpli.objects.count() >= 150
    assert Cpli.objects.filter(status="active").exists()


# --- Actuals ------------------------------------------------------------------------------------


# Each test seeds the demo again, which takes seconds: the actuals are checked in few tests.


@pytest.mark.django_db
def test_the_councils_have_their_own_actuals_rules_payment_rules_and_hospital_limits(demo):
    northshire = Council.objects.get(slug="northshire").rulebook
    westbrook = Council.objects.get(slug="westbrook").rulebook
    assert westbrook.actuals_period == "weekly"
    assert westbrook.frustrated_reasons() == {"hospital"}
    assert not westbrook.actuals_extras_allowed
    assert westbrook.actuals_csv_layout == "basic"
    assert northshire.actuals_period == "four_weekly"
    assert northshire.frustrated_reasons() == {
        "hospital",
        "aborted_visit",
        "night_cancelled",
        "night_ended",
    }
    assert northshire.actuals_extras_allowed
    assert northshire.actuals_csv_layout == "with_reasons"

    # Northshire pays frustrated quantities by contract type, as Norfolk does.
    rules = {
        rule.contract_type: (
            rule.aborted_visit_max_minutes,
            rule.aborted_visit_paid_percent,
            rule.night_cancellation_paid_percent,
        )
        for rule in PaymentRule.objects.filter(council__slug="northshire")
    }
    assert rules == {
        "spot": (30, 100, 25),
        "block_old": (30, 100, 25),
        "block_2013": (30, 100, 25),
        "block_2015": (None, 50, 25),
        "framework": (None, 50, 25),
    }
    assert not PaymentRule.objects.filter(council__slug="westbrook").exists()
    # Northshire pays its framework home support on invoice and its 2015 block on schedule;
    # Westbrook (no rule) self-bills.
    methods = dict(
        PaymentRule.objects.filter(council__slug="northshire").values_list(
            "contract_type", "payment_method"
        )
    )
    assert methods.pop("framework") == "on_invoice"
    assert methods.pop("block_2015") == "on_schedule"
    assert set(methods.values()) == {"self_billing"}

    # Shared support is paid through 6 weeks in hospital, everything else through 2.
    for council in Council.objects.all():
        weeks = dict(
            ServiceLevel.objects.filter(council=council).values_list(
                "name", "hospital_retainer_weeks"
            )
        )
        assert weeks.pop("Supported Living - Shared Support (Hour)") == 6
        assert set(weeks.values()) == {2}


@pytest.mark.django_db
def test_demo_lines_have_visits_and_each_council_has_an_agreed_short_break(demo):
    weekly = Cpli.objects.filter(yearly_allocation__isnull=True)
    # A temporary CPLI (an approved variation request's) adds time to the visits planned already.
    temporary = VariationRequest.objects.exclude(document=None).values("document")
    assert (
        not weekly.filter(unit__in=["hours", "nights"], visits=0)
        .exclude(document__in=temporary)
        .exists()
    )
    assert not weekly.filter(unit="weeks").exclude(visits=0).exists()
    for council in Council.objects.all():
        short_break = Cpli.objects.get(council=council, yearly_allocation__isnull=False)
        assert short_break.status == "active"
        assert (short_break.unit, short_break.quantity) == ("nights", 0)
        assert short_break.yearly_allocation == Decimal("28")
        assert short_break.description == "Up to 28 Nights a year at £112.40 (Spot)"
        assert short_break.provider.name == "Larkspur Home Care"
        document = short_break.document
        assert document.status == "agreed"
        assert document.signed_hash == document_fingerprint(document)


@pytest.mark.django_db
def test_the_demo_tells_the_last_few_periods_of_actuals(demo):
    every_provider_has_actuals_generated_and_every_period_told_is_complete()
    the_latest_periods_wait_for_the_providers_and_older_ones_are_confirmed_then_paid()
    the_demo_actuals_show_the_guides_examples()


def every_provider_has_actuals_generated_and_every_period_told_is_complete():
    assert Event.objects.filter(action="actuals.generated").count() == 3
    for council in Council.objects.all():
        periods = Period.objects.filter(council=council, actuals__isnull=False).distinct()
        assert periods.count() >= 3
        for provider in providers_of_council(council.pk):
            assert Actual.objects.filter(council=council, provider=provider).exists()
            for period in periods.filter(end_date__lt=today()):
                assert confirmation_state(provider.pk, period).missing == 0
    # Short breaks are not generated: the provider enters their nights.
    nights = Actual.objects.filter(cpli__yearly_allocation__isnull=False)
    assert nights.count() == 4
    assert all(row.planned == 0 and row.actual > 0 for row in nights)


def the_latest_periods_wait_for_the_providers_and_older_ones_are_confirmed_then_paid():
    moment = now()
    for council in Council.objects.all():
        book = council.rulebook
        periods = list(
            Period.objects.filter(council=council, actuals__isnull=False)
            .distinct()
            .order_by("-start_date")
        )
        due = [p for p in periods if actuals_confirm_by(book, p.end_date) >= moment]
        overdue = [p for p in periods if actuals_confirm_by(book, p.end_date) < moment]
        assert len(overdue) >= 2
        for period in due:
            assert not period.confirmations.exists() and not period.is_paid
        confirmed, *paid = overdue
        assert not confirmed.is_paid
        providers = providers_of_council(council.pk).count()
        for period in overdue:
            # Each provider has confirmed it (Larkspur twice the latest: the payments demo
            # changes a week of it for its over-exception invoice line, then confirms again).
            confirmed_by = period.confirmations.values("provider").distinct()
            assert confirmed_by.count() == providers
            assert {c.confirmed_by.role for c in period.confirmations.all()} <= {
                "super_user_actuals",
                "super_user_scheduled",
            }
        # Paid by their payment runs (test_runs_demo.py), finalised by the first officer.
        assert paid and all(period.is_paid for period in paid)
        assert {period.payment_processed_by.email for period in paid} == {
            f"payments@{council.slug}.example"
        }
        assert all(period.payment_runs.filter(status="finalised").count() == 1 for period in paid)
    larkspur = Confirmation.objects.filter(provider__name="Larkspur Home Care")
    assert set(larkspur.values_list("confirmed_by__email", flat=True)) == {
        "superuser.actuals@larkspur.example"
    }


def the_demo_actuals_show_the_guides_examples():
    changed = Actual.objects.exclude(comments="")
    for slug in ("northshire", "westbrook"):
        rows = changed.filter(council__slug=slug)
        # A shared support client in hospital for three weeks running.
        hospital = rows.filter(frustrated_reason="hospital", actual=0).order_by("week_start")
        assert [row.comments for row in hospital] == [
            "Week 1 hospital",
            "Week 2 hospital",
            "Week 3 hospital",
        ]
        assert all(row.frustrated == row.planned for row in hospital)
        assert rows.filter(frustrated_reason="hospital", actual__gt=0).exists()
        missed = rows.get(missed=Decimal("1.5"))
        assert missed.actual == missed.planned - missed.missed and not missed.does_not_add_up
        # Bradford's client who refused calls: the actual stays at the plan, on purpose.
        refused = rows.get(does_not_add_up=True)
        assert refused.actual == refused.planned and refused.missed == 1
        assert "refused" in refused.comments
    northshire = changed.filter(council__slug="northshire")
    # The guides' extras over a fifth (the payments demo adds another, VAR-20488).
    over = northshire.get(over_threshold=True, variation_code="VAR-20417")
    assert over.extra > 0 and over.variation_code == "VAR-20417"
    assert over.actual > over.planned * Decimal("1.2")
    aborted = northshire.get(frustrated_reason="aborted_visit")
    assert len(aborted.aborted_visit_dates) == 1
    # Under the framework or the 2015 block, half of an aborted visit is paid.
    rate = aborted.cpli.rate
    assert aborted.cost == round_money((aborted.actual + aborted.frustrated / 2) * rate)
    assert northshire.filter(frustrated_reason="night_cancelled").exists()
    westbrook = changed.filter(council__slug="westbrook")
    assert not westbrook.exclude(frustrated_reason__in=["", "hospital"]).exists()
    assert not westbrook.filter(extra__gt=0).exists()
    assert Event.objects.filter(action="actuals.saved.page").count() >= 10
