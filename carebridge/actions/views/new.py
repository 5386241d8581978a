"""A new action: with which council or provider, of what type, about which of the provider's
own things. The service (actions.services.action_create) checks and writes it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from carebridge.accounts.models import User
from carebridge.actions import selectors, services
from carebridge.actions.choices import OFFERED_KINDS, RelatedKind
from carebridge.actions.forms import ActionForm, entity_value
from carebridge.actions.models import ActionType
from carebridge.actions.views.labels import assigned_label, is_council
from carebridge.core import related_to
from carebridge.core.bounds import parse_id
from carebridge.core.http import HtmxHttpRequest, acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, require_function
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations.models import Council, Provider


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
    """Every thing an action with this council and provider may be about, by kind: the things
    actions holds, then those apps above it offer (an invoice), each kind only where there is
    one to choose."""
    found = {
        kind: [
            (entity_value(kind, obj.pk), _entity_label(kind, obj))
            for obj in selectors.related_choices(user, council, provider.pk, kind)
        ]
        for kind in OFFERED_KINDS
        if kind != RelatedKind.PROVIDER
    }
    for kind in related_to.choosable_kinds():
        options = related_to.choices(user, council, provider.pk, kind)
        if options:
            found[kind] = [(entity_value(kind, pk), label) for pk, label in options]
    return found


# The title Stockport's guide gives the action a residential or nursing provider sends its
# signed contract with (appendix 1).
SIGNED_CONTRACT_TITLE = "Signed contract attached"


def _initial(
    request: HttpRequest,
    kind: str,
    entities: dict[str, list[tuple[str, str]]],
    types: list[ActionType],
) -> dict[str, Any]:
    """What the form starts with: the thing (one of the user's own) and the type that the link
    which opened the page named."""
    initial: dict[str, Any] = {}
    if kind in entities:
        value = entity_value(kind, parse_id(request.GET.get("related_id")) or 0)
        if any(value == option for option, _label in entities[kind]):
            initial = {"related_kind": kind, "entity": value}
    elif kind == RelatedKind.PROVIDER:
        initial = {"related_kind": kind}
    return {**initial, **_type_initial(request, types)}


def _type_initial(request: HttpRequest, types: list[ActionType]) -> dict[str, Any]:
    """The type the link that opened the page chose (one of the council's types), and for the
    signed-contract type the guide's title."""
    wanted = parse_id(request.GET.get("action_type"))
    chosen = next((t for t in types if t.pk == wanted), None)
    if chosen is None:
        return {}
    initial: dict[str, Any] = {"action_type": chosen.pk}
    if chosen.is_signed_contract:
        initial["title"] = SIGNED_CONTRACT_TITLE
    return initial


def _counterpart(
    user: User, request: HttpRequest
) -> tuple[Council | None, Provider | None, list[Any]]:
    """The council and provider of the new action, or (when the user has several to choose
    from and has not chosen) the options to choose from."""
    source = request.POST if request.method == "POST" else request.GET
    if is_council(user):
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
    if is_council(user):
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
                "is_council": is_council(user),
                "related_kind": request.GET.get("related_kind", ""),
                "related_id": request.GET.get("related_id", ""),
            },
        )
    types = selectors.types_for(user, council)
    teams = None if is_council(user) else selectors.teams_for(user, council)
    entities = _entities(user, council, provider)
    kind = request.GET.get("related_kind", "")
    held = [held_kind for held_kind in related_to.choosable_kinds() if held_kind in entities]
    if request.htmx and request.method == "GET" and kind in (*OFFERED_KINDS, *held):
        # "Related to" was chosen: offer only that kind's entities.
        entities = {kind: entities.get(kind, [])}
        initial: dict[str, Any] = {"related_kind": kind}
    else:
        initial = {} if request.htmx else _initial(request, kind, entities, types)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        types=types,
        teams=teams,
        entities=entities,
        narrow_url=_counterpart_url(user, council, provider),
        held_kinds=held,
        due_date_required=services.due_date_required(user, council),
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
        "is_council": is_council(user),
        "several_councils": not is_council(user) and len(options) > 1,
    }
    return render(request, "actions/action_new.html", context)
