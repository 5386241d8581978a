"""The front-door officers' pages: the council's queue, a request with everything the person
answered, and each triage step. Every write is a service in
frontdoor.requests.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.calendar import now
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.frontdoor.access import access_request
from carebridge.frontdoor.assessment.answers import summary_rows
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.choices import OPEN_STEPS, RequestStatus
from carebridge.frontdoor.hubs.selectors import bookings_of_request
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests import selectors, services
from carebridge.frontdoor.requests.filters import QueueFilters
from carebridge.frontdoor.requests.forms import (
    NEW,
    AcceptForm,
    AppropriateForm,
    CloseForm,
    InformationForm,
    MoveForm,
    NoteForm,
    RedirectForm,
)
from carebridge.frontdoor.requests.services import routing


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.FRONT_DOOR)
    assert user.council_id is not None  # require_function: council staff only
    teams = selectors.routed_teams(user.council_id)
    filters = QueueFilters(request.GET, selectors.queue(user), teams=teams, my_team_id=user.team_id)
    page = page_of(request, filters.qs)
    office = selectors.office_of(user.council_id)
    states = selectors.due_states(page.object_list, office, now())
    return render(
        request,
        "frontdoor/request_list.html",
        {
            "page": page,
            "filters": filters.form,
            "chosen": filters.chosen(),
            "can_edit": can_edit(user.role, Function.FRONT_DOOR),
            "has_teams": bool(teams),
            "rows": [(each, states.get(each.pk)) for each in page.object_list],
            "office": office,
        },
    )


# Each triage step: its form, its button, and which statuses offer it.
STEPS: dict[str, dict[str, Any]] = {
    "open": {
        "title": "Start looking at this request",
        "form": None,
        "button": "Start looking at it",
    },
    "information": {
        "title": "Ask for more information",
        "form": InformationForm,
        "button": "Send the question",
    },
    "accept": {
        "title": "Accept for assessment",
        "form": AcceptForm,
        "button": "Accept for assessment",
    },
    "redirect": {
        "title": "Redirect to another service",
        "form": RedirectForm,
        "button": "Redirect",
    },
    "close": {"title": "Close the request", "form": CloseForm, "button": "Close the request"},
    "move": {"title": "Move to another team", "form": MoveForm, "button": "Move the request"},
    "note": {"title": "Add a note", "form": NoteForm, "button": "Add note"},
    "appropriate": {
        "title": "Record whether the referral was appropriate",
        "form": AppropriateForm,
        "button": "Save",
    },
}


def _steps_for(front_door_request: FrontDoorRequest) -> list[tuple[str, str]]:
    offered = OPEN_STEPS.get(RequestStatus(front_door_request.status), ())
    if front_door_request.status in selectors.OPEN_STATUSES:
        # Any open request can move to another of the council's front-door teams.
        offered = (*offered, "move")
    return [(step, STEPS[step]["title"]) for step in offered]


def _form(step: str, front_door_request: FrontDoorRequest, data: Any = None) -> Any:
    form_class = STEPS[step]["form"]
    if form_class is None:
        return None
    if form_class is AcceptForm:
        return AcceptForm(data, matches=selectors.matching_service_users(front_door_request))
    if form_class is MoveForm:
        teams = selectors.routed_teams(front_door_request.council_id)
        others = [team for team in teams if team.pk != front_door_request.team_id]
        return MoveForm(data, teams=others)
    if form_class is AppropriateForm and front_door_request.appropriate is not None:
        initial = {"appropriate": "yes" if front_door_request.appropriate else "no"}
        return AppropriateForm(data, initial=initial)
    return form_class(data)


def _detail_context(front_door_request: FrontDoorRequest, user: Any) -> dict[str, Any]:
    office = selectors.office_of(front_door_request.council_id)
    return {
        "fdr": front_door_request,
        "office": office,
        "due": selectors.due_states([front_door_request], office, now()).get(front_door_request.pk),
        "assessment": Assessment.from_json(front_door_request.assessment)
        if front_door_request.assessment
        else None,
        "rows": summary_rows(front_door_request.answers),
        "events": list(front_door_request.events.select_related("by")),
        "bookings": list(bookings_of_request(front_door_request.pk)),
        "crm": list(front_door_request.crm_deliveries.order_by("created_at")),
        "steps": _steps_for(front_door_request) if can_edit(user.role, Function.FRONT_DOOR) else [],
        # Accepted: the person can be referred to a provider by whoever sends referrals.
        "can_refer": front_door_request.service_user_id is not None
        and can_edit(user.role, Function.REFERRALS),
    }


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    front_door_request = access_request(user, pk)
    services.request_viewed(request=front_door_request, by=user, ip=request.META.get("REMOTE_ADDR"))
    return render(
        request, "frontdoor/request_detail.html", _detail_context(front_door_request, user)
    )


def _do(
    step: str,
    front_door_request: FrontDoorRequest,
    user: Any,
    data: dict[str, Any],
    *,
    key: str | None = None,
) -> str:
    """Run the step's service; the message to show."""
    if step == "open":
        services.request_open(request=front_door_request, by=user)
        return "You are looking at this request: the person sees it is being looked at."
    if step == "information":
        services.information_request(request=front_door_request, by=user, text=data["text"])
        return "Your question was sent to the person."
    if step == "accept":
        chosen = data["service_user"]
        person = None
        new = None
        if chosen == NEW:
            new = services.NewServiceUser(
                ss_ref=data["ss_ref"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
            )
        else:
            person = selectors.council_service_user(front_door_request, int(chosen))
            if person is None:
                raise ValidationError({"service_user": "Select the person, or add them as new"})
        services.request_accept(
            request=front_door_request, by=user, service_user=person, new=new, text=data["text"]
        )
        return "Accepted for assessment."
    if step == "redirect":
        services.request_redirect(
            request=front_door_request, by=user, to=data["redirected_to"], text=data["text"]
        )
        return "The request is closed: the person was redirected."
    if step == "close":
        services.request_close(request=front_door_request, by=user, text=data["text"])
        return "The request is closed."
    if step == "move":
        team = selectors.routed_team(front_door_request.council_id, int(data["team"]))
        if team is None:
            raise ValidationError({"team": "Select the team to move it to"})
        routing.request_team_move(
            request=front_door_request, by=user, team=team, reason=data["reason"]
        )
        return f"The request is moved to {team.name}, who were e-mailed about it."
    if step == "note":
        services.request_note(
            request=front_door_request, by=user, text=data["text"], idempotency_key=key
        )
        return "Your note was added."
    services.request_appropriate_set(
        request=front_door_request, by=user, appropriate=data["appropriate"]
    )
    return "Saved."


@require_http_methods(["GET", "POST"])
def request_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = acting_user(request)
    front_door_request = access_request(user, pk, for_change=True)
    if step not in STEPS:
        raise Http404("No such step")
    if step not in dict(_steps_for(front_door_request)):
        messages.error(
            request,
            f"This request is “{front_door_request.get_status_display()}”: "
            f"you cannot {STEPS[step]['title'][0].lower()}{STEPS[step]['title'][1:]} now.",
        )
        return redirect("frontdoor:request_detail", pk=front_door_request.pk)
    form = _form(step, front_door_request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            done = _do(
                step,
                front_door_request,
                user,
                form.cleaned_data if form else {},
                key=key_from_form(request),
            )
        except ValidationError as error:
            assert form is not None
            form.add_errors(error)
        except services.RequestRefused as refused:
            messages.error(request, refused.message)
            return redirect("frontdoor:request_detail", pk=front_door_request.pk)
        else:
            messages.success(request, done)
            return redirect("frontdoor:request_detail", pk=front_door_request.pk)
    services.request_viewed(request=front_door_request, by=user, ip=request.META.get("REMOTE_ADDR"))
    context = _detail_context(front_door_request, user)
    context.update(
        step=step, step_title=STEPS[step]["title"], button=STEPS[step]["button"], form=form
    )
    return render(request, "frontdoor/request_step.html", context)
