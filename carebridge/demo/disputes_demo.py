"""The demo's disputes. At each council its payments officer disputes its providers' confirmed
actuals of the newest period not yet payment-processed, with reasons from the council's own
catalogue: one dispute still In Dispute, one the provider has answered (Resolution Requested),
one the council has resolved, and one it reopened because the answer was not enough. Rows on an
invoice are left alone (an invoice's story is the payments demo's). All of it through the
disputes services, and told once: a council with any dispute keeps its disputes as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.core.calendar import today
from carebridge.demo.actuals_demo import CouncilPlan
from carebridge.demo.common import Tally
from carebridge.disputes import services as disputes
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute, DisputeReason
from carebridge.organisations.models import Council, Provider
from carebridge.organisations.selectors import providers_of_council

S = DisputeStatus


@dataclass(frozen=True)
class Story:
    """One dispute the demo tells: the status it ends in, the catalogue reason it is raised
    with (its label, or the catalogue's place when the council keeps other labels), how many
    rows, and the words of each side."""

    status: str
    reason: str
    place: int
    rows: int
    details: str
    response: str = ""
    note: str = ""


STORIES = (
    Story(
        status=S.IN_DISPUTE,
        reason="Client in hospital/respite",
        place=5,
        rows=1,
        details=(
            "The hospital discharge team told us the client was admitted on the Tuesday of this "
            "week and came home on the Saturday, but every planned call is shown as delivered. "
            "Check the carers' visit records and enter the days in hospital as frustrated."
        ),
    ),
    Story(
        status=S.RESOLUTION_REQUESTED,
        reason="Actual does not match planned – more detail required",
        place=0,
        rows=2,
        details=(
            "Both weeks are a little under the plan with no comment. Tell us which calls were "
            "shorter and why, so the locality team can see whether the package still fits."
        ),
        response=(
            "The client asked for shorter morning calls while her son stayed with her after his "
            "operation; he helped her wash and dress. Her care coordinator agreed this by phone "
            "and the calls went back to the full length once he had left."
        ),
    ),
    Story(
        status=S.RESOLVED,
        reason="Charged when cancelled in advance",
        place=3,
        rows=1,
        details=(
            "The family say they cancelled the Thursday tea call the week before, when the "
            "client went to her sister's for the day, yet the call is counted as delivered."
        ),
        response=(
            "Our call log shows the cancellation reached the office on the Thursday morning, "
            "after the rota was out; the carer arrived and the client's neighbour let her in to "
            "check on the cat and leave a meal, so the call was made."
        ),
        note=(
            "Confirmed with the client's daughter that the cancellation was made on the day: "
            "the call is paid as recorded."
        ),
    ),
    Story(
        status=S.IN_DISPUTE,
        reason="Actuals query",
        place=1,
        rows=2,
        details=(
            "The electronic call monitoring has no visits logged at the client's address for "
            "these two weeks, but the hours are entered in full."
        ),
        response=(
            "The visits all took place: the client's flat has no mobile signal, so the carers' "
            "phones could not log them. Our rota and the carers' notes in the home show each call."
        ),
        note=(
            "The monitoring service offers a landline call-in for addresses without signal, and "
            "none was used. Send us the carers' timesheets for both weeks, signed by the client "
            "or her family, before we can pay these rows."
        ),
    ),
)


def demo_disputes(tally: Tally, plans: Sequence[CouncilPlan]) -> None:
    """A dispute in every status at each council, once."""
    for plan in plans:
        council = Council.objects.filter(slug=plan.slug).first()
        if council is None:
            continue
        if Dispute.objects.filter(council=council).exists():
            tally.found("dispute stories")
            continue
        _council_disputes(tally, council)


def _officer(council: Council) -> User | None:
    """The council's first active user who may raise disputes (its payments officer first)."""
    users = User.objects.filter(council=council, is_active=True).order_by("role", "pk")
    return next((user for user in users if disputes.may_raise_dispute(user, council.pk)), None)


def _answerer(provider: Provider) -> User | None:
    """The provider's first active user who may answer disputes (edits its actuals)."""
    users = User.objects.filter(provider=provider, is_active=True).order_by("role", "pk")
    return next((user for user in users if disputes.may_answer_dispute(user, provider.pk)), None)


def _period(council: Council, provider: Provider) -> Period | None:
    """The newest ended period of the council the provider has confirmed and whose payment has
    not been processed: its rows may still be disputed."""
    for period in Period.objects.filter(
        council=council, end_date__lt=today(), payment_processed_at__isnull=True
    ).order_by("-start_date"):
        if Confirmation.objects.filter(period=period, provider=provider).exists():
            return period
    return None


def _rows(council: Council, provider: Provider, period: Period, count: int) -> list[int]:
    """`count` of the provider's rows of the period for one client (the weeks in order), on no
    invoice and in no dispute; none when no client has that many."""
    rows = (
        Actual.objects.filter(council=council, provider=provider, period=period)
        .exclude(invoice_lines__isnull=False)
        .exclude(dispute_rows__isnull=False)
        .order_by("service_user__ss_ref", "week_start", "cpli_id")
        .values_list("pk", "service_user_id")
    )
    by_client: dict[int, list[int]] = {}
    for pk, client in rows:
        by_client.setdefault(client, []).append(pk)
    for pks in by_client.values():
        if len(pks) >= count:
            return pks[:count]
    return []


def _reason(catalogue: list[DisputeReason], story: Story) -> DisputeReason:
    """The story's reason by its label, or the reason at its place in the council's list."""
    for reason in catalogue:
        if reason.label == story.reason:
            return reason
    return catalogue[min(story.place, len(catalogue) - 1)]


def _council_disputes(tally: Tally, council: Council) -> None:
    """The stories dealt in turn to the council's providers that have a confirmed period not
    paid and a user to answer."""
    officer = _officer(council)
    if officer is None:
        return
    catalogue = disputes.dispute_reasons_ensure(council, by=officer)
    if not catalogue:
        return
    cast = []
    for provider in providers_of_council(council.pk).order_by("name"):
        answerer = _answerer(provider)
        period = _period(council, provider)
        if answerer is not None and period is not None:
            cast.append((provider, answerer, period))
    if not cast:
        return
    for number, story in enumerate(STORIES):
        # The story's provider in turn, or the next with rows left (an on-invoice provider's
        # rows may all be on its invoices).
        turn = number % len(cast)
        for provider, answerer, period in cast[turn:] + cast[:turn]:
            actual_ids = _rows(council, provider, period, story.rows)
            if actual_ids:
                _tell(officer, answerer, _reason(catalogue, story), story, actual_ids)
                tally.made("disputes")
                break


def _tell(
    officer: User, answerer: User, reason: DisputeReason, story: Story, actual_ids: list[int]
) -> Dispute:
    """Raise the dispute and move it on to the story's status as each side would."""
    dispute = disputes.dispute_raise(
        by=officer, reason=reason, details=story.details, actual_ids=actual_ids
    )
    if not story.response:
        return dispute
    dispute = disputes.dispute_request_resolution(
        by=answerer, dispute=dispute, response=story.response
    )
    if story.status == S.RESOLVED:
        return disputes.dispute_resolve(by=officer, dispute=dispute, note=story.note)
    if story.status == S.IN_DISPUTE:
        return disputes.dispute_reopen(by=officer, dispute=dispute, note=story.note)
    return dispute
