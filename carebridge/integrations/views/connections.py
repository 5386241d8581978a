"""A council administrator's pages for the council's own systems: the case-management system, the
Dataverse environment and the NHS Personal Demographics Service (secrets write-only; a signing secret shown once, when it is made), the
delivery log (every update and push, with "Send again" for one that failed) and the poll log.
The council's administrators only, and only their own council's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, require_function
from carebridge.integrations import case_updates, connections, crm, selectors
from carebridge.integrations.forms import (
    CaseSystemForm,
    DataverseForm,
    DeliveryFiltersForm,
    PdsForm,
    RetryForm,
)
from carebridge.integrations.models import CaseSystem, DataverseConnection, PdsConnection
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

PAGE_SIZE = 50


def _council_of(user: User) -> Council:
    require_function(user, Function.CONNECTIONS, edit=True)
    if user.council_id is None or user.council is None:
        raise PermissionDenied
    return user.council


def _case_system_initial(system: CaseSystem | None) -> dict[str, Any]:
    if system is None:
        return {"name": "Case management", "polling_enabled": True, "updates_enabled": True}
    # The API key is write-only: never put back into the page.
    return {name: getattr(system, name) for name in connections.CASE_SYSTEM_FIELDS}


def _case_system_save(council: Council, user: User, form: CaseSystemForm) -> str | None:
    """The new signing secret to show, "" when saved without one, None when refused."""
    if not form.is_valid():
        return None
    try:
        _system, secret = connections.case_system_update(
            council=council, by=user, **form.cleaned_data
        )
    except ValidationError as error:
        form.add_errors(error)
        return None
    return secret


@never_cache
@require_http_methods(["GET", "POST"])
def case_system(request: HttpRequest) -> HttpResponse:
    """The council's case-management system. A signing secret, when one is made, is in this one
    response and never shown again."""
    user = acting_user(request)
    council = _council_of(user)
    system = selectors.case_system_of(council)
    form = CaseSystemForm(initial=_case_system_initial(system))
    secret, problem = "", ""
    if request.method == "POST" and request.POST.get("do") == "secret":
        try:
            secret = connections.case_system_secret_renew(council=council, by=user)
        except ValidationError as error:
            problem = error.messages[0]
    elif request.method == "POST":
        form = CaseSystemForm(request.POST, initial=_case_system_initial(system))
        saved = _case_system_save(council, user, form)
        if saved == "":
            messages.success(request, "The case-management system is saved.")
            return redirect("integrations:case_system")
        secret = saved or ""
    if secret:
        system = selectors.case_system_of(council)
        form = CaseSystemForm(initial=_case_system_initial(system))
    context = {
        "form": form,
        "system": system,
        "council": council,
        "secret": secret,
        "problem": problem,
        "interval": selectors.poll_interval(council),
        "current": "case_system",
    }
    return render(request, "integrations/case_system.html", context)


def _dataverse_initial(connection: DataverseConnection | None) -> dict[str, Any]:
    if connection is None:
        return {"enabled": True}
    # The client secret is write-only: never put back into the page.
    return {name: getattr(connection, name) for name in connections.DATAVERSE_FIELDS}


@never_cache
@require_http_methods(["GET", "POST"])
def dataverse(request: HttpRequest) -> HttpResponse:
    """The council's Dynamics 365 / Dataverse environment, for its front-door requests."""
    user = acting_user(request)
    council = _council_of(user)
    connection = selectors.dataverse_of(council)
    form = DataverseForm(initial=_dataverse_initial(connection))
    if request.method == "POST":
        form = DataverseForm(request.POST, initial=_dataverse_initial(connection))
        if form.is_valid():
            try:
                connections.dataverse_update(council=council, by=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, "The Dataverse connection is saved.")
                return redirect("integrations:dataverse")
    context = {
        "form": form,
        "connection": connection,
        "council": council,
        "current": "dataverse",
    }
    return render(request, "integrations/dataverse.html", context)


def _pds_initial(connection: PdsConnection | None) -> dict[str, Any]:
    if connection is None:
        return {"enabled": True, "trusted_email_domains": "nhs.net"}
    # The private key is write-only: never put back into the page.
    return {name: getattr(connection, name) for name in connections.PDS_FIELDS}


@never_cache
@require_http_methods(["GET", "POST"])
def pds(request: HttpRequest) -> HttpResponse:
    """The council's access to the NHS Personal Demographics Service, which fills a person's
    details from their NHS number on the professionals' front door."""
    user = acting_user(request)
    council = _council_of(user)
    connection = selectors.pds_of(council)
    form = PdsForm(initial=_pds_initial(connection))
    if request.method == "POST":
        form = PdsForm(request.POST, initial=_pds_initial(connection))
        if form.is_valid():
            try:
                connections.pds_update(council=council, by=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, "The NHS demographics connection is saved.")
                return redirect("integrations:pds")
    context = {"form": form, "connection": connection, "council": council, "current": "pds"}
    return render(request, "integrations/pds.html", context)


def _retry(request: HttpRequest, council: Council, user: User) -> str:
    """Send one undelivered row again; what the page then says. Sending again a row delivered
    meanwhile, or twice, changes nothing more: the outbox never posts a row twice."""
    form = RetryForm(request.POST)
    if not form.is_valid():
        raise Http404
    kind, pk = form.cleaned_data["kind"], form.cleaned_data["id"]
    if kind == selectors.CASE:
        update = selectors.retryable_case_update(council, pk)
        sent = update is not None and case_updates.case_update_retry(update=update, by=user)
    else:
        push = selectors.retryable_crm_delivery(council, pk)
        sent = push is not None and crm.crm_delivery_retry(delivery=push, by=user)
    return "It is being sent again." if sent else "It was delivered already: nothing to send."


@never_cache
@require_http_methods(["GET", "POST"])
def deliveries(request: HttpRequest) -> HttpResponse:
    """The delivery log: the updates sent to the council's case-management system and the pushes
    to its CRM, newest first, with the tries and the last error of each."""
    user = acting_user(request)
    council = _council_of(user)
    if request.method == "POST":
        messages.success(request, _retry(request, council, user))
        # Back to the same filters and page, so the row just sent again is in view.
        query = request.GET.urlencode()
        return redirect(request.path + (f"?{query}" if query else ""))
    filters = DeliveryFiltersForm(request.GET)
    chosen = filters.chosen()
    page = page_of(
        request,
        selectors.deliveries(council, status=chosen["status"], system=chosen["system"]),
        per_page=PAGE_SIZE,
    )
    rows = selectors.delivery_rows(list(page.object_list))
    connections.log_read_record(
        council=council,
        by=user,
        log="delivery_log",
        rows=sum(1 for row in rows if row.delivery.last_error),
        page=page.number,
    )
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "chosen": chosen,
        "council": council,
        "query": request.GET.urlencode(),
        "current": "deliveries",
    }
    return render(request, "integrations/deliveries.html", context)


@require_GET
def polls(request: HttpRequest) -> HttpResponse:
    """The poll log: each poll of the council's referral feed and what came of it."""
    user = acting_user(request)
    council = _council_of(user)
    page = page_of(request, selectors.polls(council), per_page=PAGE_SIZE)
    connections.log_read_record(
        council=council,
        by=user,
        log="poll_log",
        rows=sum(1 for poll in page.object_list if poll.refusals or poll.error),
        page=page.number,
    )
    context = {
        "page": page,
        "council": council,
        "system": selectors.case_system_of(council),
        "interval": selectors.poll_interval(council),
        "current": "polls",
    }
    return render(request, "integrations/polls.html", context)
