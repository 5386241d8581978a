"""Builders for tests: every object is made through the product's own services."""

import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import count
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.test import Client

from carebridge.accounts.models import User
from carebridge.core.permissions import Role
from carebridge.organisations import services as org
from carebridge.organisations.models import Contract, Council, Provider

if TYPE_CHECKING:
    from carebridge.actions.models import ActionType
    from carebridge.actuals.models import Period
    from carebridge.contracts.models import Cpli, ServiceLevel
    from carebridge.organisations.models import District, Service
    from carebridge.people.models import ServiceUser
    from carebridge.referrals.models import Referral

PASSWORD = "Harbour-Lantern-42"
PASSCODE = "135790"
_numbers = count(1)


def make_council(name: str = "", **rulebook: Any) -> Council:
    n = next(_numbers)
    name = name or f"Council {n}"
    return org.council_create(name=name, slug=f"council-{n}", rulebook=rulebook)


def make_provider(name: str = "") -> Provider:
    n = next(_numbers)
    return org.provider_create(name=name or f"Provider {n} Care", postcode="M1 1AA")


def make_contract(council: Council, provider: Provider, **fields: Any) -> Contract:
    n = next(_numbers)
    fields = {
        "reference": f"C{n:05d}",
        "contract_type": "spot",
        "start_date": date(2026, 4, 1),
        **fields,
    }
    return org.contract_create(council=council, provider=provider, **fields)


def make_user(
    *,
    council: Council | None = None,
    provider: Provider | None = None,
    role: str | None = None,
    ready: bool = True,
    email: str = "",
) -> User:
    """A user in an organisation. `ready`: password changed and passcode chosen already."""
    from carebridge.accounts import services

    n = next(_numbers)
    role = role or (Role.COUNCIL_ADMINISTRATOR if council else Role.SUPER_USER_SCHEDULED)
    admin = None
    user, _initial = services.account_create(
        by=admin,
        email=email or f"user{n}@example.org",
        first_name="Alex",
        last_name=f"Tester{n}",
        role=role,
        council=council,
        provider=provider,
    )
    if ready:
        services.password_change(user=user, new_password=PASSWORD, by=user)
        services.passcode_change(user=user, new_passcode=PASSCODE, by=user)
    return user


def client_for(user: User | None = None) -> Client:
    """A browser logged in as `user` (`force_login` skips the password and second step, whose
    own tests drive them); an anonymous visitor's when `user` is None."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make_district(council: Council, name: str = "", postcode_districts: str = "") -> "District":
    n = next(_numbers)
    return org.district_create(
        council=council, name=name or f"District {n}", postcode_districts=postcode_districts
    )


def referral_fields(**overrides: Any) -> dict[str, Any]:
    """A complete referral form's answers, as a broker would give them."""
    return {
        "source": "hospital",
        "hospital": "Kings Mill",
        "ward": "Ward 12",
        "discharge_date": date(2026, 11, 24),
        "requested_start_date": date(2026, 11, 25),
        "next_of_kin_name": "Pat Example",
        "next_of_kin_relationship": "Daughter",
        "next_of_kin_phone": "07700 900123",
        "consent_to_share": True,
        "health_needs": "Type 2 diabetes; recent fall.",
        "home_circumstances": "Lives alone in a bungalow.",
        "mobility": "Walks with a frame; one to transfer.",
        "support_summary": "Help to wash, dress and prepare meals.",
        "risks": "Falls at night.",
        "carers_required": 1,
        "visits_per_day": 3,
        "worker_name": "Sam Broker",
        "worker_team": "Hospital discharge team",
        "worker_phone": "01632 960001",
        "completed_on": date(2026, 11, 23),
        **overrides,
    }


def make_referral(
    council: Council,
    provider: Provider,
    *,
    by: User | None = None,
    district: "District | None" = None,
    person: "ServiceUser | None" = None,
    received_at: Any = None,
    **overrides: Any,
) -> "Referral":
    """A referral sent by the council to the provider, through the product's own service."""
    from carebridge.core.calendar import now, to_london
    from carebridge.people import services as people
    from carebridge.referrals.services import referral_create

    n = next(_numbers)
    district = district or make_district(council)
    if person is None:
        person = people.service_user_create(
            council=council,
            by=by,
            ss_ref=f"SS{n:06d}",
            first_name="Maisy",
            last_name=f"Goddard{n}",
            date_of_birth=date(1940, 4, 23),
            postcode="NG22 9TE",
            address_line_1="44 Whinney Lane",
            town="Newark",
            district=district,
        )
    # The builder's person keeps one address whatever the district: the broker has checked it.
    postcode_confirmed = overrides.pop("postcode_confirmed", True)
    fields = referral_fields(**overrides)
    sent_on = to_london(received_at or now()).date()
    if "completed_on" not in overrides and fields["completed_on"] > sent_on:
        # A form cannot be completed after the referral is sent (tests that travel back in time).
        fields["completed_on"] = sent_on
    return referral_create(
        council=council,
        provider=provider,
        district=district,
        service_user=person,
        by=by,
        received_at=received_at,
        postcode_confirmed=postcode_confirmed,
        **fields,
    )


def run_together(work: Any, times: int) -> list[Any]:
    """Start `times` threads on one barrier so their transactions overlap."""
    barrier = threading.Barrier(times)
    results: list[Any] = []
    errors: list[Exception] = []

    def runner() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@dataclass
class TwoCouncilProvider:
    """A provider that works for two councils with different rulebooks, from one log-in: the
    case every app must get right (the one log-in promise). `weekly` confirms a week at a time by
    close of business on Tuesday, in the ten-column CSV layout; `four_weekly` confirms four weeks
    at a time five working days after, in the layout with reasons, and allows no extras. Both
    call their service level "Home Care - Double Assist" and have an action type "Actuals query".
    `week` has ended and falls in a paid period of `four_weekly` (`paid_period`, its actuals
    generated, confirmed and paid) and in an open period of `weekly` (`open_period`, nothing
    entered yet)."""

    weekly: Council
    four_weekly: Council
    provider: Provider
    service: "Service"
    weekly_contract: Contract
    four_weekly_contract: Contract
    weekly_level: "ServiceLevel"
    four_weekly_level: "ServiceLevel"
    weekly_person: "ServiceUser"
    four_weekly_person: "ServiceUser"
    weekly_cpli: "Cpli"
    four_weekly_cpli: "Cpli"
    weekly_action_type: "ActionType"
    four_weekly_action_type: "ActionType"
    carer: User  # the provider's Super User (Actuals): one log-in for both councils
    weekly_broker: User
    four_weekly_broker: User
    weekly_officer: User  # payments officers
    four_weekly_officer: User
    periods_from: date
    week: date
    paid_period: "Period"
    open_period: "Period"


DOUBLE_ASSIST = "Home Care - Double Assist"


def make_two_council_provider(*, weeks_back: int = 8) -> TwoCouncilProvider:
    """See TwoCouncilProvider. Dates follow today (the actuals tests' frozen clock, if any): both
    councils' periods start `weeks_back` weeks before this week (at least 8), `week` is six weeks
    ago, and the four-weekly council's first period (holding it) is paid."""
    from carebridge.actions.services import action_type_create
    from carebridge.actuals import services as actuals
    from carebridge.actuals.models import Period
    from carebridge.actuals.periods import WEEK, week_of, weeks_between
    from carebridge.actuals.rules import Entry
    from carebridge.contracts import services as contracts
    from carebridge.contracts.choices import PricingBasis, Unit
    from carebridge.core.calendar import today
    from carebridge.people import services as people

    assert weeks_back >= 8
    this_week = week_of(today(), 0)
    periods_from = this_week - WEEK * weeks_back
    four_weekly_from = this_week - WEEK * 8  # so that its first period has ended by now
    weekly = make_council(
        "Ashcombe Borough Council",
        actuals_period="weekly",
        actuals_periods_from=periods_from,
        actuals_csv_layout="basic",
        actuals_confirmation_rule="weekday_after",
        actuals_confirmation_weekday=1,
    )
    four_weekly = make_council(
        "Fenmarsh County Council",
        actuals_period="four_weekly",
        actuals_periods_from=four_weekly_from,
        actuals_csv_layout="with_reasons",
        actuals_confirmation_rule="working_days_after",
        actuals_confirmation_working_days=5,
        actuals_extras_allowed=False,
    )
    provider = make_provider("Larchfield Home Care")
    service = org.service_create(
        provider=provider, name="Larchfield – Riverside", postcode="M1 1AA"
    )
    contract_of = {
        council: make_contract(council, provider, start_date=periods_from)
        for council in (weekly, four_weekly)
    }
    carer = make_user(provider=provider, role="super_user_actuals")
    made: dict[Council, dict[str, Any]] = {}
    for council, ss_ref in ((weekly, "AS1001"), (four_weekly, "FM2002")):
        broker = make_user(council=council, role="broker")
        level = contracts.service_level_create(
            council=council, name=DOUBLE_ASSIST, unit=Unit.HOURS, by=broker
        )
        person = people.service_user_create(
            council=council,
            by=broker,
            ss_ref=ss_ref,
            first_name="Iris",
            last_name=f"Pemberton{next(_numbers)}",
            date_of_birth=date(1938, 6, 2),
        )
        document = contracts.contract_document_publish(
            council=council,
            service=service,
            service_user=person,
            care_package_reference=f"CP-{next(_numbers)}",
            lines=[
                contracts.Line(
                    service_level=level,
                    quantity=Decimal("10"),
                    rate=Decimal("18.50"),
                    pricing_basis=PricingBasis.SPOT,
                    start_date=min(periods_from, four_weekly_from),
                    end_date=None,
                    visits=10,
                )
            ],
            by=broker,
        )
        contracts.contract_document_agree(document=document, by=carer, password=PASSWORD)
        made[council] = {
            "broker": broker,
            "level": level,
            "person": person,
            "cpli": document.cplis.get(),
            "officer": make_user(council=council, role="payments_officer"),
            "action_type": action_type_create(council=council, name="Actuals query"),
        }
    actuals.periods_open(today())
    week = this_week - WEEK * 6
    paid = Period.objects.get(council=four_weekly, start_date__lte=week, end_date__gte=week)
    line = made[four_weekly]["cpli"]
    actuals.actuals_save(
        carer,
        [
            actuals.Item(line.pk, each, Entry(actual=Decimal("10"), visits=10), each)
            for each in weeks_between(paid.start_date, paid.end_date)
        ],
    )
    actuals.actuals_confirm(carer, paid)
    actuals.period_mark_paid(made[four_weekly]["officer"], paid)
    paid.refresh_from_db()
    return TwoCouncilProvider(
        weekly=weekly,
        four_weekly=four_weekly,
        provider=provider,
        service=service,
        weekly_contract=contract_of[weekly],
        four_weekly_contract=contract_of[four_weekly],
        weekly_level=made[weekly]["level"],
        four_weekly_level=made[four_weekly]["level"],
        weekly_person=made[weekly]["person"],
        four_weekly_person=made[four_weekly]["person"],
        weekly_cpli=made[weekly]["cpli"],
        four_weekly_cpli=line,
        weekly_action_type=made[weekly]["action_type"],
        four_weekly_action_type=made[four_weekly]["action_type"],
        carer=carer,
        weekly_broker=made[weekly]["broker"],
        four_weekly_broker=made[four_weekly]["broker"],
        weekly_officer=made[weekly]["officer"],
        four_weekly_officer=made[four_weekly]["officer"],
        periods_from=periods_from,
        week=week,
        paid_period=paid,
        open_period=Period.objects.get(council=weekly, start_date=week),
    )


@dataclass
class Personas:
    """The people every view is tried by (STYLE.md's personas): a council officer (`officer`, a
    broker of `council`, the weekly council of `two`), a provider that works for two councils
    (`two`, whose `provider_user` has one log-in for both), a user of another provider of the
    same council (`other_provider_user`), an officer of another council that `two`'s provider
    does not work for (`other_council_officer`), and an anonymous visitor (`anonymous`, None:
    `client_for(None)` is their browser)."""

    two: TwoCouncilProvider
    council: Council
    officer: User
    provider: Provider
    provider_user: User
    other_provider: Provider
    other_provider_user: User
    other_council: Council
    other_council_officer: User
    anonymous: None = None


def make_personas(two: TwoCouncilProvider | None = None) -> Personas:
    """See Personas; dates follow today, as make_two_council_provider's do (`two`: one made
    already)."""
    two = two or make_two_council_provider()
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(two.weekly, other_provider)
    other_council = make_council("Quillinghurst Metropolitan Council")
    return Personas(
        two=two,
        council=two.weekly,
        officer=two.weekly_broker,
        provider=two.provider,
        provider_user=two.carer,
        other_provider=other_provider,
        other_provider_user=make_user(provider=other_provider, role="super_user_scheduled"),
        other_council=other_council,
        other_council_officer=make_user(council=other_council, role="broker"),
    )
