"""The provider's week at a service: its rows edited in place and saved, the filters, and
Generate actuals; and a client's Add/Edit page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.actuals import selectors, services
from carebridge.actuals.filters import WeekFilters, kept_filters
from carebridge.actuals.periods import WEEK, week_of
from carebridge.actuals.selectors.week import HELD_ONLY
from carebridge.actuals.views.common import (
    chosen_service,
    chosen_week,
    first_weekday,
    provider_id,
    provider_user,
    week_url,
)
from carebridge.actuals.views.rows import (
    add_row_links,
    decorate,
    error_list,
    save_rows,
    saved_message,
)
from carebridge.core.calendar import today
from carebridge.core.formats import guide_date
from carebridge.core.http import return_path
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.focus import chosen_council_id
from carebridge.organisations.models import Council
from carebridge.people import services as people
from carebridge.people.models import ServiceUser


@require_http_methods(["GET", "POST"])
def week(request: HttpRequest) -> HttpResponse:
    user = provider_user(request, edit=request.method == "POST")
    source = request.POST if request.method == "POST" else request.GET
    services_ = selectors.actual_services_of(user, include_historical="historical" in request.GET)
    if not services_:
        # A provider with no care packages yet reaches the page from the menu: say so.
        return render(request, "actuals/no_services.html")
    service = chosen_service(user, source.get("service"), services_)
    week_start_day = first_weekday(user)
    chosen = chosen_week(source.get("week"), week_start_day)

    errors: dict[int, dict[str, str]] = {}
    refusal = ""
    if request.method == "POST":
        cpli_ids = [int(pk) for pk in request.POST.getlist("rows") if pk.isdigit()]
        errors, saved, refusal = save_rows(request, user, cpli_ids, chosen)
        if saved is not None:
            messages.success(request, saved_message(saved))
            go_to = request.POST.get("next_page") or request.POST.get("page") or ""
            return HttpResponseRedirect(
                week_url(service, chosen, **kept_filters(request.POST), page=go_to)
            )

    # A provider of several councils that chose one sees that council's lines and period only.
    council_id = chosen_council_id(request)
    lines = selectors.week_lines(service, chosen, council_id)
    filters = WeekFilters(
        source,
        selectors.week_cplis(service, chosen, council_id),
        levels=lines.levels(),
        week_actuals=selectors.week_actuals(service, chosen, council_id),
    )
    kept = filters.kept()
    page = page_of(request, lines.clients(kept), per_page=LONG_PAGE_SIZE)
    data = selectors.week_page(user, service, chosen, lines=lines, page=page, kept=kept)
    rows_by_cpli = {row.cpli.pk: row for group in data.groups for row in group.rows}
    decorate(list(rows_by_cpli.values()), request.POST if errors else None, errors)
    add_row_links(user, list(rows_by_cpli.values()))
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
        "chosen": filters.chosen(),
        "filter_query": urlencode(kept_filters(source)),
        "errors": errors,
        "error_list": error_list(errors, rows_by_cpli),
        "refusal": refusal,
        "posted": request.POST if errors else None,
    }
    return render(request, "actuals/week.html", context, status=400 if errors or refusal else 200)


@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    user = provider_user(request, edit=True)
    services_ = selectors.actual_services_of(user, include_historical=True)
    service = chosen_service(user, request.POST.get("service"), services_)
    chosen = chosen_week(request.POST.get("week"), first_weekday(user))
    councils = selectors.week_councils(service, chosen, chosen_council_id(request))
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
    user = provider_user(request, edit=request.method == "POST")
    source = request.POST if request.method == "POST" else request.GET
    services_ = selectors.actual_services_of(user, include_historical=True)
    service = chosen_service(user, source.get("service"), services_)
    chosen = chosen_week(source.get("week"), first_weekday(user))
    person = ServiceUser.objects.filter(
        pk=service_user_id, cplis__provider_id=provider_id(user)
    ).first()
    if person is None:
        raise Http404("No such client")
    people.service_user_viewed(
        person=person, by=user, via="actuals", ip=request.META.get("REMOTE_ADDR")
    )
    rows = selectors.client_rows(service, person, chosen)
    # In a processed period only the rows an open dispute holds may change (the others are
    # marked not editable), so only theirs are read from the form.
    week_refusal = selectors.client_week_refusal(rows, chosen) if rows else ""
    # A dispute's Add/Edit sends the provider here and wants them back once the rows are saved.
    returning = return_path(request.GET.get("return"))
    errors: dict[int, dict[str, str]] = {}
    refusal = ""
    if request.method == "POST":
        posted = [r.cpli.pk for r in rows if r.editable]
        errors, saved, refusal = save_rows(request, user, posted, chosen)
        if saved is not None:
            messages.success(request, saved_message(saved))
            return HttpResponseRedirect(returning or request.get_full_path())
    decorate(rows, request.POST if errors else None, errors)
    add_row_links(user, rows)
    context = {
        "person": person,
        "rows": rows,
        "service": service,
        "week": chosen,
        "refusal_text": week_refusal or (HELD_ONLY if any(not r.editable for r in rows) else ""),
        "can_edit_rows": bool(rows) and can_edit(user.role, Function.ACTUALS) and not week_refusal,
        "total": sum((r.actual.cost for r in rows if r.actual is not None), Decimal("0")),
        "errors": errors,
        "error_list": error_list(errors, {r.cpli.pk: r for r in rows}),
        "refusal": refusal,
        "posted": request.POST if errors else None,
        "back": returning or week_url(service, chosen),
        "can_raise_action": can_edit(user.role, Function.ACTIONS),
    }
    return render(request, "actuals/client.html", context, status=400 if errors or refusal else 200)
