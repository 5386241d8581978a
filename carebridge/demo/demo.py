"""The demo data set: two councils with different rulebooks, three providers, a log-in for every
role, and referrals in every state of their lifecycle. `seed_demo` is the run order; the parts
are the `*_demo.py` modules (who the demo is about: `organisations_demo.py`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.core.permissions import Role
from carebridge.demo.actions_demo import demo_actions
from carebridge.demo.actuals_demo import demo_actuals
from carebridge.demo.cld_demo import demo_cld
from carebridge.demo.common import Tally, Writer, _report, _say, login_table
from carebridge.demo.contracts_demo import demo_contracts
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.demo.details_demo import demo_details
from carebridge.demo.disputes_demo import demo_disputes
from carebridge.demo.frontdoor_demo import demo_front_door
from carebridge.demo.frontdoor_directory_demo import directory_demo
from carebridge.demo.frontdoor_hubs_demo import hubs_demo
from carebridge.demo.help_demo import demo_help
from carebridge.demo.integrations_demo import demo_integrations
from carebridge.demo.organisations_demo import (
    DEMO_COUNCILS,
    DEMO_PROVIDERS,
    demo_council_logins,
    demo_councils,
    demo_email,
    demo_logins,
    demo_providers,
    demo_service_users,
)
from carebridge.demo.payments_demo import demo_payments
from carebridge.demo.referrals_demo import demo_referrals
from carebridge.demo.runs_demo import demo_runs
from carebridge.organisations.models import Council


@transaction.atomic
def seed_demo(stdout: Writer | None = None) -> dict[str, Any]:
    """Build the demo: two councils, three providers, a log-in for every role, 70 clients, a
    referral in every state for each provider of each council, contract documents, and the last
    few periods of actuals."""
    tally = Tally()
    councils = demo_councils(tally)
    demo_providers(tally, councils)
    for plan in DEMO_COUNCILS:
        council = councils[plan.slug]
        demo_council_logins(tally, plan, council)
        demo_service_users(tally, plan, council)
        demo_referrals(tally, plan, council)
        broker = User.objects.filter(email=demo_email(Role.BROKER, plan.slug)).first()
        if broker is not None:
            demo_contracts(tally, council, broker, plan.ss_ref_prefix)
    demo_details(tally, DEMO_PROVIDERS)
    demo_actuals(tally, DEMO_COUNCILS)
    demo_payments(tally, DEMO_COUNCILS)
    # After payments: the disputes take confirmed rows of periods not paid and on no invoice.
    demo_disputes(tally, DEMO_COUNCILS)
    # After disputes: the runs pay the older periods and leave the disputed one to wait.
    demo_runs(tally, DEMO_COUNCILS)
    demo_actions(tally, list(councils.values()))
    _front_door(tally, councils)
    # After the front door: its triaged requests are Request events of the return.
    demo_cld(tally, DEMO_COUNCILS)
    demo_integrations(tally, councils)
    demo_help(tally, councils)

    logins = demo_logins()
    _say(stdout, "Demo data:")
    _report(stdout, tally)
    _say(stdout)
    _say(stdout, login_table(logins))
    _say(stdout)
    _say(stdout, f"Every demo log-in: password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}")
    return {
        "created": tally.created,
        "existing": tally.existing,
        "logins": logins,
        "password": DEMO_PASSWORD,
        "passcode": DEMO_PASSCODE,
    }


def _front_door(tally: Tally, councils: dict[str, Council]) -> None:
    """Northshire's front door with the demo directory and postcode table (its invented WB
    district), both councils' queues and figures, and hubs with appointments."""
    made = directory_demo(councils["northshire"])
    for kind, count in (
        ("postcodes", made.get("postcodes", 0)),
        ("directory services", made["services"]["new"]),
    ):
        if count:
            tally.made(kind, count)
    demo_front_door(tally, list(councils.values()))
    for council in councils.values():
        hubs_demo(council)
