"""Reads for the integrations pages: a council's connections, its delivery log (the updates to
its case-management system and the pushes to its CRM, in one list) and its poll log.

The delivery log names a referral by its id and the case-management system's own id, and a
front-door request by its reference: never the person, so an administrator reading it reads no
one's personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, Min, Q, QuerySet, Value
from django.db.models.fields.json import KT

from carebridge.integrations.models import (
    CaseSystem,
    CaseUpdate,
    CrmDelivery,
    DataverseConnection,
    FeedPoll,
    PdsConnection,
)
from carebridge.organisations.models import Council

CASE, CRM = "case", "crm"


def case_system_of(council: Council) -> CaseSystem | None:
    return CaseSystem.objects.filter(council=council).first()


def dataverse_of(council: Council) -> DataverseConnection | None:
    return DataverseConnection.objects.filter(council=council).first()


def pds_of(council: Council) -> PdsConnection | None:
    return PdsConnection.objects.filter(council=council).first()


def poll_interval(council: Council) -> str:
    """How often the rulebook says the feed is polled, in words: "2 minutes", "90 seconds"."""
    rulebook = getattr(council, "rulebook", None)
    seconds = int(rulebook.case_feed_poll_seconds) if rulebook is not None else 120
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "minute" if minutes == 1 else f"{minutes} minutes"


def polls(council: Council) -> QuerySet[FeedPoll]:
    """The council's polls of its referral feed, newest first."""
    return FeedPoll.objects.filter(council=council).order_by("-started_at", "-pk")


# --- The delivery log -------------------------------------------------------------------------


def _status_filter(status: str) -> Q:
    undelivered = Q(delivered_at__isnull=True)
    if status == "delivered":
        return Q(delivered_at__isnull=False)
    if status == "failed":
        return undelivered & (Q(gave_up=True) | ~Q(last_error=""))
    if status == "waiting":
        return undelivered & Q(gave_up=False, last_error="")
    return Q()


def deliveries(council: Council, *, status: str, system: str) -> QuerySet[Any]:
    """The council's deliveries of both kinds that match the filters, newest first, as
    {"kind", "id", "created_at"}: one query to page through, whose page `delivery_rows` reads."""
    wanted = _status_filter(status)
    parts: list[QuerySet[Any]] = []
    if system in (CASE, "all"):
        parts.append(CaseUpdate.objects.filter(wanted, council=council))
    if system in (CRM, "all"):
        parts.append(CrmDelivery.objects.filter(wanted, council=council))
    keyed = [
        rows.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values("id", "created_at", "kind")
        for rows, kind in zip(parts, [CASE, CRM] if system == "all" else [system], strict=True)
    ]
    found = keyed[0] if len(keyed) == 1 else keyed[0].union(keyed[1], all=True)
    return found.order_by("-created_at", "-id")


@dataclass(frozen=True)
class DeliveryRow:
    """One row of the delivery log, with what the page says about it."""

    kind: str
    delivery: CaseUpdate | CrmDelivery
    what: str
    state: str  # delivered, gave_up, failing, blocked, waiting
    waits_for: str = ""  # the earlier row this one waits behind, in words

    @property
    def system(self) -> str:
        return "Case management" if self.kind == CASE else "CRM"

    @property
    def can_retry(self) -> bool:
        return self.state in ("gave_up", "failing")


def _state(delivery: CaseUpdate | CrmDelivery) -> str:
    if delivery.delivered_at is not None:
        return "delivered"
    if delivery.gave_up:
        return "gave_up"
    return "failing" if delivery.last_error else "waiting"


def _first_undelivered(updates: Sequence[CaseUpdate]) -> dict[int, int]:
    """Each referral's earliest undelivered update (its sequence): later ones wait behind it."""
    referrals = {u.referral_id for u in updates if u.delivered_at is None}
    earliest = (
        CaseUpdate.objects.filter(referral_id__in=referrals, delivered_at__isnull=True)
        .values("referral_id")
        .annotate(first=Min("sequence"))
    )
    return {row["referral_id"]: row["first"] for row in earliest}


def _blocked(state: str, waits_for: str) -> str:
    return "blocked" if state == "waiting" and waits_for else state


def _case_rows(ids: list[int]) -> dict[int, DeliveryRow]:
    updates = list(
        CaseUpdate.objects.filter(pk__in=ids)
        .defer("payload")
        .annotate(external_id=F("referral__external_id"))
    )
    first = _first_undelivered(updates)
    rows = {}
    for update in updates:
        blocker = first.get(update.referral_id)
        waits_for = (
            f"update {blocker} of this referral"
            if blocker is not None and blocker < update.sequence
            else ""
        )
        external = getattr(update, "external_id", "")
        what = f"{update.event}, update {update.sequence} of referral {update.referral_id}"
        rows[update.pk] = DeliveryRow(
            kind=CASE,
            delivery=update,
            what=what + (f" (the system's id {external})" if external else ""),
            state=_blocked(_state(update), waits_for),
            waits_for=waits_for,
        )
    return rows


def _first_undelivered_pushes(pushes: Sequence[CrmDelivery]) -> dict[int, tuple[int, str]]:
    """Each request's earliest undelivered push (its id and event): later pushes of the request
    wait behind it, so the CRM's case never goes back to an older status (integrations.crm)."""
    requests = {p.request_id for p in pushes if p.delivered_at is None}
    earliest = (
        CrmDelivery.objects.filter(request_id__in=requests, delivered_at__isnull=True)
        .values("request_id")
        .annotate(first=Min("pk"))
    )
    firsts = {row["first"]: row["request_id"] for row in earliest}
    shown = CrmDelivery.objects.filter(pk__in=firsts).annotate(shown=KT("payload__event"))
    return {firsts[p.pk]: (p.pk, getattr(p, "shown", None) or p.event) for p in shown}


def _crm_rows(ids: list[int]) -> dict[int, DeliveryRow]:
    # A decision's row is keyed "decision-<id>": the payload says which decision it was, until
    # the payload is emptied after KEEP_PAYLOAD_FOR.
    pushes = list(
        CrmDelivery.objects.filter(pk__in=ids)
        .defer("payload")
        .annotate(reference=F("request__reference"), shown=KT("payload__event"))
    )
    first = _first_undelivered_pushes(pushes)
    rows = {}
    for push in pushes:
        blocker = first.get(push.request_id)
        waits_for = (
            f"the {blocker[1]} push of this request" if blocker and blocker[0] < push.pk else ""
        )
        event = getattr(push, "shown", None) or push.event
        rows[push.pk] = DeliveryRow(
            kind=CRM,
            delivery=push,
            what=f"{event}, front-door request {getattr(push, 'reference', '')}",
            state=_blocked(_state(push), waits_for),
            waits_for=waits_for,
        )
    return rows


def delivery_rows(keys: list[dict[str, Any]]) -> list[DeliveryRow]:
    """The page's rows, in the page's order, from `deliveries`' keys."""
    case = _case_rows([k["id"] for k in keys if k["kind"] == CASE])
    crm = _crm_rows([k["id"] for k in keys if k["kind"] == CRM])
    found = ((case if k["kind"] == CASE else crm).get(k["id"]) for k in keys)
    return [row for row in found if row is not None]


def retryable_case_update(council: Council, pk: int) -> CaseUpdate | None:
    return CaseUpdate.objects.filter(council=council, pk=pk, delivered_at__isnull=True).first()


def retryable_crm_delivery(council: Council, pk: int) -> CrmDelivery | None:
    return CrmDelivery.objects.filter(council=council, pk=pk, delivered_at__isnull=True).first()
