"""The payments team's payment runs: the list (by status and period, newest first), preparing a
run, a run's page (who did what and when, totals per provider and contract, its lines a page at
a time with where each comes from, what is left out while it is open), its decisions (approve,
finalise, discard, prepare again), each a confirmation page that POSTs once to one service, and
its finance export (docs/decisions/0011-payment-runs.md, docs/finance-export.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.actuals.models import Period
from carebridge.core.bounds import parse_id
from carebridge.core.calendar import add_working_days, is_working_day, today
from carebridge.core.formats import guide_date
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.payments import services
from carebridge.payments.access import payment_run_for
from carebridge.payments.choices import RUN_TRANSITIONS, RunEvent, RunStatus
from carebridge.payments.finance_export import export_name, finance_csv, finance_rows
from carebridge.payments.forms_runs import ConfirmForm, PrepareAgainForm, PrepareForm, RunFilters
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.selectors import runs as selectors
from carebridge.payments.services.run_reads import run_exported, run_viewed

# The payments team's function: the runs pay what its invoice queue authorises.
RUN_FUNCTION = Function.INVOICES
NOT_FINALISED = "The finance export is ready once the run is finalised."
NOT_PREPARED = "Only a prepared run can be prepared again: prepare a new run for the period."


def _officer(request: HttpRequest, *, edit: bool = False) -> User:
    """A council's user whose role has the payments team's function; a provider's gets 403."""
    user = acting_user(request)
    require_function(user, RUN_FUNCTION, edit=edit)
    if user.council_id is None:
        raise PermissionDenied
    return user


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def period_label(period: Period) -> str:
    return f"{guide_date(period.start_date)} to {guide_date(period.end_date)}"


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    runs = selectors.runs_for(user)
    periods = Period.objects.filter(pk__in=runs.values("period_id")).order_by("-start_date")
    filters = RunFilters(
        request.GET, runs, periods=[(period.pk, period_label(period)) for period in periods]
    )
    return render(
        request,
        "payments/runs/list.html",
        {
            "page": page_of(request, filters.qs),
            "filters": filters.form,
            "chosen": filters.chosen(),
            "may_prepare": can_edit(user.role, RUN_FUNCTION),
        },
    )


def next_payment_day() -> date:
    """The prepare page's payment date until the officer gives one: the next working day."""
    return add_working_days(today(), 1)


def _open_run(user: User) -> PaymentRun | None:
    """The council's run in hand (Prepared or Approved): it has one at most."""
    return selectors.runs_for(user).filter(status__in=selectors.OPEN_STATUSES).first()


def _carried_out(form: Any, call: Any) -> Any:
    """Run a service; its errors and refusals go onto the form for the error summary."""
    try:
        return call()
    except ValidationError as error:
        form.add_errors(error)
    except services.PaymentsRefused as refusal:
        form.add_error(None, refusal.message)
    return None


def _live_run_of(user: User, period_id: int | None) -> PaymentRun | None:
    """The council's live (not discarded) run for a period, if it has one."""
    if period_id is None:
        return None
    runs = selectors.runs_for(user).exclude(status=RunStatus.DISCARDED)
    return runs.filter(period_id=period_id).first()


def _prepared_already(request: HttpRequest, user: User, run: PaymentRun) -> HttpResponse:
    """A second click on Prepare (or a colleague's run for the period a moment before): the
    run there is, unchanged, rather than a second run or the same one prepared again."""
    if run.status == RunStatus.PREPARED and run.prepared_by_id == user.pk:
        messages.success(request, _prepared_message(run))
    else:
        messages.info(request, f"This period already has payment run {run.reference}.")
    return redirect("payments:run_detail", pk=run.pk)


def _prepared_message(run: PaymentRun) -> str:
    return f"Payment run {run.reference} prepared: another payments officer approves it."


@require_http_methods(["GET", "POST"])
def run_prepare(request: HttpRequest) -> HttpResponse:
    """A new run for one of the council's ended periods without one."""
    user = _officer(request, edit=True)
    if request.method == "POST":
        existing = _live_run_of(user, parse_id(request.POST.get("period")))
        if existing is not None:
            return _prepared_already(request, user, existing)
    periods = selectors.periods_to_prepare(user)
    form = PrepareForm(
        request.POST if request.method == "POST" else None,
        periods=[(period.pk, period_label(period)) for period in periods],
        initial={"payment_date": next_payment_day()},
    )
    if request.method == "POST" and form.is_valid():
        period = next(p for p in periods if p.pk == form.cleaned_data["period"])
        run = _carried_out(
            form,
            lambda: services.run_prepare(
                by=user, period=period, payment_date=form.cleaned_data["payment_date"]
            ),
        )
        if run is not None:
            messages.success(request, _prepared_message(run))
            return redirect("payments:run_detail", pk=run.pk)
    return render(
        request,
        "payments/runs/prepare.html",
        {"form": form, "periods": periods, "open_run": _open_run(user)},
    )


def _provider_chosen(request: HttpRequest, providers: list[int]) -> int | None:
    """The provider whose lines the page shows, if the query string names one of the run's."""
    chosen = parse_id(request.GET.get("provider"))
    return chosen if chosen in providers else None


def _decisions(user: User, run: PaymentRun) -> list[tuple[str, Decision]]:
    """The decisions the page offers the user on the run, by its status."""
    if not can_edit(user.role, RUN_FUNCTION):
        return []
    offered = RUN_TRANSITIONS.events_from(run.status)
    return [
        (slug, decision)
        for slug, decision in DECISIONS.items()
        if (decision.event in offered or (decision.event is None and _may_prepare_again(run)))
        and not (decision.event == RunEvent.APPROVE and run.prepared_by_id == user.pk)
    ]


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    run = payment_run_for(user, pk)
    context = _run_context(run)
    chosen = _provider_chosen(request, [pk for pk, _name, _totals in context["providers"]])
    page = page_of(request, selectors.run_lines(run, provider_id=chosen), per_page=LONG_PAGE_SIZE)
    lines = [_line_row(line) for line in selectors.run_lines_shown(list(page.object_list))]
    # The lines name the council's clients: every view is audited, with how many it showed.
    run_viewed(run=run, by=user, lines=len(lines), ip=_ip(request))
    context.update(
        page=page,
        lines=lines,
        provider_chosen=chosen,
        decisions=_decisions(user, run),
        prepared_by_me=run.prepared_by_id == user.pk,
    )
    return render(request, "payments/runs/detail.html", context)


def _href(link: selectors.SourceLink) -> str:
    return reverse(link.url_name, args=link.args) if link.url_name else ""


def _line_row(line: PaymentLine) -> dict[str, Any]:
    """A line as the page lists it, with the page of its source."""
    link = selectors.line_source(line)
    return {"provider": line.provider.name, "line": line, "text": link.text, "href": _href(link)}


def _run_context(run: PaymentRun) -> dict[str, Any]:
    """What every page of a run shows: its totals per provider and contract, what the finance
    export would miss, and (while open) what it leaves out."""
    providers = selectors.run_provider_totals(run)
    left_out = selectors.run_left_out(run)
    return {
        "run": run,
        "providers": providers,
        "totals": selectors.total_of(totals for _pk, _name, totals in providers),
        "contracts": selectors.run_contract_totals(run),
        "missing": selectors.missing_finance_codes(run),
        "left_out": left_out,
        "left_out_rows": [
            (item, why, link.text, _href(link)) for item, why, link in left_out or []
        ],
        "lines_url": reverse("payments:run_detail", args=[run.pk]),
    }


@dataclass(frozen=True)
class Decision:
    """A decision on a run: its page, its button, what it says when done, and its event (none
    for preparing again, which keeps the run Prepared)."""

    event: RunEvent | None
    title: str
    button: str
    done: str
    warning: bool = False


DECISIONS = {
    "approve": Decision(
        RunEvent.APPROVE,
        "Approve this payment run",
        "Approve run",
        "Payment run approved: it can now be finalised.",
    ),
    "finalise": Decision(
        RunEvent.FINALISE,
        "Finalise this payment run",
        "Finalise run",
        "Payment run finalised: its lines are paid and its period is payment-processed.",
    ),
    "prepare-again": Decision(
        None,
        "Prepare this payment run again",
        "Prepare run again",
        "Payment run prepared again from its sources as they are now.",
    ),
    "discard": Decision(
        RunEvent.DISCARD,
        "Discard this payment run",
        "Discard run",
        "Payment run discarded: what it held can be paid by the period's next run.",
        warning=True,
    ),
}


def _may_prepare_again(run: PaymentRun) -> bool:
    return run.status == RunStatus.PREPARED


def seen_token(run: PaymentRun) -> str:
    """What a decision's page showed of the run: its status and last change."""
    return f"{run.status}|{run.changed_at.isoformat()}"


def _seen_moment(token: str) -> datetime | None:
    try:
        return datetime.fromisoformat(token.partition("|")[2])
    except ValueError:
        return None


def _done_already(decision: Decision, run: PaymentRun, token: str) -> bool:
    """Whether the run is already as the decision leaves it, since its page was shown: a
    double click (or a colleague's same decision) changes nothing more."""
    if decision.event is not None:
        return run.status == RUN_TRANSITIONS.target(decision.event)
    seen = _seen_moment(token)
    return run.status == RunStatus.PREPARED and seen is not None and run.prepared_at > seen


def _refusal(decision: Decision, user: User, run: PaymentRun) -> str | None:
    """Why the run's state refuses the decision, shown instead of its button."""
    if decision.event is None:
        if _may_prepare_again(run):
            return None
        return services.ALREADY.get(RunStatus(run.status), NOT_PREPARED)
    if not RUN_TRANSITIONS.allows(run.status, decision.event):
        return services.RUN_MOVE_REFUSED[decision.event]
    if decision.event == RunEvent.APPROVE and run.prepared_by_id == user.pk:
        return services.SAME_OFFICER
    return None


def _payment_day(run: PaymentRun) -> date:
    """Preparing again offers the run's payment date while it is still to come."""
    day = run.payment_date
    return day if day >= today() and is_working_day(day) else next_payment_day()


def _decided(decision: Decision, user: User, run: PaymentRun, form: Any) -> PaymentRun | None:
    # As seen: the page's token matched this very read of the run.
    if decision.event == RunEvent.APPROVE:
        call = lambda: services.run_approve(by=user, run=run, as_seen=True)  # noqa: E731
    elif decision.event == RunEvent.FINALISE:
        call = lambda: services.run_finalise(by=user, run=run, as_seen=True)  # noqa: E731
    elif decision.event == RunEvent.DISCARD:
        call = lambda: services.run_discard(by=user, run=run, as_seen=True)  # noqa: E731
    else:
        day = form.cleaned_data["payment_date"]
        call = lambda: services.run_prepare(by=user, period=run.period, payment_date=day)  # noqa: E731
    result: PaymentRun | None = _carried_out(form, call)
    return result


@require_http_methods(["GET", "POST"])
def run_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _officer(request, edit=True)
    run = payment_run_for(user, pk)
    chosen = DECISIONS.get(decision)
    if chosen is None:
        raise Http404("No such decision")
    posted = request.method == "POST"
    token = request.POST.get("seen", "") if posted else ""
    if posted and token != seen_token(run):
        if _done_already(chosen, run, token):
            messages.success(request, chosen.done)
        else:
            messages.error(request, services.RUN_CHANGED_SINCE_SEEN)
        return redirect("payments:run_detail", pk=run.pk)
    refusal = _refusal(chosen, user, run)
    data = request.POST if posted else None
    form: Any
    if chosen.event is None:
        form = PrepareAgainForm(data, initial={"payment_date": _payment_day(run)})
    else:
        form = ConfirmForm(data)
    if posted and refusal is not None and form.is_valid():
        # Refused on submit (the officer who prepared it approving, say): the error summary
        # says why, as well as the page.
        form.add_error(None, refusal)
    if posted and refusal is None and form.is_valid():
        done = _decided(chosen, user, run, form)
        if done is not None:
            messages.success(request, chosen.done)
            return redirect("payments:run_detail", pk=done.pk)
    context = _run_context(run)
    context.update(decision=chosen, slug=decision, form=form, refusal=refusal, seen=seen_token(run))
    return render(request, "payments/runs/decide.html", context)


@require_GET
def run_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The finalised run's finance export (docs/finance-export.md), streamed."""
    user = _officer(request)
    run = payment_run_for(user, pk)
    if run.status != RunStatus.FINALISED:
        messages.error(request, NOT_FINALISED)
        return redirect("payments:run_detail", pk=run.pk)
    rows = finance_rows(run)
    run_exported(run=run, by=user, rows=len(rows), ip=_ip(request))
    response = StreamingHttpResponse(finance_csv(run, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_name(run)}"'
    return response
