"""Every write of variation requests: the provider asks for a temporary CPLI for care given over
the exception (one open request per client and weeks, its evidence on an action in the council's
brokerage team's inbox); a brokerage officer approves it (publishing the temporary CPLI as a
contract document for the provider to agree) or refuses it with a reason, and the provider is
told on the action's thread. Keyword-only, `by=` the acting user, one transaction with its audit
event; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from carebridge.actions import services as actions
from carebridge.actions.choices import PostKind, RelatedKind
from carebridge.actions.models import ActionType
from carebridge.actuals.periods import WEEK, week_of
from carebridge.audit.services import record
from carebridge.contracts.choices import CpliStatus, Unit
from carebridge.contracts.models import Cpli
from carebridge.contracts.services import Line, contract_document_publish
from carebridge.core.bounds import has_control_characters
from carebridge.core.calendar import add_working_days, now, today
from carebridge.core.formats import guide_date
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Function, can_edit
from carebridge.organisations.choices import TeamKind, Weekday
from carebridge.organisations.models import Council, Team
from carebridge.payments.choices import VARIATION_TRANSITIONS, VariationEvent, VariationStatus
from carebridge.payments.models import InvoiceLine, VariationRequest
from carebridge.payments.services.invoices import PaymentsRefused
from carebridge.people.models import ServiceUser

if TYPE_CHECKING:
    from carebridge.accounts.models import User

VARIATION_CREATE = "payments.variation_request_create"
# The council's action type its brokerage team receives these on: found by name in the council's
# catalogue, or added to it (with the brokerage team as its team) the first time it is needed.
# A council that makes the type inactive takes no variation requests in the portal.
VARIATION_ACTION_TYPE = "Variation Request"
# How long the brokerage team has to answer, in working days (the guides name no deadline).
RESPOND_WITHIN_DAYS = 5
# Weeks a request may cover: care already given in the last year, or planned for the next
# twelve weeks; and the most extra a week (a week has 168 hours).
WEEKS_BACK = 52
WEEKS_AHEAD = 12
MOST_EXTRA = Decimal("168")
REASON_MAX = 10_000

NOT_A_REQUESTER = (
    "Only the provider's users who may edit invoices and raise actions can ask for a "
    "temporary CPLI."
)
NOT_A_BROKER = (
    "Only the council's officers who publish contract documents can decide a variation request."
)
NO_BROKERAGE_TEAM = (
    "This council has no brokerage team in the portal: raise an action with the council instead."
)
NOT_TAKEN = (
    "This council does not take variation requests in the portal: raise an action with its "
    "brokerage team instead."
)
NOT_RUNNING = "This CPLI is not running: ask for a temporary CPLI only for an agreed line."
SHORT_BREAK = (
    "A short break is not planned week by week: ask the brokerage team for a larger allocation "
    "in an action instead."
)
NOT_FROM_THIS_LINE = "This invoice line is not one of this CPLI's weeks on your invoices."
DECIDED = "This variation request has been decided already."


class VariationRefused(PaymentsRefused):
    """A variation request the rules will not take or decide; the message says why."""


def may_request_variation(user: User, provider_id: int) -> bool:
    """Whether `user` may ask for a temporary CPLI for the provider's care: the check
    variation_request_create makes, and the actuals rows' link shows only where it holds."""
    return (
        user.role in PROVIDER_ROLES
        and user.provider_id == provider_id
        and can_edit(user.role, Function.INVOICES)
        # The request travels as an action to the brokerage team.
        and can_edit(user.role, Function.ACTIONS)
    )


def _require_requester(by: User, provider_id: int) -> None:
    if not may_request_variation(by, provider_id):
        raise VariationRefused(NOT_A_REQUESTER)


def _require_broker(by: User, council_id: int) -> None:
    # Approving publishes a contract document, so the decision is for those who publish them.
    if not (
        by.role in COUNCIL_ROLES
        and by.council_id == council_id
        and can_edit(by.role, Function.CONTRACT_DOCUMENTS)
        and can_edit(by.role, Function.ACTIONS)
    ):
        raise VariationRefused(NOT_A_BROKER)


def overlap_message(client: str, first: date, last: date) -> str:
    return (
        f"{client} already has an open variation request for some of these weeks "
        f"({guide_date(first)} to {guide_date(last)}): wait for the brokerage team's decision"
    )


def _week_errors(cpli: Cpli, first_week: date, last_week: date) -> dict[str, str]:
    """Weeks that start on the council's week day, in order, while the CPLI runs, and neither
    long past nor far ahead."""
    starts = cpli.council.rulebook.actuals_week_start
    errors: dict[str, str] = {}
    for name, label, week in (
        ("first_week", "first", first_week),
        ("last_week", "last", last_week),
    ):
        if week_of(week, starts) != week:
            day = Weekday(starts).label
            errors[name] = f"The {label} week must be the date its week starts (a {day})"
    if errors:
        return errors
    if last_week < first_week:
        return {"last_week": "The last week must be the same as or after the first week"}
    this_week = week_of(today(), starts)
    if first_week < this_week - WEEK * WEEKS_BACK:
        errors["first_week"] = f"The first week must be within the last {WEEKS_BACK} weeks"
    if last_week > this_week + WEEK * WEEKS_AHEAD:
        errors["last_week"] = f"The last week must be within the next {WEEKS_AHEAD} weeks"
    if first_week + WEEK <= cpli.start_date:
        errors["first_week"] = (
            f"The first week must be on or after the CPLI's start ({guide_date(cpli.start_date)})"
        )
    if cpli.end_date is not None and last_week > cpli.end_date:
        errors["last_week"] = (
            f"The last week must start by the CPLI's end ({guide_date(cpli.end_date)})"
        )
    return errors


def _extra_errors(cpli: Cpli, extra: Decimal) -> dict[str, str]:
    unit = Unit(cpli.unit).label.lower()
    if not extra.is_finite() or extra <= 0:
        return {"extra_quantity": "The extra each week must be more than 0"}
    if extra > MOST_EXTRA:
        return {"extra_quantity": f"The extra each week must be {MOST_EXTRA} {unit} or fewer"}
    step = cpli.council.rulebook.actuals_hours_step if cpli.unit == Unit.HOURS else Decimal(1)
    if extra % step:
        return {"extra_quantity": f"The extra each week must be a multiple of {step} {unit}"}
    return {}


def _reason(reason: str, *, field: str, missing: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({field: missing})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: f"The reason must be {REASON_MAX:,} characters or fewer"})
    if has_control_characters(reason):
        raise ValidationError({field: "The reason must not contain control characters"})
    return reason


def _check_request(
    cpli: Cpli, first_week: date, last_week: date, extra: Decimal, reason: str
) -> str:
    """The reason, cleaned, once the CPLI, weeks and extra are ones a request may ask for."""
    if cpli.yearly_allocation is not None:
        raise VariationRefused(SHORT_BREAK)
    if cpli.status not in (CpliStatus.ACTIVE, CpliStatus.ENDED):
        raise VariationRefused(NOT_RUNNING)
    errors = {**_week_errors(cpli, first_week, last_week), **_extra_errors(cpli, extra)}
    try:
        reason = _reason(reason, field="reason", missing="Enter the reason for the extra care")
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return reason


def brokerage_route(council: Council) -> tuple[ActionType, Team]:
    """The council's action type for variation requests and its brokerage team that receives
    them; refused where the council has no brokerage team or has switched the type off."""
    team = (
        Team.objects.filter(council=council, kind=TeamKind.BROKERAGE, internal_only=False)
        .order_by("pk")
        .first()
    )
    if team is None:
        raise VariationRefused(NO_BROKERAGE_TEAM)
    found = ActionType.objects.filter(council=council, name=VARIATION_ACTION_TYPE).first()
    if found is None:
        try:
            with transaction.atomic():
                # The portal's own addition to the catalogue, made by no one.
                found = actions.action_type_create(
                    council=council, name=VARIATION_ACTION_TYPE, default_team=team
                )
        except (IntegrityError, ValidationError):
            # Added by another request a moment ago.
            found = ActionType.objects.get(council=council, name=VARIATION_ACTION_TYPE)
    if not found.is_active:
        raise VariationRefused(NOT_TAKEN)
    return found, team


def _request_url(name: str, pk: int) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=[pk])}"


def _action_text(request: VariationRequest, cpli: Cpli) -> str:
    person = cpli.service_user
    unit = Unit(cpli.unit).label.lower()
    return (
        f"{cpli.provider.name} asks for a temporary CPLI for {person.full_name} "
        f"(SS Ref {person.ss_ref}) at {cpli.service.name}: {request.extra_quantity} {unit} a "
        f"week of {cpli.service_level.name} over the plan of {cpli.quantity}, at "
        f"£{cpli.rate:,.2f}, for the weeks from {guide_date(request.first_week)} to "
        f"{guide_date(request.last_week)} (care package {cpli.care_package_reference}).\n\n"
        f"Reason: {request.reason}\n\n"
        f"Approve or refuse it on its page: "
        f"{_request_url('payments:council_variation_detail', request.pk)}"
    )


def _new_action(
    request: VariationRequest, cpli: Cpli, action_type: ActionType, team: Team
) -> actions.NewAction:
    """The request as an action about the CPLI, for the brokerage team to answer."""
    return actions.NewAction(
        council=cpli.council,
        provider=cpli.provider,
        action_type=action_type,
        related_kind=RelatedKind.CPLI,
        related_id=cpli.pk,
        due_date=add_working_days(today(), RESPOND_WITHIN_DAYS),
        team=team,
        title=f"Variation request for {cpli.service_user.full_name}"[:200],
        text=_action_text(request, cpli),
    )


def _insert(request: VariationRequest, client: str) -> None:
    """Save the request; the same client and weeks asked for a moment ago (the database's
    constraint decides) is refused like any overlap."""
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise VariationRefused(
            overlap_message(client, request.first_week, request.last_week)
        ) from None


def _open_overlap(
    service_user_id: int, first_week: date, last_week: date
) -> VariationRequest | None:
    return (
        VariationRequest.objects.filter(
            service_user_id=service_user_id,
            status=VariationStatus.REQUESTED,
            first_week__lte=last_week,
            last_week__gte=first_week,
        )
        .order_by("first_week")
        .first()
    )


@transaction.atomic
@once_per_key(
    VARIATION_CREATE,
    find=lambda pk, call: VariationRequest.objects.filter(
        pk=pk, provider_id=call["by"].provider_id
    ).first(),
)
def variation_request_create(
    *,
    by: User,
    cpli: Cpli,
    first_week: date,
    last_week: date,
    extra_quantity: Decimal,
    reason: str,
    files: Sequence[UploadedFile] = (),
    invoice_line: InvoiceLine | None = None,
    idempotency_key: str | None = None,
) -> VariationRequest:
    """Ask the council's brokerage team for a temporary CPLI: `extra_quantity` each week over
    the CPLI's plan, from the week starting `first_week` to the week starting `last_week`. The
    request is an action in the brokerage team's inbox, with the evidence attached. Refused
    while the client has another open request for any of those weeks."""
    _require_requester(by, cpli.provider_id)
    cpli = Cpli.objects.select_related(
        "council__rulebook", "provider", "service", "service_user", "service_level"
    ).get(pk=cpli.pk)
    reason = _check_request(cpli, first_week, last_week, extra_quantity, reason)
    # To the penny, as stored (a multiple of the step, which has two places at most).
    extra_quantity = extra_quantity.quantize(Decimal("0.01"))
    if invoice_line is not None and not (
        invoice_line.cpli_id == cpli.pk and invoice_line.invoice.provider_id == by.provider_id
    ):
        raise VariationRefused(NOT_FROM_THIS_LINE)
    action_type, team = brokerage_route(cpli.council)
    # One request at a time per client: the client's row is the lock two requests for
    # overlapping weeks queue on (PostgreSQL); SQLite serialises writers anyway.
    ServiceUser.objects.select_for_update().filter(pk=cpli.service_user_id).first()
    person = cpli.service_user
    found = _open_overlap(person.pk, first_week, last_week)
    if found is not None:
        raise VariationRefused(overlap_message(person.full_name, found.first_week, found.last_week))
    request = VariationRequest(
        council_id=cpli.council_id,
        provider_id=cpli.provider_id,
        service_id=cpli.service_id,
        service_user=person,
        cpli=cpli,
        first_week=first_week,
        last_week=last_week,
        extra_quantity=extra_quantity,
        reason=reason,
        invoice_line=invoice_line,
        created_at=now(),
        created_by=by,
    )
    _insert(request, person.full_name)
    request.action = actions.action_create(
        by=by, new=_new_action(request, cpli, action_type, team), files=files
    )
    request.save(update_fields=["action"])
    record(
        action="variation_request.created",
        by=by,
        obj=request,
        council=request.council_id,
        provider=request.provider_id,
        after={
            "cpli": cpli.pk,
            "first_week": first_week.isoformat(),
            "last_week": last_week.isoformat(),
            "extra_quantity": str(extra_quantity),
        },
        detail={"action": request.action.pk},
    )
    return request


def _decided(request: VariationRequest, event: VariationEvent, by: User, **changes: Any) -> None:
    """The decision by the table's compare-and-set: a request decided already (a second click,
    or another officer a moment ago) is refused."""
    if not VARIATION_TRANSITIONS.move(
        VariationRequest, request.pk, event, decided_at=now(), decided_by=by, **changes
    ):
        raise VariationRefused(DECIDED)


def _tell_provider(by: User, request: VariationRequest, text: str) -> None:
    """Reply on the request's action, which hands it to the provider and e-mails them; a thread
    the council has closed already takes no post, and the request's page still says it."""
    action = request.action
    if action is not None and action.is_open:
        actions.action_post(by=by, action=action, kind=PostKind.REPLY, text=text)


def _temporary_line(request: VariationRequest) -> Line:
    """The temporary CPLI: the original's service level, rate and pricing, the extra each week,
    from the first week's start to the last week's end."""
    cpli = request.cpli
    return Line(
        service_level=cpli.service_level,
        quantity=request.extra_quantity,
        rate=cpli.rate,
        pricing_basis=cpli.pricing_basis,
        start_date=request.first_week,
        end_date=request.last_week + WEEK - timedelta(days=1),
    )


def _reload(request: VariationRequest) -> VariationRequest:
    return VariationRequest.objects.select_related(
        "council", "service", "service_user", "cpli__service_level", "action", "document"
    ).get(pk=request.pk)


@transaction.atomic
def variation_request_approve(*, by: User, request: VariationRequest) -> VariationRequest:
    """Approve: publish the temporary CPLI as a new contract document (the original's care
    package reference) for the provider to agree, record it on the request, and tell the
    provider on the action."""
    _require_broker(by, request.council_id)
    _decided(request, VariationEvent.APPROVE, by)
    request = _reload(request)
    try:
        document = contract_document_publish(
            council=request.council,
            service=request.service,
            service_user=request.service_user,
            care_package_reference=request.cpli.care_package_reference,
            lines=[_temporary_line(request)],
            by=by,
        )
    except ValidationError as error:
        # The catalogue or contract changed since the request (a service level withdrawn).
        raise VariationRefused(
            "The temporary CPLI cannot be published: " + "; ".join(error.messages)
        ) from None
    VariationRequest.objects.filter(pk=request.pk).update(document=document)
    request.document = document
    _tell_provider(
        by,
        request,
        f"Variation request approved: the temporary CPLI is published as {document.reference} "
        "for you to agree in Contract documents. Once agreed, its weeks appear in your actuals.",
    )
    record(
        action="variation_request.approve",
        by=by,
        obj=request,
        council=request.council_id,
        provider=request.provider_id,
        before={"status": VariationStatus.REQUESTED},
        after={"status": VariationStatus.APPROVED, "document": document.reference},
    )
    return request


@transaction.atomic
def variation_request_refuse(
    *, by: User, request: VariationRequest, reason: str
) -> VariationRequest:
    """Refuse, with the reason the provider reads on the request and on the action."""
    _require_broker(by, request.council_id)
    reason = _reason(reason, field="reason", missing="Enter the reason, for the provider to read")
    _decided(request, VariationEvent.REFUSE, by, refused_reason=reason)
    request = _reload(request)
    _tell_provider(by, request, f"Variation request refused: {reason}")
    record(
        action="variation_request.refuse",
        by=by,
        obj=request,
        council=request.council_id,
        provider=request.provider_id,
        before={"status": VariationStatus.REQUESTED},
        after={"status": VariationStatus.REFUSED},
    )
    return request


def variation_request_viewed(*, by: User, request: VariationRequest, ip: str | None = None) -> None:
    """A variation request names a client and their care: every view is audited, in the log of
    its council and its provider."""
    record(
        action="variation_request.viewed",
        by=by,
        obj=request,
        council=request.council_id,
        provider=request.provider_id,
        ip_address=ip,
    )
