"""Disputes' pages. The council's: raise a dispute on a provider's rows of a period, its list
of disputes, a dispute with Resolve and Reopen, each a confirmation page carrying what the
officer saw. The provider's: its list (open ones first) and a dispute with its rows, each
amended on the actuals page (the actuals rules apply there), its response and Request
resolution. Either side's: the action on which a dispute is talked through. Every write is a
service in disputes.services; every view of a dispute is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.core.calendar import add_working_days, today
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_view, require_function
from carebridge.core.ratelimits import rate_limited
from carebridge.disputes import selectors, services
from carebridge.disputes.access import dispute_for, require_disputes_offered
from carebridge.disputes.choices import TRANSITIONS, DisputeEvent, DisputeStatus
from carebridge.disputes.filters import DisputeFilters
from carebridge.disputes.forms import (
    DialogueForm,
    RaiseForm,
    ReopenForm,
    ResolveForm,
    ResponseForm,
)
from carebridge.disputes.models import Dispute
from carebridge.organisations.focus import chosen_council


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _provider(request: HttpRequest) -> User:
    """A provider's user whose role sees actuals; a council's user has the council's pages."""
    user = acting_user(request)
    require_function(user, Function.ACTUALS)
    if user.provider_id is None:
        raise PermissionDenied
    # Not to a provider no council (or not the one it looks at) pays on actuals.
    chosen = chosen_council(request)
    require_disputes_offered(user, chosen.pk if chosen is not None else None)
    return user


def _council(request: HttpRequest, *, decide: bool = False) -> User:
    """A council's user who sees actuals or contract documents (to raise or decide: one who
    may raise disputes); a provider's user has its own pages."""
    user = acting_user(request)
    if user.council_id is None:
        raise PermissionDenied
    if decide:
        if not services.may_raise_dispute(user, user.council_id):
            raise PermissionDenied
    elif not (
        can_view(user.role, Function.ACTUALS) or can_view(user.role, Function.CONTRACT_DOCUMENTS)
    ):
        raise PermissionDenied
    return user


def _viewed(request: HttpRequest, user: User, dispute: Dispute) -> None:
    # The rows name the provider's clients: every view is audited.
    services.dispute_viewed(by=user, dispute=dispute, ip=_ip(request))


def _list(request: HttpRequest, user: User, template: str, **extra: Any) -> HttpResponse:
    for_council = user.council_id is not None
    filters = DisputeFilters(
        request.GET,
        # A provider of several councils that chose one sees that council's disputes only.
        selectors.disputes_for(user, council=chosen_council(request)),
        providers=selectors.dispute_providers(user) if for_council else None,
    )
    # Newest first (an aggregate drops the model's own ordering).
    listed = filters.qs.annotate(
        row_count=Count("rows"),
        first_week=Min("rows__actual__week_start"),
        last_week=Max("rows__actual__week_start"),
    ).order_by("-raised_at", "-pk")
    page = page_of(request, listed)
    context = {"page": page, "filters": filters.form, "chosen": filters.chosen(), **extra}
    return render(request, template, context)


@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = _provider(request)
    return _list(request, user, "disputes/list.html")


@require_GET
def council_list(request: HttpRequest) -> HttpResponse:
    user = _council(request)
    may_raise = services.may_raise_dispute(user, user.council_id or 0)
    return _list(request, user, "disputes/council_list.html", may_raise=may_raise)


def _amend_link(dispute: Dispute, row: Any) -> str:
    """The actuals page of the row's client and week, which brings the provider back here."""
    query = {
        "service": row.actual.service_id,
        "week": row.actual.week_start.isoformat(),
        "return": reverse("disputes:dispute_detail", args=[dispute.pk]),
    }
    url = reverse("actuals:client", args=[row.actual.service_user_id])
    return f"{url}?{urlencode(query)}"


def _dialogue(user: User, dispute: Dispute) -> dict[str, str]:
    """The dispute page's way to its further dialogue: the linked action's thread, for one who
    reads actions; else, with none linked, Raise an action about this dispute, for one who may."""
    if dispute.action_id is not None:
        readable = can_view(user.role, Function.ACTIONS)
        return {
            "url": reverse("actions:action_detail", args=[dispute.action_id]) if readable else ""
        }
    if services.may_start_dialogue(user, dispute):
        return {"start_url": reverse("disputes:dispute_action", args=[dispute.pk])}
    return {}


def _dispute_context(user: User, dispute: Dispute, **extra: Any) -> dict[str, Any]:
    rows = list(selectors.dispute_rows(dispute))
    return {
        "dispute": dispute,
        "rows": rows,
        "is_open": dispute.is_open,
        "dialogue": _dialogue(user, dispute),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's dispute: its rows with Add/Edit while it is open, and, In Dispute, the
    response and Request resolution (for those who may answer it)."""
    user = _provider(request)
    dispute = dispute_for(user, pk)
    may_answer = services.may_answer_dispute(user, dispute.provider_id)
    answering = may_answer and dispute.status == DisputeStatus.IN_DISPUTE
    if request.method == "POST" and not answering:
        if not may_answer:
            raise PermissionDenied
        messages.error(request, _why_not_answering(dispute))
        return redirect("disputes:dispute_detail", pk=dispute.pk)
    form = ResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_request_resolution(
                by=user, dispute=dispute, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.DisputeRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("disputes:dispute_detail", pk=dispute.pk)
        else:
            messages.success(request, "Resolution requested: the council reads your response.")
            return redirect("disputes:dispute_detail", pk=dispute.pk)
    _viewed(request, user, dispute)
    context = _dispute_context(
        user, dispute, form=form if answering else None, may_amend=may_answer
    )
    if may_answer and dispute.is_open:
        context["rows"] = [(row, _amend_link(dispute, row)) for row in context["rows"]]
    else:
        context["rows"] = [(row, None) for row in context["rows"]]
    status = 400 if form.errors else 200
    return render(request, "disputes/detail.html", context, status=status)


def _why_not_answering(dispute: Dispute) -> str:
    if dispute.status == DisputeStatus.RESOLVED:
        return services.MOVE_REFUSED[DisputeEvent.REQUEST_RESOLUTION]
    return "You have requested resolution of this dispute already: the council has it."


@dataclass(frozen=True)
class Decision:
    """A decision of the council on a dispute: its page, its button, its form and service."""

    event: DisputeEvent
    title: str
    button: str
    done: str
    form: type[GovForm]


DECISIONS = {
    "resolve": Decision(
        DisputeEvent.RESOLVE,
        "Resolve this dispute",
        "Resolve dispute",
        "Dispute resolved: its rows are paid at their value now.",
        ResolveForm,
    ),
    "reopen": Decision(
        DisputeEvent.REOPEN,
        "Reopen this dispute",
        "Reopen dispute",
        "Dispute reopened: the provider reads your note and answers again.",
        ReopenForm,
    ),
}


def seen_token(dispute: Dispute) -> str:
    """What a decision's page showed of the dispute: its last change, sent back with the
    decision (with its status: two moves within one tick of the clock still differ)."""
    return f"{dispute.status}@{dispute.changed_at.isoformat()}"


def _decisions(user: User, dispute: Dispute) -> list[tuple[str, Decision]]:
    if not services.may_raise_dispute(user, dispute.council_id):
        return []
    offered = TRANSITIONS.events_from(dispute.status)
    return [(slug, each) for slug, each in DECISIONS.items() if each.event in offered]


@require_GET
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _council(request)
    dispute = dispute_for(user, pk)
    _viewed(request, user, dispute)
    context = _dispute_context(user, dispute, decisions=_decisions(user, dispute))
    context["rows"] = [(row, None) for row in context["rows"]]
    return render(request, "disputes/council_detail.html", context)


def _decide(chosen: Decision, user: User, dispute: Dispute, note: str) -> Dispute:
    # As seen: the page's token matched this very read of the dispute.
    if chosen.event == DisputeEvent.RESOLVE:
        return services.dispute_resolve(by=user, dispute=dispute, note=note, as_seen=True)
    return services.dispute_reopen(by=user, dispute=dispute, note=note, as_seen=True)


@require_http_methods(["GET", "POST"])
def council_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _council(request, decide=True)
    dispute = dispute_for(user, pk)
    chosen = DECISIONS.get(decision)
    if chosen is None:
        raise Http404("No such decision")
    back = redirect("disputes:council_detail", pk=dispute.pk)
    if chosen.event not in TRANSITIONS.events_from(dispute.status):
        messages.error(request, services.MOVE_REFUSED[chosen.event])
        return back
    if request.method == "POST" and request.POST.get("seen") != seen_token(dispute):
        # The provider answered (or another officer decided) since this page showed it: the
        # officer looks again rather than decide on what they did not see.
        messages.error(request, services.CHANGED_SINCE_SEEN)
        return back
    form = chosen.form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _decide(chosen, user, dispute, form.cleaned_data["note"])
        except ValidationError as error:
            form.add_errors(error)
        except services.DisputeRefused as refusal:
            messages.error(request, refusal.message)
            return back
        else:
            messages.success(request, chosen.done)
            return back
    _viewed(request, user, dispute)
    context = _dispute_context(user, dispute, decision=chosen, form=form, seen=seen_token(dispute))
    context["rows"] = [(row, None) for row in context["rows"]]
    status = 400 if form.errors else 200
    return render(request, "disputes/council_decide.html", context, status=status)


@require_http_methods(["GET", "POST"])
def dispute_raise(request: HttpRequest, period_id: int, provider_id: int) -> HttpResponse:
    """The provider's rows of the period with a box each (a row in an open dispute says so
    instead), the council's reasons and the details."""
    user = _council(request, decide=True)
    rows = selectors.rows_to_dispute(user, period_id=period_id, provider_id=provider_id)
    if not rows:
        raise Http404("No actuals of this provider in this period")
    held = selectors.open_disputes_of(rows[0].council_id, (row.pk for row in rows))
    council = rows[0].council
    # Only a dispute raised saves a council's first catalogue: the page itself writes nothing.
    reasons = (
        services.dispute_reasons_ensure(council, by=user)
        if request.method == "POST"
        else selectors.dispute_catalogue_for(council)
    )
    form = RaiseForm(
        request.POST if request.method == "POST" else None,
        # Held rows too: a repeat of the form that raised them finds its dispute (the form
        # token), and a row held meanwhile is refused by the service naming it.
        row_ids=[row.pk for row in rows],
        reasons=reasons,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            raised = services.dispute_raise(
                by=user,
                reason=next(each for each in reasons if each.label == data["reason"]),
                details=data["details"],
                actual_ids=data["rows"],
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.DisputeRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "Dispute raised: the provider sees it on its Disputes page.")
            return redirect("disputes:council_detail", pk=raised.pk)
    services.dispute_rows_listed(
        by=user,
        council_id=council.pk,
        provider_id=provider_id,
        period_id=period_id,
        rows=len(rows),
        ip=_ip(request),
    )
    chosen = {str(pk) for pk in (request.POST.getlist("rows") if form.is_bound else [])}
    context = {
        "form": form,
        "period": rows[0].period,
        "provider": rows[0].provider,
        "rows": [(row, held.get(row.pk), str(row.pk) in chosen) for row in rows],
    }
    status = 400 if form.errors else 200
    return render(request, "disputes/raise.html", context, status=status)


# The due date an action about a dispute is first offered with, in working days.
DIALOGUE_DUE_IN_DAYS = 5


@require_http_methods(["GET", "POST"])
@rate_limited("e-mail-sending")
def dispute_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side raises the action on which the dispute is talked through (its first post and
    due date); once the dispute has one, this address goes to its thread."""
    user = acting_user(request)
    dispute = dispute_for(user, pk)
    if dispute.action_id is not None:
        return redirect("actions:action_detail", pk=dispute.action_id)
    if not services.may_start_dialogue(user, dispute):
        raise PermissionDenied
    form = DialogueForm(
        request.POST if request.method == "POST" else None,
        initial={"due_date": add_working_days(today(), DIALOGUE_DUE_IN_DAYS)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.dispute_action_start(
                by=user,
                dispute=dispute,
                text=form.cleaned_data["text"],
                due_date=form.cleaned_data["due_date"],
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.DisputeRefused as refusal:
            current = dispute_for(user, pk)
            if current.action_id is not None:
                # The other side raised one a moment ago: the dialogue goes on there.
                messages.error(request, refusal.message)
                return redirect("actions:action_detail", pk=current.action_id)
            form.add_error(None, refusal.message)
        else:
            team = action.assigned_team
            to = team.name if team is not None else action.provider.name
            messages.success(request, f"Action raised: it is assigned to {to}.")
            return redirect("actions:action_detail", pk=action.pk)
    context = {
        "dispute": dispute,
        "form": form,
        "back": selectors.dispute_page_for(user, dispute),
        "is_council": user.council_id is not None,
    }
    status = 400 if form.errors else 200
    return render(request, "disputes/action_start.html", context, status=status)
