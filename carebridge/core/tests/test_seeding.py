from datetime import time

import pytest

from carebridge.accounts import services as accounts
from carebridge.accounts.models import User
from carebridge.accounts.roles import COUNCIL_ROLES, PROVIDER_ROLES, Role
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.core.calendar import now
from carebridge.core.demo import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.core.seeding import SCALE_SLUG, seed_demo, seed_scale
from carebridge.organisations.models import Contract, Council, District, Provider, Service, Team
from carebridge.organisations.selectors import councils_of_provider
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
