"""The provider's actuals pages: a week at a service (generate, edit the rows in place, save),
a client's Add/Edit page, and a period's exceptions and confirmation. The council's view of
who has confirmed is in views_council.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.accounts.models import User
from carebridge.actuals import selectors, services
from carebridge.actuals.forms import WeekFilters, field_name, parse_rows
from carebridge.actuals.periods import WEEK, today, week_of
from carebridge.actuals.rules import LABELS
from carebridge.core.bounds import parse_iso_date
from carebridge.core.formats import guide_date
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.choices import FrustratedReason
from carebridge.organisations.models import Council, Rulebook, Service
from carebridge.people import services as people
from carebridge.people.models import ServiceUser

FIELD_WORDS = {
    **LABELS,
    "visits": "Vst",
    "comments": "Comments",
    "frustrated_reason": "Frustrated reason",
    "aborted_visit_dates": "Aborted visit dates",
    "variation_code": "Variation code",
}


def _provider_user(request: HttpRequest, *, edit: bool = False) -> User:
    user = acting_user(request)
    require_function(user, Function.ACTUALS, edit=edit)
    if user.provider_id is None:
        raise PermissionDenied
    return user


def _provider_id(user: User) -> int:
    assert user.provider_id is not None
    return user.provider_id


def _week_start_day(user: User) -> int:
    """The weekday the provider's councils start their weeks on (Monday unless they say)."""
    day = (
        Rulebook.objects.filter(council__contracts__provider_id=_provider_id(user))
        .values_list("actuals_week_start", flat=True)
        .first()
    )
    return day if day is not None else 0


def _chosen_week(value: str | None, week_start: int) -> date:
    """The week asked for, or the default week when the date is missing, malformed or outside
    the years any care is recorded in (a week in year 1 or 9999 overflows the date arithmetic)."""
    day = parse_iso_date(value)
    return week_of(day, week_start) if day is not None else selectors.default_week(week_start)


def _chosen_service(user: User, value: str | None, services_: list[Service]) -> Service:
    if not services_:
        raise Http404("No services")
    for service in services_:
        if str(service.pk) == (value or ""):
            return service
    historical = selectors.actual_services_of(user, include_historical=True)
    for service in historical:
        if str(service.pk) == (value or ""):
            return service
    return services_[0]


def week_url(service: Service, week: date, **extra: Any) -> str:
    query = {"service": service.pk, "week": week.isoformat(), **extra}
    return f"{reverse('actuals:week')}?{urlencode({k: v for k, v in query.items() if v})}"


def _error_list(
    errors: dict[int, dict[str, str]], rows_by_cpli: dict[int, Any]
) -> list[tuple[str, str]]:
    """The error summary's entries: "Client, service level: message", linked to the input."""
    found = []
    for cpli_id, fields in errors.items():
        row = rows_by_cpli.get(cpli_id)
        who = f"{row.cpli.service_user.full_name}, {row.cpli.service_level.name}: " if row else ""
        for name, message in fields.items():
            target = name if name in FIELD_WORDS else "actual"
            found.append((f"#{field_name(cpli_id, target)}", f"{who}{message}"))
    return found


def _save(
    request: HttpRequest, user: User, cpli_ids: list[int], week: date
) -> tuple[dict[int, dict[str, str]], services.Saved | None, str]:
    """Parse and save the posted rows. Typing errors and rule errors are reported together;
    with any error nothing is saved."""
    entries, errors = parse_rows(request.POST, cpli_ids)
    items = [services.Item(cpli_id, week, entry, cpli_id) for cpli_id, entry in entries.items()]
    try:
        saved = services.actuals_save(user, items, dry_run=bool(errors))
    except services.ActualsInvalid as invalid:
        for ref, fields in invalid.errors.items():
            errors.setdefault(int(str(ref)), {}).update(fields)
        return errors, None, ""
    except services.ActualsRefused as refused:
        return errors, None, refused.message
    return errors, (None if errors else saved), ""


def _saved_message(saved: services.Saved) -> str:
    if not saved.changed:
        return "Nothing had changed: no actuals were saved."
    rows = "1 actual" if saved.changed == 1 else f"{saved.changed} actuals"
    return f"{rows} saved."


@require_http_methods(["GET", "POST"])
def week(request: HttpRequest) -> HttpResponse:
    user = _provider_user(request, edit=request.method == "POST")
    source = request.POST if request.method == "POST" else request.GET
    services_ = selectors.actual_services_of(user, include_historical="historical" in request.GET)
    service = _chosen_service(user, source.get("service"), services_)
    week_start_day = _week_start_day(user)
    chosen = _chosen_week(source.get("week"), week_start_day)

    errors: dict[int, dict[str, str]] = {}
    refusal = ""
    if request.method == "POST":
        cpli_ids = [int(pk) for pk in request.POST.getlist("rows") if pk.isdigit()]
        errors, saved, refusal = _save(request, user, cpli_ids, chosen)
        if saved is not None:
            messages.success(request, _saved_message(saved))
            page = request.POST.get("next_page") or request.POST.get("page") or ""
            return HttpResponseRedirect(
                week_url(service, chosen, **_kept_filters(request.POST), page=page)
            )

    levels = [(pk, name) for pk, name in selectors.week_levels(service, chosen)]
    filters = WeekFilters(source, levels=levels)
    chosen_filters = filters.values()
    data = selectors.week_page(
        user,
        service,
        chosen,
        service_level=chosen_filters["service_level"],
        client=chosen_filters["client"] or "",
        with_actuals=chosen_filters["with_actuals"],
        page_number=source.get("page"),
    )
    rows_by_cpli = {row.cpli.pk: row for group in data.groups for row in group.rows}
    _decorate(list(rows_by_cpli.values()), request.POST if errors else None, errors)
    month, calendar_weeks = selectors.month_weeks(chosen, week_start_day)
    context = {
        "data": data,
        "service": service,
        "services": services_,
        "historical": "historical" in request.GET,
        "week": chosen,
        "week_end": chosen + timedelta(days=6),
        "prev_week": chosen - WEEK,
        "next_week": chosen + WEEK,
        "this_week": week_of(today(), week_start_day),
        "month": month,
        "prev_month": (month - timedelta(days=1)).replace(day=1),
        "next_month": (month + timedelta(days=32)).replace(day=1),
        "calendar_weeks": calendar_weeks,
        "filters": filters,
        "chosen": chosen_filters,
        "filter_query": urlencode(_kept_filters(source)),
        "errors": errors,
        "error_list": _error_list(errors, rows_by_cpli),
        "refusal": refusal,
        "posted": request.POST if errors else None,
        "reasons": FrustratedReason.choices,
    }
    return render(request, "actuals/week.html", context, status=400 if errors or refusal else 200)


# The inputs of a row, in the order the guides' tables show them: (field, label, width class).
NUMBER_INPUTS = (
    ("actual", "Actual", "govuk-input--width-3"),
    ("frustrated", "Frstd", "govuk-input--width-3"),
    ("missed", "Msd", "govuk-input--width-3"),
    ("extra", "Xtr", "govuk-input--width-3"),
    ("visits", "Vst", "govuk-input--width-2"),
)


def _decorate(rows: list[selectors.Row], posted: Any, errors: dict[int, dict[str, str]]) -> None:
    """Give each row the values its inputs show (what was posted, when the page comes back with
    errors; else what is saved) and its errors, keyed by field."""
    for row in rows:
        pk = row.cpli.pk
        stored = row.entry
        if posted is not None:
            values = {name: posted.get(field_name(pk, name), "") for name in FIELD_WORDS}
        else:
            values = {name: stored.get(name, "") for name in FIELD_WORDS}
        row.values = values
        row.errors = errors.get(pk, {})
        who = f"{row.cpli.service_user.full_name}, {row.cpli.service_level.name}"
        row.inputs = [
            {
                "name": name,
                "id": field_name(pk, name),
                "label": f"{label} for {who}",
                "short": label,
                "value": values.get(name, ""),
                "error": row.errors.get(name, ""),
                "width": width,
            }
            for name, label, width in NUMBER_INPUTS
        ]
        row.who = who
        # The inputs under the figures: (field, label, grid column, whether a select). A variation
        # code is asked for only where the council allows extras.
        details = [
            ("comments", "Comments", "one-half", False),
            ("frustrated_reason", "Frustrated because", "one-quarter", True),
            ("aborted_visit_dates", "Aborted visit dates", "one-quarter", False),
        ]
        if row.extras_allowed:
            details.append(("variation_code", "Variation code", "one-quarter", False))
        row.detail = [
            {
                "id": field_name(pk, name),
                "label": label,
                "column": column,
                "select": select,
                "value": values.get(name, ""),
                "error": row.errors.get(name, ""),
            }
            for name, label, column, select in details
        ]


def _kept_filters(source: Any) -> dict[str, str]:
    return {
        name: source.get(name, "")
        for name in ("service_level", "client", "with_actuals")
        if source.get(name)
    }


@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    user = _provider_user(request, edit=True)
    services_ = selectors.actual_services_of(user, include_historical=True)
    service = _chosen_service(user, request.POST.get("service"), services_)
    chosen = _chosen_week(request.POST.get("week"), _week_start_day(user))
    councils = selectors.week_councils(service, chosen)
    named = len(councils) > 1
    asked = request.POST.get("council", "")
    if asked:
        # The button of one council's period; each council's period is generated on its own.
        councils = [pk for pk in councils if str(pk) == asked]
    if not councils:
        messages.info(request, "No lines run at this service in this week.")
    names = dict(Council.objects.filter(pk__in=councils).values_list("pk", "name"))
    for council_id in councils:
        weeks = selectors.generation_weeks(council_id, chosen)
        whose = f" for {names[council_id]}" if named else ""
        try:
            added = services.actuals_generate(
                user, weeks=weeks, service_id=service.pk, council_id=council_id
            )
        except services.ActualsRefused as refused:
            message = refused.message
            messages.error(request, f"{names[council_id]}: {message}" if named else message)
            continue
        if added:
            lines = "1 line" if added == 1 else f"{added} lines"
            when = (
                f"the week beginning {guide_date(weeks[0])}"
                if len(weeks) == 1
                else f"the weeks beginning {guide_date(weeks[0])} to {guide_date(weeks[-1])}"
            )
            messages.success(
                request, f"Actuals generated{whose} for {lines} from the plan for {when}."
            )
        else:
            messages.info(request, f"Every line{whose} already had its actuals for this week.")
    return HttpResponseRedirect(week_url(service, chosen))


@require_http_methods(["GET", "POST"])
def client(request: HttpRequest, service_user_id: int) -> HttpResponse:
    user = _provider_user(request, edit=request.method == "POST")
    source = request.POST if request.method == "POST" else request.GET
    services_ = selectors.actual_services_of(user, include_historical=True)
    service = _chosen_service(user, source.get("service"), services_)
    chosen = _chosen_week(source.get("week"), _week_start_day(user))
    person = ServiceUser.objects.filter(
        pk=service_user_id, cplis__provider_id=_provider_id(user)
    ).first()
    if person is None:
        raise Http404("No such client")
    people.service_user_viewed(
        person=person, by=user, via="actuals", ip=request.META.get("REMOTE_ADDR")
    )
    rows = selectors.client_rows(service, person, chosen)
    errors: dict[int, dict[str, str]] = {}
    refusal = ""
    if request.method == "POST":
        errors, saved, refusal = _save(request, user, [r.cpli.pk for r in rows], chosen)
        if saved is not None:
            messages.success(request, _saved_message(saved))
            return HttpResponseRedirect(request.get_full_path())
    _decorate(rows, request.POST if errors else None, errors)
    context = {
        "person": person,
        "rows": rows,
        "service": service,
        "week": chosen,
        "refusal_text": selectors.client_week_refusal(rows, chosen) if rows else "",
        "can_edit_rows": bool(rows)
        and can_edit(user.role, Function.ACTUALS)
        and not selectors.client_week_refusal(rows, chosen),
        "total": sum((r.actual.cost for r in rows if r.actual is not None), Decimal("0")),
        "errors": errors,
        "error_list": _error_list(errors, {r.cpli.pk: r for r in rows}),
        "refusal": refusal,
        "posted": request.POST if errors else None,
        "reasons": FrustratedReason.choices,
        "back": week_url(service, chosen),
        "can_raise_action": can_edit(user.role, Function.ACTIONS),
    }
    return render(request, "actuals/client.html", context, status=400 if errors or refusal else 200)


@require_http_methods(["GET"])
def period_list(request: HttpRequest) -> HttpResponse:
    user = _provider_user(request)
    periods = selectors.provider_periods(user)
    states = selectors.provider_confirmations(user, periods)
    return render(
        request,
        "actuals/period_list.html",
        {"rows": [(p, states[p.pk]) for p in periods]},
    )


@require_http_methods(["GET", "POST"])
def period(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider_user(request, edit=request.method == "POST")
    found = selectors.periods_visible_to(user).filter(pk=pk).select_related("council").first()
    if found is None:
        raise Http404("No such period")
    if request.method == "POST":
        try:
            services.actuals_confirm(user, found)
        except services.ActualsRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                f"Actuals confirmed for {found.council.name}, {guide_date(found.start_date)} to "
                f"{guide_date(found.end_date)}.",
            )
        return HttpResponseRedirect(reverse("actuals:period", args=[found.pk]))
    state = services.confirmation_state(_provider_id(user), found)
    exceptions = list(selectors.exceptions_of(user, found)[:500])
    return render(
        request,
        "actuals/period.html",
        {
            "period": found,
            "state": state,
            "exceptions": exceptions,
            "total": selectors.period_total(user, found),
            "in_progress": found.end_date >= today(),
            "over_percent": Rulebook.objects.get(
                council_id=found.council_id
            ).actuals_over_plan_percent,
        },
    )
