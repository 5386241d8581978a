"""The actions pages: the inbox (the provider's, or the council team's), a new action, an
action's thread with its related links, a post on it, and an attachment's download. Every write
is a service in actions.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.accounts.models import User
from carebridge.actions import selectors, services
from carebridge.actions.access import access_action, access_attachment
from carebridge.actions.choices import PostKind, RelatedKind
from carebridge.actions.filters import InboxFilters
from carebridge.actions.forms import ActionForm, PostForm, entity_value
from carebridge.actions.models import Action, Attachment, Post
from carebridge.contracts.commitment import financial_year_of
from carebridge.core import calendar
from carebridge.core.bounds import parse_id
from carebridge.core.http import HtmxHttpRequest
from carebridge.core.idempotency import key_from_form
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations.models import Council, Provider
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


def _is_council(user: User) -> bool:
    return user.council_id is not None


def related_label(action: Action) -> str:
    """The guide's "Re:" column: "Diamond Home Care - Marple (Service)"."""
    related: Any = action.related
    kind = RelatedKind(action.related_kind)
    if kind == RelatedKind.CLIENT:
        name = related.full_name
    elif kind == RelatedKind.CPLI:
        name = f"{related.service_user.full_name}: {related.description}"
    elif kind == RelatedKind.CONTRACT_DOCUMENT:
        name = related.reference
    elif kind == RelatedKind.CONTACT:
        name = related.full_name or related.email
    else:
        name = str(related)
    return f"{name} ({kind.label})"


def assigned_label(user: User, action: Action) -> str:
    if action.assigned_team_id is None:
        return "Provider" if not _is_council(user) else action.provider.name
    assert action.assigned_team is not None
    return (
        f"Council ({action.assigned_team.name})"
        if not _is_council(user)
        else (action.assigned_team.name)
    )


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.ACTIONS)
    filters = InboxFilters(request.GET, selectors.inbox(user), user=user)
    page = page_of(request, filters.qs.values_list("pk", flat=True))
    actions = selectors.inbox_rows(list(page.object_list))
    today = calendar.today()
    rows = [
        {
            "action": action,
            "re": related_label(action),
            "assigned": assigned_label(user, action),
            "overdue": action.is_open and action.due_date < today,
        }
        for action in actions
    ]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters.form,
        "chosen": filters.chosen(),
        "is_council": _is_council(user),
        "can_raise": can_edit(user.role, Function.ACTIONS),
    }
    return render(request, "actions/action_list.html", context)


def _entity_label(kind: str, obj: Any) -> str:
    if kind == RelatedKind.CLIENT:
        return str(obj)
    if kind == RelatedKind.CPLI:
        return f"{obj.service_user.last_name}, {obj.service_user.first_name}: {obj.description}"
    if kind == RelatedKind.CONTACT:
        return obj.full_name or obj.email
    if kind == RelatedKind.CONTRACT_DOCUMENT:
        return obj.reference
    return str(obj)


def _entities(user: User, council: Council, provider: Provider) -> dict[str, list[tuple[str, str]]]:
    """Every thing an action with this council and provider may be about, by kind."""
    return {
        kind: [
            (entity_value(kind, obj.pk), _entity_label(kind, obj))
            for obj in selectors.related_choices(user, council, provider.pk, kind)
        ]
        for kind in RelatedKind.values
        if kind != RelatedKind.PROVIDER
    }


def _counterpart(
    user: User, request: HttpRequest
) -> tuple[Council | None, Provider | None, list[Any]]:
    """The council and provider of the new action, or (when the user has several to choose
    from and has not chosen) the options to choose from."""
    source = request.POST if request.method == "POST" else request.GET
    if _is_council(user):
        council = user.council
        providers = list(
            Provider.objects.filter(contracts__council=council).distinct().order_by("name")
        )
        chosen = source.get("provider", "")
        provider = next((p for p in providers if str(p.pk) == chosen), None)
        if provider is None and len(providers) == 1:
            provider = providers[0]
        return council, provider, providers
    councils = selectors.councils_of(user)
    wanted = source.get("council", "")
    council = next((c for c in councils if c.slug == wanted), None)
    if council is None and len(councils) == 1:
        council = councils[0]
    return council, user.provider, councils


def _counterpart_url(user: User, council: Council, provider: Provider) -> str:
    """This page's address for the same council and provider."""
    url = reverse("actions:action_new")
    if _is_council(user):
        return f"{url}?provider={provider.pk}"
    return f"{url}?council={council.slug}"


@require_http_methods(["GET", "POST"])
@rate_limited("e-mail-sending")
def action_new(request: HtmxHttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.ACTIONS, edit=True)
    council, provider, options = _counterpart(user, request)
    if council is None or provider is None:
        return render(
            request,
            "actions/action_choose.html",
            {
                "options": options,
                "is_council": _is_council(user),
                "related_kind": request.GET.get("related_kind", ""),
                "related_id": request.GET.get("related_id", ""),
            },
        )
    types = selectors.types_for(user, council)
    teams = None if _is_council(user) else selectors.teams_for(user, council)
    entities = _entities(user, council, provider)
    initial: dict[str, Any] = {}
    kind = request.GET.get("related_kind", "")
    if request.htmx and request.method == "GET" and kind in RelatedKind.values:
        # "Related to" was chosen: offer only that kind's entities.
        entities = {kind: entities.get(kind, [])}
        initial = {"related_kind": kind}
    if kind in entities and not request.htmx:
        value = entity_value(kind, parse_id(request.GET.get("related_id")) or 0)
        if any(value == option for option, _label in entities[kind]):
            initial = {"related_kind": kind, "entity": value}
    elif kind == RelatedKind.PROVIDER:
        initial = {"related_kind": kind}
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        types=types,
        teams=teams,
        entities=entities,
        narrow_url=_counterpart_url(user, council, provider),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = services.NewAction(
            council=council,
            provider=provider,
            action_type=next(t for t in types if t.pk == data["action_type"]),
            related_kind=data["related_kind"],
            related_id=data["related_id"],
            due_date=data["due_date"],
            team=next((t for t in teams or [] if t.pk == data.get("team")), None),
            title=data["title"],
            text=data["text"],
        )
        try:
            action = services.action_create(
                by=user,
                new=new,
                files=data["attachments"],
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, f"Action raised: it is assigned to {assigned_label(user, action)}."
            )
            return redirect("actions:action_detail", pk=action.pk)
    context = {
        "form": form,
        "council": council,
        "provider": provider,
        "is_council": _is_council(user),
        "several_councils": not _is_council(user) and len(options) > 1,
    }
    return render(request, "actions/action_new.html", context)


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
        and not _is_council(user)
        and can_view(user.role, Function.ORGANISATION_DETAILS)
    ):
        links.append(
            (
                f"Service details for {service.name}",
                reverse("organisations:service_detail", kwargs={"pk": service.pk}),
            )
        )
    if person is not None and not _is_council(user) and can_view(user.role, Function.ACTUALS):
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
    return COUNCIL_BUTTONS if _is_council(user) else PROVIDER_BUTTONS


def _post_form(user: User, action: Action, data: Any = None, files: Any = None) -> PostForm:
    teams = None if _is_council(user) else selectors.teams_for(user, action.council)
    return PostForm(data, files, teams=teams)


def _may_post(user: User, action: Action) -> bool:
    return action.is_open and can_edit(user.role, Function.ACTIONS)


def _detail_context(user: User, action: Action, form: PostForm | None) -> dict[str, Any]:
    today = calendar.today()
    return {
        "action": action,
        "re": related_label(action),
        "assigned": assigned_label(user, action),
        "overdue": action.is_open and action.due_date < today,
        "posts": _thread(action),
        "links": _related_links(user, action),
        "form": form,
        "buttons": _buttons(user),
        "can_post": _may_post(user, action),
        "is_council": _is_council(user),
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
