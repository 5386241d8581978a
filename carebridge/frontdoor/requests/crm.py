"""The front door's side of the CRM push: the payload a council's CRM receives for a request
(schema version 1, described in `carebridge.integrations.crm`), where the council's webhook is
kept (the front-door settings), the push of a request once it reached the queue, and the push of
every decision an officer makes on it afterwards. The integrations app posts it and keeps the
outbox; it imports nothing of the front door.

A professional's referral adds `referral` (null on a resident's request, an added field of
schema version 1):

    referral    {professional_kind: {code, label}, email_confirmed, nhs_number (10 digits or
                 ""), address: {line_1, line_2, town, postcode}, gp_practice,
                 demographics_from_pds, presenting_need, primary_support_reason (the CLD
                 return's Primary Support Reason string, like "Mental Health Support", or
                 null), current_services, others_involved,
                 risks: {to_person, to_others, to_staff: {answer: {code, label} or null,
                 details}}, sharing_basis: {code, label} or null, sharing_basis_reason}

A decision's push (`crm_decision_queue`, called by each triage step in `services/steps.py`) is
queued in the step's transaction, once per decision: its event is `decision-<id>`, the id of
the history row (RequestEvent) the step wrote. Its payload is the request's, as the decision
left it (status, route), with `event` the step's kind ("opened", "information_requested",
"accepted", "redirected", "closed") and one added field:

    decision    {id, kind: {code, label}, at (ISO 8601, UTC), by (the officer's name),
                 reason (what the officer wrote), outcome: {code, label} or null (the council's
                 decision so far: assessment, redirected, no further action), redirected_to}
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from carebridge.frontdoor.assessment.professional import (
    ProfessionalKind,
    RiskAnswer,
    SharingBasis,
)
from carebridge.frontdoor.choices import (
    About,
    Asker,
    Decision,
    EventKind,
    RequestStatus,
    Result,
    Route,
)
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings, RequestEvent
from carebridge.integrations.crm import crm_delivery_queue, crm_event_check
from carebridge.integrations.models import CrmDelivery

SCHEMA = "carebridge.front-door-request"
SCHEMA_VERSION = 1
# The officer's steps that change where a request stands: each one is pushed to the CRM.
DECISION_KINDS = (
    EventKind.OPENED,
    EventKind.INFORMATION_REQUESTED,
    EventKind.ACCEPTED,
    EventKind.REDIRECTED,
    EventKind.CLOSED,
)
# The longest reason sent: the officer's text is shown to the person, so rarely near it.
REASON_LENGTH = 5000


def crm_webhook_of(council_id: int) -> tuple[str, str] | None:
    """The council's CRM webhook address and signing secret, or None when it has none."""
    settings = FrontDoorSettings.objects.filter(council=council_id).first()
    if settings is None or not settings.crm_webhook_url:
        return None
    return settings.crm_webhook_url, settings.crm_webhook_secret


def crm_push_queue(*, request: FrontDoorRequest, event: str) -> CrmDelivery | None:
    """Queue the push of a request to its council's CRM, once only for the request and event.

    None, and nothing queued, when the council has no CRM, the person did not consent to their
    details being shared, or this push was queued before. The post goes after the transaction
    commits, so a request that is rolled back never reaches the CRM."""
    return _queue(request, event, lambda: crm_payload(request, event=event))


def crm_decision_queue(request: FrontDoorRequest) -> CrmDelivery | None:
    """Queue the push of the decision just made on the request (its latest triage step), in
    the step's transaction, so a step rolled back is never pushed; once per decision. None, and
    nothing queued, as for `crm_push_queue`."""
    decision = request.events.filter(kind__in=DECISION_KINDS).order_by("-pk").first()
    if decision is None:
        return None
    return _queue(
        request,
        f"decision-{decision.pk}",
        lambda: crm_payload(request, event=decision.kind, decision=decision),
    )


def _queue(
    request: FrontDoorRequest, event: str, payload: Callable[[], dict[str, Any]]
) -> CrmDelivery | None:
    crm_event_check(event)
    if not request.details_shared:
        return None
    return crm_delivery_queue(
        council_id=request.council_id, request_id=request.pk, event=event, payload=payload
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _coded(value: str, choices: Any) -> dict[str, str]:
    try:
        label = str(choices(value).label)
    except ValueError:
        label = value
    return {"code": value, "label": label}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _readable_answers(answers: dict[str, Any]) -> list[dict[str, str]]:
    """The answers as the person read them, in the questionnaire's order."""
    from carebridge.frontdoor.assessment.answers import summary_rows

    return [
        {"section": str(section), "question": str(label), "answer": str(value), "question_id": qid}
        for section, label, value, qid in summary_rows(answers)
    ]


def _reasons(assessment: dict[str, Any]) -> list[str]:
    reasons = assessment.get("reasons", []) if isinstance(assessment, dict) else []
    return [str(reason) for reason in reasons] if isinstance(reasons, list) else []


def _decision(request: FrontDoorRequest, event: RequestEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": _coded(event.kind, EventKind),
        "at": _utc(event.at),
        "by": event.by.full_name if event.by is not None else "",
        "reason": event.text[:REASON_LENGTH],
        "outcome": _coded(request.decision, Decision) if request.decision else None,
        "redirected_to": request.redirected_to,
    }


def _referral(request: FrontDoorRequest) -> dict[str, Any] | None:
    """A professional's referral: what they told the council beyond a resident's answers."""
    if not request.professional_kind:
        return None

    def risk(name: str) -> dict[str, Any]:
        answer = getattr(request, name)
        return {
            "answer": _coded(answer, RiskAnswer) if answer else None,
            "details": getattr(request, f"{name}_details"),
        }

    return {
        "professional_kind": _coded(request.professional_kind, ProfessionalKind),
        "email_confirmed": request.asker_email_confirmed,
        "nhs_number": request.person_nhs_number,
        "address": {
            "line_1": request.person_address_line_1,
            "line_2": request.person_address_line_2,
            "town": request.person_town,
            "postcode": request.postcode,
        },
        "gp_practice": request.gp_practice,
        "demographics_from_pds": request.demographics_from_pds,
        "presenting_need": request.presenting_need,
        "primary_support_reason": request.primary_support_reason or None,
        "current_services": request.current_services,
        "others_involved": request.others_involved,
        "risks": {
            "to_person": risk("risk_to_person"),
            "to_others": risk("risk_to_others"),
            "to_staff": risk("risk_to_staff"),
        },
        "sharing_basis": _coded(request.sharing_basis, SharingBasis)
        if request.sharing_basis
        else None,
        "sharing_basis_reason": request.sharing_basis_reason,
    }


def crm_payload(
    request: FrontDoorRequest, *, event: str = "submitted", decision: RequestEvent | None = None
) -> dict[str, Any]:
    """The JSON a CRM receives for a request (the schema is in `integrations.crm`), with the
    decision when it is a decision's push (this module's docstring)."""
    payload = _payload(request, event=event)
    if decision is not None:
        payload["decision"] = _decision(request, decision)
    return payload


def _payload(request: FrontDoorRequest, *, event: str) -> dict[str, Any]:
    council = request.council
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "event": event,
        "council": {"slug": council.slug, "name": council.name},
        "reference": request.reference,
        "submitted_at": _utc(request.submitted_at),
        "status": _coded(request.status, RequestStatus),
        "route": _coded(request.route, Route),
        "result": _coded(request.result, Result),
        "urgent": request.urgent,
        "assessment_requested": request.assessment_requested,
        "asked_by": {
            "type": request.asker,
            "type_label": _coded(request.asker, Asker)["label"],
            "name": request.asker_name,
            "organisation": request.professional_organisation,
            "role": request.professional_role,
            "email": request.asker_email,
            "phone": request.asker_phone,
        },
        "about": _coded(request.about, About),
        "person": {
            "name": request.person_name,
            "date_of_birth": _day(request.person_date_of_birth),
            "postcode": request.postcode,
            "email": request.person_email,
            "phone": request.person_phone,
        },
        "consent_to_share": request.consent_to_share,
        "referral": _referral(request),
        "answers": _readable_answers(request.answers),
        "answer_codes": request.answers,
        "assessment": {
            "ruleset_version": request.ruleset_version,
            "reasons": _reasons(request.assessment),
        },
    }
