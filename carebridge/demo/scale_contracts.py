"""The benchmark's contracts: contract documents and their CPLIs for the scale council's clients,
bulk-loaded like its referrals, so the CPLI list, its exports and the purchase orders are
measured at a county's size."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from carebridge.accounts.models import User
from carebridge.contracts.choices import CpliStatus, DocumentKind, DocumentStatus, PricingBasis
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.core.calendar import now, to_london
from carebridge.demo.common import PersonMaker, Tally
from carebridge.demo.contracts_demo import CATALOGUE, _catalogue
from carebridge.demo.scale_council import provider_answerers
from carebridge.demo.scale_rows import SCALE_BATCH, RowWriter
from carebridge.organisations.models import Council, Provider, Service
from carebridge.people.models import ServiceUser

# How a county's documents stand: most agreed and running, some agreed and since ended, a few
# awaiting an answer or rejected.
_MIX = ("agreed",) * 15 + ("ended",) * 2 + ("published", "rejected")
# Documents of the provider persona: as with the referrals, half of them, so its lists are
# those of a large provider.
PERSONA_SHARE = 0.5
# Agreed, running documents dealt in turn to each provider with a log-in before any others are
# drawn, so every one of them has a week of actuals to enter (about fourteen lines each).
LOGIN_DOCUMENTS = 8


def scale_contracts(
    tally: Tally,
    council: Council,
    providers: list[Provider],
    *,
    documents: int,
    persona: User,
    broker: User,
    maker: PersonMaker,
    persona_share: float = PERSONA_SHARE,
    logins: int = 0,
) -> dict[str, int]:
    """Top the council's contract documents up to `documents`, each with one to three CPLIs:
    first LOGIN_DOCUMENTS agreed ones for each of the first `logins` providers (those with a
    log-in), then a `persona_share` of the rest to the provider persona and the others to any
    provider.

    Like the referrals loader (see `scale_referrals`), it writes only rows the services would
    write, in states they reach: agreed documents stamped with who answered and the hash,
    their CPLIs active (or ended, when the end date has passed), rejected ones with notes and
    rejected CPLIs, published ones with CPLIs awaiting agreement. No audit events, since
    nobody did any of this.
    """
    have = ContractDocument.objects.filter(council=council).count()
    tally.found("contract documents", have)
    wanted = max(documents - have, 0)
    if not wanted:
        return {"documents": have, "cplis": Cpli.objects.filter(council=council).count()}
    levels = _catalogue(tally, council, broker)
    rates = {name: rate for name, _unit, rate in CATALOGUE}
    people = list(
        ServiceUser.objects.filter(council=council).order_by("pk").values_list("pk", flat=True)
    )
    if not people:
        raise ValueError("Contract documents need service users: seed some with --clients.")
    sites: dict[int, list[int]] = {}
    for service_id, provider_id in Service.objects.filter(provider__in=providers).values_list(
        "pk", "provider_id"
    ):
        sites.setdefault(provider_id, []).append(service_id)
    assert persona.provider is not None
    answerers = provider_answerers(tally, providers, persona, maker)
    rng = random.Random(50000 + have)
    moment = now()
    today = to_london(moment).date()
    documents_writer = RowWriter(ContractDocument, numbered=True)
    cplis_writer = RowWriter(Cpli, numbered=False)
    made: Counter[str] = Counter()
    batch: list[ContractDocument] = []
    lines: list[Cpli] = []
    dealt = min(logins, len(providers)) * LOGIN_DOCUMENTS
    for number in range(have, have + wanted):
        if number < dealt:
            provider, how = providers[number % logins], "agreed"
        else:
            provider = persona.provider if rng.random() < persona_share else rng.choice(providers)
            how = rng.choice(_MIX)
        published_at = moment - timedelta(
            days=rng.randint(1, 21) if how == "published" else rng.randint(30, 700),
            minutes=rng.randint(0, 1439),
        )
        start = to_london(published_at).date() + timedelta(days=rng.randint(0, 14))
        end: date | None
        if how == "ended":
            end = min(start + timedelta(days=rng.randint(14, 300)), today - timedelta(days=1))
            end = max(end, start)
        else:
            end = None if rng.random() < 0.8 else today + timedelta(days=rng.randint(7, 365))
        pk = documents_writer.next_pk + len(batch)
        reference = f"PKG-{number + 1:07d}"
        status = {
            "agreed": DocumentStatus.AGREED,
            "ended": DocumentStatus.AGREED,
            "published": DocumentStatus.PUBLISHED,
            "rejected": DocumentStatus.REJECTED,
        }[how]
        answered = status != DocumentStatus.PUBLISHED
        answered_at = published_at + timedelta(hours=rng.randint(1, 72)) if answered else None
        document = ContractDocument(
            pk=pk,
            council=council,
            provider=provider,
            service_id=rng.choice(sites[provider.pk]),
            service_user_id=people[number % len(people)],
            reference=f"ISO-{pk:07d}",
            kind=DocumentKind.ORDER,
            care_package_reference=reference,
            status=status,
            published_at=published_at,
            published_by=broker,
            answered_at=answered_at,
            answered_by=answerers[provider.pk].user if answered else None,
            answer_notes="The hours do not match the care plan."
            if status == DocumentStatus.REJECTED
            else "",
            # The hash of content written here would be computed exactly as the services do;
            # a fixed-length stand-in keeps the loader fast and is never checked by a page.
            signed_hash=f"{pk:064x}" if status == DocumentStatus.AGREED else "",
            changed_at=answered_at or published_at,
        )
        cpli_status = {
            "agreed": CpliStatus.ACTIVE,
            "ended": CpliStatus.ENDED,
            "published": CpliStatus.PROPOSED,
            "rejected": CpliStatus.REJECTED,
        }[how]
        for level in rng.sample(levels, rng.choice((1, 1, 2, 3))):
            quantity = Decimal(rng.choice(("1", "2", "3.5", "7", "10.5", "14", "21")))
            lines.append(
                Cpli(
                    council=council,
                    provider=provider,
                    service_id=document.service_id,
                    service_user_id=document.service_user_id,
                    service_level=level,
                    document_id=pk,
                    care_package_reference=reference,
                    quantity=quantity,
                    unit=level.unit,
                    rate=rates[level.name],
                    pricing_basis=rng.choice((PricingBasis.SPOT,) * 3 + (PricingBasis.BLOCK,)),
                    start_date=start,
                    end_date=end,
                    ordered_end_date=end,
                    status=cpli_status,
                )
            )
        made[how] += 1
        batch.append(document)
        if len(batch) == SCALE_BATCH:
            _flush(batch, lines, documents_writer, cplis_writer)
    _flush(batch, lines, documents_writer, cplis_writer)
    documents_writer.finish()
    tally.made("contract documents", documents_writer.written)
    tally.made("CPLIs", cplis_writer.written)
    return {"documents": have + wanted, "cplis": Cpli.objects.filter(council=council).count()}


def _flush(
    batch: list[ContractDocument], lines: list[Cpli], documents: RowWriter, cplis: RowWriter
) -> None:
    if batch:
        documents.write_instances(batch)
        cplis.write_instances(lines)
    batch.clear()
    lines.clear()
