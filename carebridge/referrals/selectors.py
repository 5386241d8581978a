"""Reads of referrals that pages, the home page and the API share, scoped to the acting user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse

from carebridge.core.attention import AttentionItem
from carebridge.core.calendar import service_time_between
from carebridge.core.formats import guide_date, guide_datetime
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.organisations.models import Rulebook
from carebridge.referrals.choices import OPEN_STATES, ReferralStatus, Stage
from carebridge.referrals.models import Referral, ReferralEvent, source_label

if TYPE_CHECKING:
    from carebridge.accounts.models import User

S = ReferralStatus
# How far back the council's home page counts refusals and failed starts.
RECENT = timedelta(days=7)


# What the provider's lists show of each referral: loading only these (not the ~150 columns of a
# referral, its person and its council's rulebook) halves the time to build a page of rows.
LIST_FIELDS = (
    "status",
    "received_at",
    "source",
    "hospital",
    "ward",
    "district_team",
    "service_user__title",
    "service_user__first_name",
    "service_user__last_name",
    "district__name",
    "council__name",
)
# What reply_urgency needs of the rulebook.
_URGENCY_RULES = (
    "referral_service_start",
    "referral_service_end",
    "referral_service_days",
    "referral_service_closed_on_bank_holidays",
    "referral_amber_minutes",
)


def referrals_visible_to(user: User) -> models.QuerySet[Referral]:
    """A council's staff see its referrals; a provider sees the referrals offered to it."""
    if not can_view(user.role, Function.REFERRALS):
        return Referral.objects.none()
    if user.council_id is not None:
        return Referral.objects.filter(council_id=user.council_id)
    if user.provider_id is not None:
        return Referral.objects.filter(provider_id=user.provider_id)
    return Referral.objects.none()


def referrals_of_council(council_id: int) -> models.QuerySet[Referral]:
    """Every referral a council has sent, with what the API's rows show: the API acts for a
    council (its token's), not for a user."""
    return Referral.objects.filter(council_id=council_id).select_related(
        "provider", "district", "service_user"
    )


def with_stage(referrals: models.QuerySet[Referral], at: datetime) -> models.QuerySet[Referral]:
    """Annotate each referral with its Stage ("Current status") as of a moment."""
    return referrals.annotate(
        stage=Case(
            When(status=S.PENDING, then=Value(Stage.PENDING.value)),
            When(status=S.UPDATED, then=Value(Stage.AWAITING_ACTUALS.value)),
            When(
                status=S.ACCEPTED, first_visit_at__lte=at, then=Value(Stage.AWAITING_UPDATE.value)
            ),
            When(status=S.ACCEPTED, delay_count__gt=0, then=Value(Stage.START_DELAYED.value)),
            When(status=S.ACCEPTED, then=Value(Stage.FIRST_VISIT_BOOKED.value)),
            default=Value(Stage.CLOSED.value),
            output_field=models.CharField(),
        )
    )


def stage_of(referral: Referral, at: datetime) -> Stage:
    """The same as `with_stage`, for one referral already in memory."""
    if referral.status == S.PENDING:
        return Stage.PENDING
    if referral.status == S.UPDATED:
        return Stage.AWAITING_ACTUALS
    if referral.status == S.ACCEPTED:
        if referral.first_visit_at is not None and referral.first_visit_at <= at:
            return Stage.AWAITING_UPDATE
        return Stage.START_DELAYED if referral.delay_count else Stage.FIRST_VISIT_BOOKED
    return Stage.CLOSED


def search_by_name(referrals: models.QuerySet[Referral], search: str) -> models.QuerySet[Referral]:
    """Every word of the search in the service user's first or last name."""
    for word in search.split():
        referrals = referrals.filter(
            Q(service_user__first_name__icontains=word) | Q(service_user__last_name__icontains=word)
        )
    return referrals


class Reply(models.TextChoices):
    """Where a pending referral stands against its reply window."""

    DUE = "due", "Not yet due"
    MISSED = "missed", "Missed"


def referrals_pending_for(user: User) -> models.QuerySet[Referral]:
    """Referrals awaiting the provider's answer, oldest first: the provider's landing page
    (`filters.PendingFilters` narrows and sorts it)."""
    return referrals_visible_to(user).filter(status=S.PENDING).order_by("received_at", "pk")


@dataclass(frozen=True)
class PendingRow:
    """One line of the pending list, ready to show."""

    pk: int
    name: str
    source: str
    received: str  # "1:23pm 22/05/2018", as the guide shows times
    requested_start: str
    district: str
    council: str
    respond_by: str
    urgency: Urgency
    url: str

    @property
    def tag_class(self) -> str:
        return URGENCY_TAGS[self.urgency]


PENDING_COLUMNS = (
    "pk",
    "service_user__title",
    "service_user__first_name",
    "service_user__last_name",
    "source",
    "hospital",
    "ward",
    "district_team",
    "received_at",
    "requested_start_date",
    "district__name",
    "council_id",
    "council__name",
    "respond_by",
    *(f"council__rulebook__{name}" for name in _URGENCY_RULES),
)


def pending_rows(referrals: Iterable[dict[str, Any]], at: datetime) -> list[PendingRow]:
    """Rows from `referrals_pending_for(...).values(*PENDING_COLUMNS)`, a page at a time.

    Plain values, not model instances: the list is the provider's landing page and refreshes
    itself every 30 seconds, and building five model instances a row was half its time."""
    rulebooks: dict[int, Rulebook] = {}
    # One reverse() for the page, not one a row: the detail address differs only by its id.
    url = reverse("referrals:detail", args=[0]).removesuffix("0/") + "{}/"
    rows = []
    for row in referrals:
        rulebook = rulebooks.get(row["council_id"])
        if rulebook is None:
            rulebook = Rulebook(
                **{name: row[f"council__rulebook__{name}"] for name in _URGENCY_RULES}
            )
            rulebooks[row["council_id"]] = rulebook
        name_parts = (
            row["service_user__title"],
            row["service_user__first_name"],
            row["service_user__last_name"],
        )
        rows.append(
            PendingRow(
                pk=row["pk"],
                name=" ".join(part for part in name_parts if part),
                source=source_label(
                    row["source"], row["hospital"], row["ward"], row["district_team"]
                ),
                received=guide_datetime(row["received_at"]),
                requested_start=guide_date(row["requested_start_date"]),
                district=row["district__name"],
                council=row["council__name"],
                respond_by=guide_datetime(row["respond_by"]),
                urgency=reply_urgency(row["respond_by"], rulebook, at),
                url=url.format(row["pk"]),
            )
        )
    return rows


def referrals_existing_for(user: User, *, at: datetime) -> models.QuerySet[Referral]:
    """Everyone the provider has accepted into service and not yet finished with, each with its
    stage as of `at` (`filters.ExistingFilters` narrows it)."""
    referrals = with_stage(
        referrals_visible_to(user).filter(status__in=[S.ACCEPTED, S.UPDATED]), at
    )
    return (
        referrals.select_related("service_user", "district", "council")
        .only(*LIST_FIELDS, "first_visit_at", "delay_count", "discharge_date")
        .order_by("service_user__last_name", "service_user__first_name", "pk")
    )


def referrals_for_council(user: User, *, at: datetime) -> models.QuerySet[Referral]:
    """Every referral the council has sent, in any state, newest first: the brokers' view
    (`filters.CouncilReferralFilters` narrows and sorts it)."""
    return (
        with_stage(referrals_visible_to(user), at)
        .select_related("service_user", "district", "provider", "council__rulebook")
        .order_by("-received_at", "-pk")
    )


@dataclass(frozen=True)
class ReferralStatistics:
    """The provider home page's "Current service user statistics"."""

    missed: int
    pending: int
    awaiting_update: int
    awaiting_actuals: int


def referral_statistics(
    user: User, *, at: datetime, council_id: int | None = None
) -> ReferralStatistics:
    """Counted in one query, however many referrals there are (of one council, when a
    provider of several chose it)."""
    visible = referrals_visible_to(user)
    if council_id is not None:
        visible = visible.filter(council_id=council_id)
    counts = visible.filter(status__in=OPEN_STATES).aggregate(
        missed=Count("pk", filter=Q(status=S.PENDING, respond_by__lt=at)),
        pending=Count("pk", filter=Q(status=S.PENDING, respond_by__gte=at)),
        awaiting_update=Count("pk", filter=Q(status=S.ACCEPTED, first_visit_at__lte=at)),
        awaiting_actuals=Count("pk", filter=Q(status=S.UPDATED)),
    )
    return ReferralStatistics(**counts)


def open_referrals_alike(referral: Referral) -> models.QuerySet[Referral]:
    """The council's other open referrals of the same service user to the same provider: most
    often the same referral sent twice, sometimes meant (a second package of care)."""
    return (
        Referral.objects.filter(
            council_id=referral.council_id,
            service_user_id=referral.service_user_id,
            provider_id=referral.provider_id,
            status__in=OPEN_STATES,
        )
        .exclude(pk=referral.pk)
        .order_by("received_at", "pk")
    )


def referral_events(referral: Referral) -> models.QuerySet[ReferralEvent]:
    """The update log, newest first."""
    return referral.events.select_related("by").order_by("-at", "-pk")


def referrals_changed_since(
    referrals: models.QuerySet[Referral], since: datetime
) -> models.QuerySet[Referral]:
    return referrals.filter(changed_at__gt=since).order_by("changed_at", "pk")


# --- Colours of deadlines ------------------------------------------------------------------------


class Urgency(models.TextChoices):
    """How a deadline shows: green in time, amber close to it, red missed."""

    GREEN = "green", "In time"
    AMBER = "amber", "Due soon"
    RED = "red", "Missed"


URGENCY_TAGS = {
    Urgency.RED: "govuk-tag--red",
    Urgency.AMBER: "govuk-tag--orange",
    Urgency.GREEN: "govuk-tag--green",
}


def reply_urgency(respond_by: datetime, rulebook: Rulebook, at: datetime) -> Urgency:
    """Amber when less than the rulebook's minutes of service time remain before the deadline."""
    if at >= respond_by:
        return Urgency.RED
    remaining = service_time_between(at, respond_by, rulebook.referral_service_hours())
    if remaining <= timedelta(minutes=rulebook.referral_amber_minutes):
        return Urgency.AMBER
    return Urgency.GREEN


def update_urgency(referral: Referral, rulebook: Rulebook, at: datetime) -> Urgency | None:
    """The provider update's deadline, while one is awaited."""
    if referral.status != S.ACCEPTED or referral.update_due_by is None:
        return None
    if at >= referral.update_due_by:
        return Urgency.RED
    if referral.update_due_by - at <= timedelta(hours=rulebook.referral_update_amber_hours):
        return Urgency.AMBER
    return Urgency.GREEN


def referral_attention_for(user: User, *, council_id: int | None = None) -> list[AttentionItem]:
    """Home-page counts: the council's missed, refused and failed referrals; the provider's
    overdue updates (of one council, when it chose one). The provider's own statistics panel
    shows the rest."""
    from carebridge.core.calendar import now

    if not can_edit(user.role, Function.REFERRALS):
        return []
    at = now()
    referrals = referrals_visible_to(user)
    items: list[AttentionItem] = []
    if user.council_id is not None:
        since = at - RECENT
        counts = referrals.aggregate(
            missed=Count("pk", filter=Q(status=S.PENDING, respond_by__lt=at)),
            refused=Count("pk", filter=Q(status=S.REFUSED, closed_at__gte=since)),
            failed=Count("pk", filter=Q(status=S.FAILED, closed_at__gte=since)),
        )
        url = reverse("referrals:council_list")
        if counts["missed"]:
            items.append(
                AttentionItem(
                    "Referrals not answered in time",
                    counts["missed"],
                    f"{url}?state=missed",
                    "The provider has not replied within the reply window.",
                )
            )
        for state, label in (
            ("refused", "Referrals refused in the last 7 days"),
            ("failed", "Services that failed to start in the last 7 days"),
        ):
            if counts[state]:
                items.append(
                    AttentionItem(
                        label,
                        counts[state],
                        f"{url}?state={state}",
                        "Send a new referral to another provider if care is still needed.",
                    )
                )
    else:
        if council_id is not None:
            referrals = referrals.filter(council_id=council_id)
        overdue = referrals.filter(status=S.ACCEPTED, update_due_by__lt=at).count()
        if overdue:
            items.append(
                AttentionItem(
                    "Provider updates overdue",
                    overdue,
                    reverse("referrals:existing") + "?status=awaiting_update",
                    "Each council sets how soon after acceptance its update is due.",
                )
            )
    return items
