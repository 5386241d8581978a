"""A provider's API keys, for its own systems (rostering, call monitoring): the list, making one
(its key shown once, with how to use it) and revoking one after a confirmation.

Only the provider's Super Users (both roles) may see or use these pages: a key acts with its
maker's rights. Every read is scoped to the acting user's provider; every write is one call of
integrations.services, audited there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.core.formats import guide_datetime
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.integrations import services
from carebridge.integrations.models import ApiToken

if TYPE_CHECKING:
    from carebridge.accounts.models import User


class ApiTokenForm(GovForm):
    name = forms.CharField(
        label="Name",
        help_text="Which system will use the key, for example Rostering or Call monitoring.",
        max_length=services.NAME_MAX,
        error_messages={
            "required": "Enter the name of the system that will use the key",
            "max_length": f"Name must be {services.NAME_MAX} characters or fewer",
        },
    )


def _manager(request: HttpRequest) -> tuple[User, int]:
    """A Super User of a provider, and the provider's id: everyone else is refused."""
    user = acting_user(request)
    if user.provider_id is None or not services.may_manage_keys(user, user.provider_id):
        raise PermissionDenied
    return user, user.provider_id


def _tokens_of(provider_id: int) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(provider_id=provider_id).select_related("created_by")


def _token_of(provider_id: int, pk: int) -> ApiToken:
    token = _tokens_of(provider_id).filter(pk=pk).first()
    if token is None:
        raise Http404("No such API key")
    return token


@require_http_methods(["GET"])
def token_list(request: HttpRequest) -> HttpResponse:
    user, provider_id = _manager(request)
    tokens = list(_tokens_of(provider_id).order_by("revoked_at", "-created_at", "-pk"))
    for token in tokens:
        # A key answers 403 once its maker has left or lost the role: say so beside it.
        maker = token.created_by
        token.works = token.revoked_at is None and (  # type: ignore[attr-defined]
            maker is not None and services.may_manage_keys(maker, provider_id)
        )
    return render(
        request,
        "integrations/tokens.html",
        {"provider": user.provider, "tokens": tokens},
    )


@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    user, _provider_id = _manager(request)
    provider = user.provider
    assert provider is not None
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.api_token_create(
                provider=provider,
                name=form.cleaned_data["name"],
                by=user,
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        except PermissionError as error:
            raise PermissionDenied from error
        else:
            if not key:
                messages.info(
                    request,
                    f"You made the key {token.name} ({token.prefix}…) already, at "
                    f"{guide_datetime(token.created_at)}. It was shown then and cannot be shown "
                    "again: if nobody copied it, revoke it and make a new one.",
                )
                return redirect("api_tokens:list")
            # Shown in this answer only, never in an address or the session; the page is not
            # kept by the browser (Cache-Control: no-store, core.middleware).
            return render(
                request,
                "integrations/tokens_made.html",
                {"provider": provider, "token": token, "key": key},
            )
    return render(request, "integrations/tokens_create.html", {"provider": provider, "form": form})


@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user, provider_id = _manager(request)
    token = _token_of(provider_id, pk)
    if request.method == "POST":
        already = token.revoked_at is not None
        try:
            services.api_token_revoke(token=token, by=user)
        except PermissionError as error:
            raise PermissionDenied from error
        messages.success(
            request,
            f"The key {token.name} ({token.prefix}…) was revoked already."
            if already
            else f"The key {token.name} ({token.prefix}…) is revoked: calls with it are refused "
            "from now on.",
        )
        return redirect("api_tokens:list")
    return render(
        request,
        "integrations/tokens_revoke.html",
        {"provider": user.provider, "token": token},
    )
