"""Everything the council holds about one person, read class by class for the export: each
class a query scoped to the request's council and person, read row by row (never a whole table
in memory), every row as the audit log's JSON-safe snapshot of its fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from carebridge.actions.models import Action, Attachment, Post
from carebridge.actuals.models import Actual, PackageReview
from carebridge.audit.models import Event
from carebridge.audit.services import snapshot
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.people.models import ServiceUser
from carebridge.referrals.models import Referral
from carebridge.subjectaccess.models import SubjectAccessRequest

CHUNK = 500
Row = dict[str, Any]


@dataclass(frozen=True)
class RecordClass:
    key: str  # its name in data.json
    title: str  # its heading in the PDF
    rows: Callable[[SubjectAccessRequest], Iterator[Row]]


def _each(queryset: models.QuerySet[Any]) -> Iterator[Any]:
    return queryset.iterator(chunk_size=CHUNK)


def _person(request: SubjectAccessRequest) -> Iterator[Row]:
    person = ServiceUser.objects.get(pk=request.service_user_id, council_id=request.council_id)
    yield snapshot(person)


def _referrals(request: SubjectAccessRequest) -> Iterator[Row]:
    referrals = Referral.objects.filter(
        council_id=request.council_id, service_user_id=request.service_user_id
    ).prefetch_related("events")
    for referral in referrals.order_by("pk"):
        yield {
            **snapshot(referral),
            "history": [snapshot(event) for event in referral.events.order_by("pk")],
        }


def _front_door_requests_about(request: SubjectAccessRequest) -> models.QuerySet[FrontDoorRequest]:
    """The council's front-door requests about the person: those linked to their record, and a
    professional's referral giving their NHS number that no one has linked yet."""
    person = ServiceUser.objects.get(pk=request.service_user_id, council_id=request.council_id)
    about = models.Q(service_user_id=person.pk)
    if person.nhs_number:
        about |= models.Q(person_nhs_number=person.nhs_number)
    return FrontDoorRequest.objects.filter(about, council_id=request.council_id)


def _front_door_requests(request: SubjectAccessRequest) -> Iterator[Row]:
    asked = _front_door_requests_about(request).prefetch_related("events")
    for each in asked.order_by("pk"):
        yield {**snapshot(each), "history": [snapshot(e) for e in each.events.order_by("pk")]}


def _documents(request: SubjectAccessRequest) -> Iterator[Row]:
    documents = ContractDocument.objects.filter(
        council_id=request.council_id, service_user_id=request.service_user_id
    )
    yield from (snapshot(document) for document in _each(documents.order_by("pk")))


def _cplis(request: SubjectAccessRequest) -> Iterator[Row]:
    cplis = Cpli.objects.filter(
        council_id=request.council_id, service_user_id=request.service_user_id
    )
    yield from (snapshot(cpli) for cpli in _each(cplis.order_by("pk")))


def _actuals(request: SubjectAccessRequest) -> Iterator[Row]:
    actuals = Actual.objects.filter(
        council_id=request.council_id, service_user_id=request.service_user_id
    )
    yield from (snapshot(actual) for actual in _each(actuals.order_by("week_start", "pk")))


def _package_reviews(request: SubjectAccessRequest) -> Iterator[Row]:
    reviews = PackageReview.objects.filter(
        council_id=request.council_id, service_user_id=request.service_user_id
    )
    yield from (snapshot(review) for review in _each(reviews.order_by("pk")))


def actions_about(request: SubjectAccessRequest) -> models.QuerySet[Action]:
    """Actions whose client is the person, or about one of their CPLIs or contract documents."""
    person = request.service_user_id
    return Action.objects.filter(council_id=request.council_id).filter(
        models.Q(service_user_id=person)
        | models.Q(cpli__service_user_id=person)
        | models.Q(contract_document__service_user_id=person)
    )


def _actions(request: SubjectAccessRequest) -> Iterator[Row]:
    for action in actions_about(request).order_by("pk"):
        posts = []
        for post in Post.objects.filter(action=action).order_by("pk"):
            files = Attachment.objects.filter(post=post).order_by("pk")
            posts.append({**snapshot(post), "attachments": [snapshot(f) for f in files]})
        yield {**snapshot(action), "posts": posts}


def _ids(queryset: models.QuerySet[Any]) -> list[str]:
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


def _audit_events(request: SubjectAccessRequest) -> Iterator[Row]:
    """The log's events about the person's record and the records about them: who changed and
    who viewed what, when."""
    council, person = request.council_id, request.service_user_id
    about = {
        "people.serviceuser": [str(person)],
        "referrals.referral": _ids(
            Referral.objects.filter(council_id=council, service_user_id=person)
        ),
        "frontdoor.frontdoorrequest": _ids(_front_door_requests_about(request)),
        "contracts.contractdocument": _ids(
            ContractDocument.objects.filter(council_id=council, service_user_id=person)
        ),
        "contracts.cpli": _ids(Cpli.objects.filter(council_id=council, service_user_id=person)),
        "actions.action": _ids(actions_about(request)),
    }
    match = models.Q(pk__in=[])
    for object_type, ids in about.items():
        if ids:
            match |= models.Q(object_type=object_type, object_id__in=ids)
    events = Event.objects.filter(match).order_by("at", "pk")
    for event in _each(events):
        yield {
            "at": event.at.isoformat(),
            "who": event.actor_label or "The system",
            "action": event.action,
            "record": event.object_type,
            "record_id": event.object_id,
            "record_label": event.object_label,
            "before": event.before,
            "after": event.after,
            "detail": event.detail,
        }


RECORD_CLASSES: tuple[RecordClass, ...] = (
    RecordClass("service_user", "Service user record", _person),
    RecordClass("referrals", "Referrals and their history", _referrals),
    RecordClass("front_door_requests", "Front-door requests", _front_door_requests),
    RecordClass("contract_documents", "Contract documents", _documents),
    RecordClass("cplis", "Care package line items", _cplis),
    RecordClass("actuals", "Actuals", _actuals),
    RecordClass("package_reviews", "Package reviews", _package_reviews),
    RecordClass("actions", "Actions about them", _actions),
    RecordClass("audit_events", "Who changed or viewed their records", _audit_events),
)
