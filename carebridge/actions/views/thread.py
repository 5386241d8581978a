"""An action's thread with its related links, a post on it (each side's buttons), and an
attachment's download. Every write is a service in actions.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.actions import selectors, services
from carebridge.actions.access import access_action, access_attachment
from carebridge.actions.choices import PostKind
from carebridge.actions.forms import PostForm
from carebridge.actions.models import Action, Attachment, Post
from carebridge.actions.views.labels import assigned_label, is_council, related_to
from carebridge.actuals.access import paid_on_actuals
from carebridge.contracts.commitment import financial_year_of
from carebridge.core import calendar
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.core.ratelimits import rate_limited
from carebridge.people.models import ServiceUser

# The buttons under a thread, for each side, in the guide's order.
PROVIDER_BUTTONS = [
    (PostKind.COMMENT, "Comment"),
    (PostKind.REPLY, "Reply"),
    (PostKind.CLOSURE_REQUESTED, "Request closure"),
]
COUNCIL_BUTTONS = [
    (PostKind.COMMENT, "Comment"),
    (PostKind.REPLY, "Reply"),
    (PostKind.CLOSED, "Close"),
]


def _related_links(user: User, action: Action) -> list[tuple[str, str]]:
    """The guide's "Related links": the client's purchase orders and actuals, the service."""
    person: ServiceUser | None = action.service_user or (
        action.cpli.service_user if action.cpli else None
    )
    service = action.service or (action.cpli.service if action.cpli else None)
    links = []
    if person is not None and can_view(user.role, Function.PURCHASE_ORDERS):
        year = financial_year_of(calendar.today())
        links.append(
            (
                f"Purchase orders for {person.full_name}",
                reverse("cplis:po_detail", kwargs={"service_user_id": person.pk, "year": year}),
            )
        )
    if (
        service is not None
        and not is_council(user)
        and can_view(user.role, Function.ORGANISATION_DETAILS)
    ):
        links.append(
            (
                f"Service details for {service.name}",
                reverse("organisations:service_detail", kwargs={"pk": service.pk}),
            )
        )
    if (
        person is not None
        and not is_council(user)
        and can_view(user.role, Function.ACTUALS)
        and paid_on_actuals(action.provider_id, action.council_id)
    ):
        url = reverse("actuals:client", kwargs={"service_user_id": person.pk})
        if service is not None:
            url += f"?service={service.pk}"
            label = f"Actuals/Visits for {person.full_name} at {service.name}"
        else:
            label = f"Actuals/Visits for {person.full_name}"
        links.append((label, url))
    return links


def _thread(action: Action) -> list[Post]:
    return list(
        Post.objects.filter(action=action)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )


def _buttons(user: User) -> list[tuple[PostKind, str]]:
    return COUNCIL_BUTTONS if is_council(user) else PROVIDER_BUTTONS


def _post_form(user: User, action: Action, data: Any = None, files: Any = None) -> PostForm:
    teams = None if is_council(user) else selectors.teams_for(user, action.council)
    return PostForm(data, files, teams=teams)


def _may_post(user: User, action: Action) -> bool:
    return action.is_open and can_edit(user.role, Function.ACTIONS)


def _detail_context(user: User, action: Action, form: PostForm | None) -> dict[str, Any]:
    today = calendar.today()
    return {
        "action": action,
        "re": related_to(user, [action])[action.pk],
        "assigned": assigned_label(user, action),
        "overdue": action.is_overdue_on(today),
        "posts": _thread(action),
        "links": _related_links(user, action),
        "form": form,
        "buttons": _buttons(user),
        "can_post": _may_post(user, action),
        "is_council": is_council(user),
    }


@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    action = access_action(user, pk)
    services.action_viewed(by=user, action=action, ip=request.META.get("REMOTE_ADDR"))
    form = _post_form(user, action) if _may_post(user, action) else None
    return render(request, "actions/action_detail.html", _detail_context(user, action, form))


@require_http_methods(["GET", "POST"])
@rate_limited("e-mail-sending")
def action_post(request: HttpRequest, pk: int) -> HttpResponse:
    """The form for one button (GET ?kind=reply, for those who open it on its own page), and
    every button's submission (POST with the button's `kind`)."""
    user = acting_user(request)
    action = access_action(user, pk, for_change=True)
    buttons: dict[str, str] = {kind.value: label for kind, label in _buttons(user)}
    if not action.is_open:
        messages.error(request, services.CLOSED_MESSAGE)
        return redirect("actions:action_detail", pk=action.pk)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", "")
    if request.method == "GET":
        form = _post_form(user, action)
    else:
        form = _post_form(user, action, request.POST, request.FILES)
        # A kind the other side uses (a provider's "closed") goes on to the service, which
        # refuses it; one that is no kind at all is a missing choice.
        if kind not in PostKind.values or kind == PostKind.CREATED:
            form.add_error(None, "Choose what to do: " + ", ".join(buttons.values()).lower())
        elif form.is_valid():
            data = form.cleaned_data
            teams = selectors.teams_for(user, action.council)
            try:
                services.action_post(
                    by=user,
                    action=action,
                    kind=kind,
                    text=data["text"],
                    team=next((t for t in teams if t.pk == data.get("team")), None),
                    due_date=data["due_date"],
                    files=data["attachments"],
                    idempotency_key=key_from_form(request),
                )
            except ValidationError as error:
                form.add_errors(error)
            except services.ActionRefused as refused:
                messages.error(request, refused.message)
                return redirect("actions:action_detail", pk=action.pk)
            else:
                done = {
                    PostKind.COMMENT: "Your comment was added.",
                    PostKind.REPLY: "Your reply was sent.",
                    PostKind.CLOSURE_REQUESTED: "You asked the council to close this action.",
                    PostKind.CLOSED: "The action is closed.",
                }[PostKind(kind)]
                messages.success(request, done)
                return redirect("actions:action_detail", pk=action.pk)
    context = _detail_context(user, action, form)
    context["kind"] = kind if kind in buttons else ""
    context["kind_label"] = buttons.get(kind, "Add to this action")
    return render(request, "actions/action_post.html", context)


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    user = acting_user(request)
    attachment = access_attachment(user, pk)
    services.attachment_downloaded(
        by=user, attachment=attachment, ip=request.META.get("REMOTE_ADDR")
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
