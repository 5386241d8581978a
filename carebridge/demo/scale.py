"""The benchmark data set: one council-sized council, its service users and referrals
bulk-loaded. `seed_scale` runs the parts in order: the council and its people
(`scale_council.py`), the referrals (`scale_referrals.py`), contracts, actuals, actions and the
front door (`scale_*.py`)."""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from carebridge.demo.common import Tally, Writer, _report, _say
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.demo.scale_actions import scale_actions
from carebridge.demo.scale_actuals import scale_actuals
from carebridge.demo.scale_contracts import PERSONA_SHARE, scale_contracts
from carebridge.demo.scale_council import (
    SCALE_COUNCIL_NAME,
    SCALE_SLUG,
    ScaleCouncil,
    scale_council,
    scale_email,
    scale_login,
    scale_provider_users,
)
from carebridge.demo.scale_frontdoor import scale_front_door
from carebridge.demo.scale_referrals import scale_referrals
from carebridge.demo.scale_year import (
    YEAR_WEEKS,
    scale_actuals_year,
    scale_invoices,
    scale_payment_runs,
)
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import api_token_create, key_hash
from carebridge.organisations.models import Council

# What the command and the tests import from here (the slug is scale_council's, named here too
# so those imports keep working).
__all__ = [
    "ACTIONS",
    "ACTUALS_WEEKS",
    "CLOSED_REFERRALS",
    "CONTRACT_DOCUMENTS",
    "DIRECTORY_SERVICES",
    "FRONT_DOOR_REQUESTS",
    "IN_SERVICE_PER_PENDING",
    "PENDING_REFERRALS",
    "SCALE_API_CLIENT_NAME",
    "SCALE_API_KEY",
    "SCALE_SLUG",
    "seed_scale",
]

# The bench calls the API as the scale council's case-management system with this key, which
# is published here on purpose: it opens only the invented scale council, and only seed_scale
# (bench data) makes it; seed_demo never does.
SCALE_API_KEY = "scale-bench-key-not-a-secret-4f1c9a2e7b"
SCALE_API_CLIENT_NAME = "Case management (benchmark)"

# What `carebridge seed_scale` builds unless told otherwise; the function builds none unless
# asked, so the seeding tests stay fast.
PENDING_REFERRALS = 5000
CLOSED_REFERRALS = 200000
# About one document for each of three in four clients of a 20,000-client council.
CONTRACT_DOCUMENTS = 15000
# The provider persona's actuals: generated for the last week that has ended.
ACTUALS_WEEKS = 1
# Actions between the council and its providers, a quarter of them the provider persona's.
ACTIONS = 5000
# A county's year of front-door journeys, and its community directory.
FRONT_DOOR_REQUESTS = 20000
DIRECTORY_SERVICES = 3000
# Accepted and updated referrals (the provider's "existing service users"), per pending one.
IN_SERVICE_PER_PENDING = 16


def _scale_api_token(tally: Tally, council: Council) -> None:
    if ApiToken.objects.filter(key_hash=key_hash(SCALE_API_KEY)).exists():
        tally.found("API tokens")
        return
    api_token_create(council=council, name=SCALE_API_CLIENT_NAME, by=None, key=SCALE_API_KEY)
    tally.made("API tokens")


@dataclass(frozen=True)
class _Asked:
    """How much of each part seed_scale was asked for."""

    pending_referrals: int
    in_service_referrals: int
    closed_referrals: int
    contract_documents: int
    actuals_weeks: int
    actions: int
    front_door_requests: int
    directory_services: int
    provider_logins: int = 0
    persona_share: float = PERSONA_SHARE
    actuals_year: bool = False
    year_weeks: int = YEAR_WEEKS
    invoices: int = 0
    payment_runs: int = 0


@transaction.atomic
def seed_scale(
    clients: int = 20000,
    stdout: Writer | None = None,
    *,
    pending_referrals: int = 0,
    closed_referrals: int = 0,
    in_service_referrals: int | None = None,
    contract_documents: int = 0,
    actuals_weeks: int = 0,
    actions: int = 0,
    front_door_requests: int = 0,
    directory_services: int = 0,
    providers: int | None = None,
    provider_logins: int = 0,
    persona_share: float = PERSONA_SHARE,
    actuals_year: bool = False,
    year_weeks: int = YEAR_WEEKS,
    invoices: int = 0,
    payment_runs: int = 0,
) -> dict[str, Any]:
    """A council-sized data set for the benchmarks, topped up to `clients` service users and to
    the numbers of referrals asked for (in service: a sixteenth of the pending ones unless
    given), with the provider persona's actuals for the last `actuals_weeks` ended weeks and
    `actions` actions between the council and its providers. At county size (see the command's
    --county): `providers` providers, a Super User log-in at each of the first
    `provider_logins`, a year of their actuals (`actuals_year`; `year_weeks` weeks), `invoices` invoices and
    `payment_runs` finalised weekly runs."""
    if in_service_referrals is None:
        in_service_referrals = pending_referrals // IN_SERVICE_PER_PENDING
    asked = _Asked(
        pending_referrals=pending_referrals,
        in_service_referrals=in_service_referrals,
        closed_referrals=closed_referrals,
        contract_documents=contract_documents,
        actuals_weeks=actuals_weeks,
        actions=actions,
        front_door_requests=front_door_requests,
        directory_services=directory_services,
        provider_logins=provider_logins,
        persona_share=persona_share,
        actuals_year=actuals_year,
        year_weeks=year_weeks,
        invoices=invoices,
        payment_runs=payment_runs,
    )
    started = clock.perf_counter()
    tally = Tally()
    scale = scale_council(tally, clients, providers, provider_logins)
    _scale_api_token(tally, scale.council)
    made: dict[str, dict[str, int]] = {}
    took: dict[str, float] = {}
    for name, step in _steps(tally, scale, asked).items():
        step_started = clock.perf_counter()
        made[name] = step()
        took[name] = clock.perf_counter() - step_started
    seconds = clock.perf_counter() - started

    _say(stdout, f"Scale data ({SCALE_COUNCIL_NAME}):")
    _report(stdout, tally)
    _say(stdout, f"  {scale.clients} service users in the council now; took {seconds:.1f} s")
    for line in _summary(made, took, asked):
        _say(stdout, line)
    _say(stdout, f"  API key of {SCALE_API_CLIENT_NAME}: {SCALE_API_KEY} (benchmark data only)")
    _say(
        stdout,
        f"Log-ins {scale_email('admin')}, {scale_email('broker')}, {scale_email('provider')}: "
        f"password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}",
    )
    return {
        "created": tally.created,
        "existing": tally.existing,
        "clients": scale.clients,
        "providers": len(scale.providers),
        "referrals": made["referrals"],
        "referral_seconds": took["referrals"],
        "contracts": made["contracts"],
        "actuals": made["actuals"],
        "actions": made["actions"],
        "year": made["year"],
        "seconds": seconds,
    }


def _steps(
    tally: Tally, scale: ScaleCouncil, asked: _Asked
) -> dict[str, Callable[[], dict[str, int]]]:
    """The parts after the council, by name, in the order they run (and are timed). Each fetches
    its personas when it runs, as the one before may have changed them (the catalogues put the
    broker in a team)."""
    council, providers, maker = scale.council, scale.providers, scale.maker
    return {
        "referrals": lambda: scale_referrals(
            tally,
            council,
            providers,
            scale.districts,
            maker,
            pending=asked.pending_referrals,
            in_service=asked.in_service_referrals,
            closed=asked.closed_referrals,
        ),
        "contracts": lambda: scale_contracts(
            tally,
            council,
            providers,
            documents=asked.contract_documents,
            persona=scale_login("provider"),
            broker=scale_login("broker"),
            maker=maker,
            persona_share=asked.persona_share,
            logins=asked.provider_logins,
        ),
        "actuals": lambda: scale_actuals(
            tally, council, scale_login("provider"), weeks=asked.actuals_weeks
        ),
        "year": lambda: _scale_year(tally, council, asked),
        "actions": lambda: scale_actions(
            tally,
            council,
            providers,
            actions=asked.actions,
            persona=scale_login("provider"),
            broker=scale_login("broker"),
            admin=scale_login("admin"),
            maker=maker,
        ),
        "front door": lambda: scale_front_door(
            tally,
            council,
            requests=asked.front_door_requests,
            directory_services=asked.directory_services,
        ),
    }


def _scale_year(tally: Tally, council: Council, asked: _Asked) -> dict[str, int]:
    """The year of actuals, then the invoices and the runs that pay them (in that order: a
    run pays the invoices authorised before it)."""
    if not (asked.actuals_year or asked.invoices or asked.payment_runs):
        return {}
    logins = scale_provider_users(asked.provider_logins)
    made = {"actuals": 0, "confirmations": 0}
    if asked.actuals_year:
        made = scale_actuals_year(tally, council, logins, weeks=asked.year_weeks)
    payer, approver = scale_login("payments"), scale_login("payments-approver")
    made["invoices"] = scale_invoices(tally, council, logins, approver, invoices=asked.invoices)
    made |= scale_payment_runs(tally, council, payer, approver, runs=asked.payment_runs)
    return made


def _summary(made: dict[str, dict[str, int]], took: dict[str, float], asked: _Asked) -> list[str]:
    """What each part left, and the seconds it took: the parts asked for, and always the
    referrals and contracts."""
    referrals, contracts = made["referrals"], made["contracts"]
    lines = [
        f"  referrals: {referrals['pending']} pending, {referrals['in service']} accepted or "
        f"updated, {referrals['closed']} closed; {took['referrals']:.1f} s of that",
        f"  contracts: {contracts['documents']} contract documents, {contracts['cplis']} CPLIs; "
        f"{took['contracts']:.1f} s of that",
    ]
    if asked.actuals_weeks:
        actuals = made["actuals"]
        lines.append(
            f"  actuals: {actuals['actuals']} of the provider persona for the last "
            f"{asked.actuals_weeks} ended week(s), {actuals['periods']} periods open; "
            f"{took['actuals']:.1f} s of that"
        )
    if made.get("year"):
        year = made["year"]
        lines.append(
            f"  year: {year.get('actuals', 0)} actuals of the log-ins' providers over "
            f"{asked.year_weeks} weeks, {year.get('confirmations', 0)} confirmations, "
            f"{year.get('invoices', 0)} invoices, {year.get('runs', 0)} payment runs; "
            f"{took['year']:.1f} s of that"
        )
    if asked.actions:
        threads = made["actions"]
        lines.append(
            f"  actions: {threads['actions']} with {threads['posts']} posts; "
            f"{took['actions']:.1f} s of that"
        )
    if asked.front_door_requests or asked.directory_services:
        front = made["front door"]
        lines.append(
            f"  front door: {front['requests']} requests and {front['directory services']} "
            f"directory services added, {front['postcodes']} postcodes; "
            f"{took['front door']:.1f} s of that"
        )
    return lines
