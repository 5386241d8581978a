"""Subject access pages, for the council's information-governance officers: the list of
requests with their time left, finding a person, recording a request, its identity check,
extension, refusal and completion, and the export's one-off download. Every write is a service
in subjectaccess.services; every page naming a person is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts.models import User
from carebridge.audit.services import record_listed
from carebridge.core.calendar import now, today
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, require_function
from carebridge.subjectaccess import selectors, services
from carebridge.subjectaccess.access import access_export, access_person, access_request
from carebridge.subjectaccess.choices import OPEN_STATUSES, Requester
from carebridge.subjectaccess.export import export_zip
from carebridge.subjectaccess.forms import (
    CompleteForm,
    FindForm,
    ReasonForm,
    RequestForm,
    VerifyForm,
)
from carebridge.subjectaccess.models import SubjectAccessRequest
from carebridge.subjectaccess.services import SubjectAccessRefused

DECISIONS = {
    "verify": ("Verify identity", VerifyForm),
    "extend": ("Extend by two months", ReasonForm),
    "refuse": ("Refuse the request", ReasonForm),
    "complete": ("Complete the request", CompleteForm),
}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _officer(request: HttpRequest, *, edit: bool = False) -> User:
    user = acting_user(request)
    if user.council_id is None:
        raise PermissionDenied
    require_function(user, Function.SUBJECT_ACCESS, edit=edit)
    return user


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    status = request.GET.get("status", "open")
    rows = selectors.requests_list(user, status=status)
    return render(
        request,
        "subjectaccess/request_list.html",
        {"rows": rows, "status": status if status in {"open", "closed"} else "all"},
    )


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = FindForm(request.GET or None)
    people = None
    if form.is_bound and form.is_valid():
        people = selectors.people_find(user, **form.cleaned_data)
        # The names found are personal data read: one event in the council's log.
        record_listed(
            action="subject_access.people_found",
            by=user,
            counts={user.council_id: len(people)} if user.council_id else {},
            detail={"keys": sorted(k for k, v in form.cleaned_data.items() if v)},
            ip_address=_ip(request),
        )
    return render(request, "subjectaccess/find.html", {"form": form, "people": people})


@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    user = _officer(request, edit=True)
    person = access_person(user, person_pk)
    form = RequestForm(request.POST or None, initial={"requester": Requester.PERSON})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.subject_access_request_create(
                by=user,
                service_user=person,
                idempotency_key=key_from_form(request),
                **form.cleaned_data,
            )
        except SubjectAccessRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Request recorded: due {made.due_on:%-d %B %Y}")
            return redirect("subjectaccess:request_detail", pk=made.pk)
    return render(request, "subjectaccess/request_create.html", {"form": form, "person": person})


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    sar = access_request(user, pk)
    services.subject_access_request_viewed(by=user, request=sar, ip=_ip(request))
    downloads = sar.exports.filter(
        prepared_by=user, downloaded_at__isnull=True, expires_at__gt=now()
    )
    return render(
        request,
        "subjectaccess/request_detail.html",
        {
            "sar": sar,
            "row": selectors.request_row(sar, on=today()),
            "is_open": sar.status in OPEN_STATUSES,
            "downloads": list(downloads),
            "exports": list(sar.exports.select_related("prepared_by")),
        },
    )


def _decide(user: User, sar: SubjectAccessRequest, decision: str, data: dict) -> None:
    if decision == "verify":
        services.subject_access_identity_verify(
            by=user, request=sar, verified_on=data["verified_on"], method=data["method"]
        )
    elif decision == "extend":
        services.subject_access_request_extend(by=user, request=sar, reason=data["reason"])
    elif decision == "refuse":
        services.subject_access_request_refuse(by=user, request=sar, reason=data["reason"])
    else:
        services.subject_access_request_complete(by=user, request=sar)


@require_http_methods(["GET", "POST"])
def request_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _officer(request, edit=True)
    sar = access_request(user, pk)
    if decision not in DECISIONS:
        raise Http404("No such decision")
    title, form_class = DECISIONS[decision]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _decide(user, sar, decision, form.cleaned_data)
        except SubjectAccessRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"{title}: done")
            return redirect("subjectaccess:request_detail", pk=sar.pk)
    return render(
        request,
        "subjectaccess/request_decide.html",
        {"sar": sar, "form": form, "title": title, "decision": decision},
    )


@require_POST
def export_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request, edit=True)
    sar = access_request(user, pk)
    try:
        services.subject_access_export_prepare(
            by=user, request=sar, idempotency_key=key_from_form(request)
        )
    except SubjectAccessRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The export is ready: download it once, within the hour")
    return redirect("subjectaccess:request_detail", pk=sar.pk)


@require_POST
def export_download(request: HttpRequest, pk: int, export_pk: int) -> FileResponse:
    """The one-off download, a button on the request's page (a POST: using it up is a change,
    so no GET, prefetch or crawler can): built, claimed (once, by its officer), audited, then
    streamed."""
    user = _officer(request, edit=True)
    export = access_export(user, pk, export_pk)
    if export.expires_at <= now():
        raise Http404("This link has expired")
    archive, counts = export_zip(export.request)
    if not services.subject_access_export_claim(
        by=user, export=export, counts=counts, ip=_ip(request)
    ):
        archive.close()
        raise Http404("This link has been used")
    person = export.request.service_user
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"subject-access-{export.request_id}-{person.ss_ref}.zip",
        content_type="application/zip",
    )
