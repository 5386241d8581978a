"""The benchmark's referrals, loaded: the scale council's referrals topped up to the numbers
asked for in each state, written many at a time with their update-log events."""

from __future__ import annotations

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.demo.common import PersonMaker, Tally
from carebridge.demo.scale_council import Actor, provider_answerers, scale_email, scale_login
from carebridge.demo.scale_referral_maker import (
    IN_SERVICE_STATES,
    EventSpec,
    Person,
    ReferralMaker,
)
from carebridge.demo.scale_rows import RowWriter, in_batches
from carebridge.organisations.models import Council, District, Provider, Rulebook
from carebridge.people.models import ServiceUser
from carebridge.referrals.choices import CLOSED_STATES, ReferralStatus
from carebridge.referrals.models import Referral, ReferralEvent


def _save_referrals(
    batch: list[tuple[Referral, list[EventSpec]]], referrals: RowWriter, events: RowWriter
) -> None:
    referrals.write_instances([referral for referral, _specs in batch])
    events.write(
        [
            {
                "referral_id": referral.pk,
                "kind": spec.kind,
                "at": spec.at,
                "by_id": spec.actor.user.pk,
                "by_label": spec.actor.label,
                "details": spec.details,
            }
            for referral, specs in batch
            for spec in specs
        ]
    )


def scale_referrals(
    tally: Tally,
    council: Council,
    providers: list[Provider],
    districts: list[District],
    maker: PersonMaker,
    *,
    pending: int,
    in_service: int,
    closed: int,
) -> dict[str, int]:
    """Top the council's referrals up to the numbers asked for, by state."""
    referrals = Referral.objects.filter(council=council)
    have = {
        "pending": referrals.filter(status=ReferralStatus.PENDING).count(),
        "in service": referrals.filter(status__in=IN_SERVICE_STATES).count(),
        "closed": referrals.filter(status__in=CLOSED_STATES).count(),
    }
    wanted = {
        "pending": max(pending - have["pending"], 0),
        "in service": max(in_service - have["in service"], 0),
        "closed": max(closed - have["closed"], 0),
    }
    for kind, count in have.items():
        tally.found(f"{kind} referrals", count)
    if not any(wanted.values()):
        return have
    people = _referred_people(council)
    if not people:
        raise ValueError("Referrals need service users: seed some with --clients first.")
    persona = scale_login("provider")
    broker = User.objects.select_related("council").get(email=scale_email("broker"))
    assert persona.provider is not None
    rulebook = Rulebook.objects.get(council=council)
    referral_maker = ReferralMaker(
        # A fixed seed per run size would repeat referrals on a top-up; it follows the count.
        seed=40000 + sum(have.values()),
        moment=now(),
        council=council,
        rulebook=rulebook,
        people=people,
        district_names={district.pk: district.name for district in districts},
        persona_provider=persona.provider,
        providers=providers,
        answerers=provider_answerers(tally, providers, persona, maker),
        broker=Actor.of(broker),
        maker=maker,
    )
    # The services write one referral at a time, each transition with its compare-and-set,
    # update-log event and audit event: right for the product, far too slow for 200,000 rows of
    # benchmark data. This loader is the second exception (after the service users): it writes
    # only rows and update-log events the services would write themselves, in states reached by
    # the transitions of choices.TRANSITIONS (closed_at set when closed, answered_at and
    # answered_by when answered, a refusal or failure reason when refused or failed), and no
    # audit events, since nobody did any of this.
    _write_referrals(tally, referral_maker, have, wanted)
    return {kind: have[kind] + wanted[kind] for kind in have}


def _referred_people(council: Council) -> list[Person]:
    """The council's service users with a district, as the referral maker draws them."""
    return [
        Person(*row)
        for row in ServiceUser.objects.filter(council=council, district__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "district_id",
            "next_of_kin_name",
            "next_of_kin_relationship",
            "next_of_kin_phone",
            "consent_to_share",
        )
    ]


def _write_referrals(
    tally: Tally, referral_maker: ReferralMaker, have: dict[str, int], wanted: dict[str, int]
) -> None:
    """The `wanted` referrals of each kind, numbered on from those the council `have`s, written
    in batches with their update-log events."""
    makers = (
        ("pending", referral_maker.pending),
        ("in service", referral_maker.in_service),
        ("closed", referral_maker.closed),
    )
    referral_writer = RowWriter(Referral, numbered=True)
    event_writer = RowWriter(ReferralEvent, numbered=False)
    for kind, make in makers:
        numbers = range(have[kind], have[kind] + wanted[kind])
        for batch in in_batches(make(number) for number in numbers):
            _save_referrals(batch, referral_writer, event_writer)
        tally.made(f"{kind} referrals", wanted[kind])
    referral_writer.finish()
    event_writer.finish()
    tally.made("referral events", event_writer.written)
