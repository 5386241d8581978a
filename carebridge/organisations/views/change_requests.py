"""Change requests on both sides: the provider's list of what it asked for and the answers, the
council's queue, a request with its values before and after, and the council's decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.core.calendar import now
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations import services
from carebridge.organisations.access import access_change_request
from carebridge.organisations.choices import (
    FIELD_LABELS,
    ChangeRequestKind,
    ChangeRequestStatus,
    function_of,
)
from carebridge.organisations.filters import CouncilRequestFilters, ProviderRequestFilters
from carebridge.organisations.focus import narrow
from carebridge.organisations.forms import RejectForm
from carebridge.organisations.models import ChangeRequest
from carebridge.organisations.selectors import (
    RECENTLY_DECIDED,
    change_requests_for_council,
    change_requests_for_provider,
    may_review_change_requests,
    providers_of_council,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

K = ChangeRequestKind
S = ChangeRequestStatus


def _may_open_list(user: User) -> bool:
    if user.provider_id is not None:
        return can_view(user.role, Function.ACTIONS)
    return may_review_change_requests(user)


@require_GET
def change_request_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not _may_open_list(user):
        raise PermissionDenied
    if user.provider_id is not None:
        at = now()
        # A provider of several councils that chose one sees its requests to that council.
        asked = narrow(change_requests_for_provider(user, at=at, historical=True), request)
        mine = ProviderRequestFilters(request.GET, asked, at=at)
        page = page_of(request, mine.qs)
        context = {
            "page": page,
            "historical": bool(mine.chosen()["historical"]),
            "recent_days": RECENTLY_DECIDED.days,
            "several_councils": len({r.council_id for r in page.object_list}) > 1,
        }
        return render(request, "organisations/change_request_list.html", context)
    assert user.council_id is not None
    providers = dict(
        providers_of_council(user.council_id).order_by("name").values_list("pk", "name")
    )
    queue = CouncilRequestFilters(
        request.GET, change_requests_for_council(user), providers=providers
    )
    chosen = queue.chosen()
    context = {
        "page": page_of(request, queue.qs),
        "providers": providers.items(),
        "provider": chosen["provider"],
        "statuses": S.choices,
        "status": chosen["status"] or "",
        "filtered": bool(chosen["status"] or chosen["provider"]),
    }
    return render(request, "organisations/change_request_queue.html", context)


def _may_decide(user: User, change_request: ChangeRequest) -> bool:
    return user.council_id == change_request.council_id and can_edit(
        user.role, function_of(change_request.kind)
    )


@require_GET
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    change_request = access_change_request(user, pk)
    may_decide = _may_decide(user, change_request) and change_request.is_pending
    stale = [
        FIELD_LABELS.get(field, field)
        for field in (services.stale_fields(change_request) if change_request.is_pending else [])
    ]
    context = {
        "change_request": change_request,
        "changes": change_request.changes(),
        "may_decide": may_decide,
        "stale": stale,
        "is_council": user.council_id is not None,
    }
    return render(request, "organisations/change_request_detail.html", context)


@require_POST
@rate_limited("e-mail-sending")
def change_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    change_request = access_change_request(user, pk, for_change=True)
    try:
        approved = services.change_request_approve(change_request=change_request, by=user)
    except services.ChangeRequestRefused as refused:
        messages.error(request, refused.message)
    except ValidationError as error:
        messages.error(
            request,
            "The change cannot be made: "
            + " ".join(error.messages)
            + " Reject the request, saying why, so the provider can raise it again.",
        )
    else:
        if approved.kind == K.NEW_CONTACT and approved.contact is not None:
            done = (
                f"Approved. {approved.contact.full_name} now has an account, and a link to set "
                f"it up has been e-mailed to {approved.contact.email}."
            )
        else:
            done = f"Approved. The change to {approved.entity_name} has been made."
        messages.success(request, done)
    return redirect("organisations:change_request_detail", pk=change_request.pk)


@require_http_methods(["GET", "POST"])
def change_request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    change_request = access_change_request(user, pk, for_change=True)
    form = RejectForm(request.POST if request.method == "POST" else None)
    refusal = services.decision_refusal(change_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_reject(
                change_request=change_request, by=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.ChangeRequestRefused as refused:
            refusal = refused
        else:
            messages.success(
                request,
                f"Rejected. {change_request.provider.name} can see your reason in its change "
                "requests.",
            )
            return redirect("organisations:change_request_detail", pk=change_request.pk)
    context = {
        "change_request": change_request,
        "changes": change_request.changes(),
        "form": form,
        "refusal": refusal.message if refusal else "",
    }
    return render(request, "organisations/change_request_reject.html", context)
