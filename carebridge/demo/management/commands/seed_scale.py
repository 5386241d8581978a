from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.demo.scale import (
    ACTIONS,
    ACTUALS_WEEKS,
    CLOSED_REFERRALS,
    CONTRACT_DOCUMENTS,
    DIRECTORY_SERVICES,
    FRONT_DOOR_REQUESTS,
    IN_SERVICE_PER_PENDING,
    PENDING_REFERRALS,
    seed_scale,
)
from carebridge.demo.scale_contracts import PERSONA_SHARE
from carebridge.demo.scale_year import YEAR_WEEKS

# --county: a large county's portal for the load test (issue 22): 1,200 providers, 6,000
# contract documents (about 12,000 CPLIs), 400 providers' Super Users with a year of actuals,
# their invoices and the council's weekly payment runs; the provider persona a large provider
# still, not half the county.
COUNTY = {
    "clients": 20000,
    "providers": 1200,
    "provider_logins": 400,
    "contract_documents": 6000,
    "persona_share": 0.02,
    "actuals_year": True,
    "invoices": 2000,
    "payment_runs": 52,
}


class Command(BaseCommand):
    help = (
        "Build a council-sized data set for the benchmarks in Scale County Council: service "
        "users, providers, referrals and contract documents with their CPLIs, the provider "
        "persona's actuals for the last ended week, actions with their threads, and an API "
        "token with a published key. Run again with larger numbers to top it up."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--clients",
            type=int,
            default=20000,
            help="How many service users the council should have (default 20000).",
        )
        parser.add_argument(
            "--pending-referrals",
            type=int,
            default=PENDING_REFERRALS,
            help=f"How many referrals should await an answer (default {PENDING_REFERRALS}).",
        )
        parser.add_argument(
            "--closed-referrals",
            type=int,
            default=CLOSED_REFERRALS,
            help="How many completed, refused, failed or withdrawn referrals there should be "
            f"(default {CLOSED_REFERRALS}).",
        )
        parser.add_argument(
            "--in-service-referrals",
            type=int,
            default=None,
            help="How many accepted or updated referrals there should be (default: one for "
            f"every {IN_SERVICE_PER_PENDING} pending).",
        )

        parser.add_argument(
            "--contract-documents",
            type=int,
            default=CONTRACT_DOCUMENTS,
            help="How many contract documents there should be, each with one to three CPLIs "
            f"(default {CONTRACT_DOCUMENTS}).",
        )
        parser.add_argument(
            "--actuals-weeks",
            type=int,
            default=ACTUALS_WEEKS,
            help="Open the actuals periods and generate the provider persona's actuals for this "
            f"many of the last ended weeks (default {ACTUALS_WEEKS}; 0 for none).",
        )
        parser.add_argument(
            "--actions",
            type=int,
            default=ACTIONS,
            help="How many actions there should be between the council and its providers, a "
            f"quarter of them the provider persona's, each with one to six posts (default "
            f"{ACTIONS}; 0 for none).",
        )

        parser.add_argument(
            "--front-door-requests",
            type=int,
            default=FRONT_DOOR_REQUESTS,
            help="How many finished front-door journeys over the last year there should be "
            f"(default {FRONT_DOOR_REQUESTS}; 0 for none).",
        )
        parser.add_argument(
            "--directory-services",
            type=int,
            default=DIRECTORY_SERVICES,
            help="How many community services the council's directory should hold "
            f"(default {DIRECTORY_SERVICES}; 0 for none).",
        )

        parser.add_argument(
            "--providers",
            type=int,
            default=None,
            help="How many providers (default: one for every hundred clients, at least five).",
        )
        parser.add_argument(
            "--provider-logins",
            type=int,
            default=0,
            help="A Super User log-in provider0001@scale.example... at each of this many first "
            "providers, with the personas' password and passcode (default 0).",
        )
        parser.add_argument(
            "--persona-share",
            type=float,
            default=PERSONA_SHARE,
            help="The share of the contract documents the provider persona gets, after those "
            f"dealt to the providers with a log-in (default {PERSONA_SHARE}).",
        )
        parser.add_argument(
            "--actuals-year",
            action="store_true",
            help="A year of actuals for each provider with a log-in (the persona's without "
            "any), every week but the newest ended one confirmed.",
        )
        parser.add_argument(
            "--year-weeks",
            type=int,
            default=YEAR_WEEKS,
            help=f"How many ended weeks --actuals-year covers (default {YEAR_WEEKS}).",
        )
        parser.add_argument(
            "--invoices",
            type=int,
            default=0,
            help="How many invoices of the providers paid on invoice (framework contracts, "
            "which it sets to be paid on invoice), submitted and authorised (default 0).",
        )
        parser.add_argument(
            "--payment-runs",
            type=int,
            default=0,
            help="How many of the newest confirmed weeks are paid by finalised payment runs, "
            "with their lines and remittance advice (default 0); older weeks are recorded paid.",
        )
        parser.add_argument(
            "--county",
            action="store_true",
            help="A large county for the load test: "
            + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in COUNTY.items())
            + ", with the other options' defaults.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["county"]:
            options.update(COUNTY)
        for option in (
            "clients",
            "pending_referrals",
            "closed_referrals",
            "in_service_referrals",
            "contract_documents",
            "actuals_weeks",
            "actions",
            "front_door_requests",
            "directory_services",
            "providers",
            "provider_logins",
            "invoices",
            "payment_runs",
            "year_weeks",
        ):
            if options[option] is not None and options[option] < 0:
                raise CommandError(f"--{option.replace('_', '-')} cannot be negative")
        wants_referrals = (
            options["pending_referrals"]
            or options["closed_referrals"]
            or options["in_service_referrals"]
            or options["contract_documents"]
        )
        if wants_referrals and not options["clients"]:
            raise CommandError(
                "Referrals and contract documents need service users: give --clients more than 0."
            )
        seed_scale(
            clients=options["clients"],
            stdout=self.stdout,
            pending_referrals=options["pending_referrals"],
            closed_referrals=options["closed_referrals"],
            in_service_referrals=options["in_service_referrals"],
            contract_documents=options["contract_documents"],
            actuals_weeks=options["actuals_weeks"],
            actions=options["actions"],
            front_door_requests=options["front_door_requests"],
            directory_services=options["directory_services"],
            providers=options["providers"],
            provider_logins=options["provider_logins"],
            persona_share=options["persona_share"],
            actuals_year=options["actuals_year"],
            year_weeks=options["year_weeks"],
            invoices=options["invoices"],
            payment_runs=options["payment_runs"],
        )
