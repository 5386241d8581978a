"""The public front door (no log-in): the start page, one question a page, check your
answers, the result with signposting, tracking a request and feedback. Every write is a
service in frontdoor.requests.services; the answers so far live in the session until they are sent."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.idempotency import key_from_form
from carebridge.core.ratelimits import rate_limited
from carebridge.frontdoor.assessment import answers as answering
from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.assessment import rules as e
from carebridge.frontdoor.assessment.eligibility import Assessment, assess
from carebridge.frontdoor.assessment.pages import Question
from carebridge.frontdoor.choices import EventKind, RequestStatus, Result, Route
from carebridge.frontdoor.directory.selectors import area_for, signposting_for
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.forms_public import (
    AskAssessmentForm,
    FeedbackForm,
    InformationGiveForm,
    TrackForm,
)
from carebridge.frontdoor.requests.selectors import public_council, request_for_tracking
from carebridge.frontdoor.requests.views import public_professional as pro
from carebridge.organisations.models import Council

SESSION_KEY = "front_door"


# --- The session's journey -----------------------------------------------------------------------


def _journey(request: HttpRequest, council: Council) -> dict[str, Any]:
    """This council's journey in the session: {"answers": {...}, "sent": pk, "tracking": [pks]}."""
    store = request.session.setdefault(SESSION_KEY, {})
    return store.setdefault(council.slug, {"answers": {}, "sent": None, "tracking": []})


def session_requests(request: HttpRequest, council: Council) -> set[int]:
    """The requests this browser sent or proved it may track: the only ones it may link to."""
    journey = request.session.get(SESSION_KEY, {}).get(council.slug, {})
    return {pk for pk in [journey.get("sent"), *journey.get("tracking", [])] if pk}


def _save(request: HttpRequest) -> None:
    request.session.modified = True


_question_url = pro.question_url


def _next_url(council: Council, answers: dict[str, Any], current: str, change: bool) -> str:
    if change:
        # Back to the check page, unless the changed answer opened new questions.
        missing = answering.first_unanswered(answers)
        if missing is None:
            return reverse("care:check", kwargs={"council": council.slug})
        return _question_url(council, missing, change=True)
    following = answering.next_question(answers, current)
    if following is None:
        return reverse("care:check", kwargs={"council": council.slug})
    return _question_url(council, following)


def _back_url(council: Council, answers: dict[str, Any], question: Question, change: bool) -> str:
    if change:
        return reverse("care:check", kwargs={"council": council.slug})
    previous = answering.previous_question(answers, question.id)
    if previous is None:
        return reverse("care:start", kwargs={"council": council.slug})
    return _question_url(council, previous)


@login_not_required
@require_GET
def start(request: HttpRequest, council: str) -> HttpResponse:
    found, settings = public_council(council)
    return render(
        request,
        "frontdoor/start.html",
        {
            "council": found,
            "settings": settings,
            "questions_url": _question_url(found, questions.first_question()),
        },
    )


_ADDRESS_BOXES = (
    ("line1", "Address line 1", "", "address-line1"),
    ("line2", "Address line 2 (optional)", "", "address-line2"),
    ("town", "Town or city", "govuk-!-width-two-thirds", "address-level2"),
    ("postcode", "Postcode", "govuk-input--width-10", "postal-code"),
)


def _field_view(question: Question, answers: dict[str, Any], value: Any) -> dict[str, Any]:
    """What the question template needs: texts in the right voice, and each choice ticked."""
    chosen = value if isinstance(value, list) else [value]
    day = month = year = ""
    if question.kind == "date" and isinstance(value, list) and len(value) == 3:
        day, month, year = value
    elif question.kind == "date" and isinstance(value, str) and value.count("-") == 2:
        year, month, day = value.split("-")
        month, day = str(int(month)), str(int(day))
    given = value if question.kind == "address" and isinstance(value, list) else []
    address = [
        {"part": part, "label": label, "width": width, "autocomplete": complete, "value": text}
        for (part, label, width, complete), text in zip(
            _ADDRESS_BOXES, [*given, "", "", "", ""], strict=False
        )
    ]
    return {
        "question": question,
        # GOV.UK marks the questions people may skip, not the ones they must answer.
        "heading": question.heading_for(answers) + ("" if question.required else " (optional)"),
        "section": question.section_for(answers),
        "hint": question.hint_for(answers),
        "choices": [
            {
                "value": c.value,
                "label": c.label,
                "hint": c.hint,
                "exclusive": c.exclusive,
                "checked": c.value in chosen,
            }
            for c in question.choices_for(answers)
        ],
        "value": value if isinstance(value, str) else "",
        "day": day,
        "month": month,
        "year": year,
        "address_fields": address,
    }


def _posted(request: HttpRequest, page: Question) -> Any:
    """What the page's form sent: a list of its boxes for a date or an address."""
    if page.kind in ("date", "address"):
        parts = ("day", "month", "year") if page.kind == "date" else answering.ADDRESS_PARTS
        return [request.POST.get(f"{page.id}-{part}", "") for part in parts]
    return request.POST.getlist(page.id)


@login_not_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    found, settings = public_council(council)
    if slug in (pro.SEND_SLUG, pro.CODE_SLUG):
        response = pro.confirm_page(request, found, settings, _journey(request, found), slug)
        if request.method == "POST":
            _save(request)
        return response
    page = questions.by_slug(slug)
    if page is None:
        raise Http404("No such question")
    journey = _journey(request, found)
    answers: dict[str, Any] = journey["answers"]
    change = request.GET.get("change") == "1"
    if page.id not in {p.id for p in answering.pages_for(answers)}:
        # Not a question for these answers (or not yet): go on from where they are.
        missing = answering.first_unanswered(answers)
        if missing is None:
            return redirect("care:check", council=found.slug)
        return redirect(_question_url(found, missing))
    error = None
    value: Any = answers.get(page.id, [] if page.kind == "checkboxes" else "")
    if request.method == "POST":
        raw = _posted(request, page)
        value, error = answering.clean(page, raw, answers=answers)
        postcode = answering.postcode_of({page.id: value}) if error is None else ""
        area = area_for(found, postcode) if postcode else None
        if area is not None and area.kind != "inside":
            # Another council's area: the journey stops here (the postcode is not kept), and
            # the page says whose it is.
            return render(
                request,
                "frontdoor/outside_area.html",
                {
                    "council": found,
                    "area": area,
                    "postcode": postcode,
                    "settings": settings,
                    "back_url": _question_url(found, page),
                },
            )
        if error is None:
            answers[page.id] = value
            journey["answers"] = answering.prune(answers)
            journey["sent"] = None
            if page.id in (qp.NHS_NUMBER, qp.DATE_OF_BIRTH):
                pro.lookup_if_ready(request, found, journey)
            pro.forget_record_once_used(journey)
            _save(request)
            if page.id == qp.WORK_EMAIL and pro.needs_confirming(request, found, answers):
                return redirect(_question_url(found, pro.SEND_SLUG, change=change))
            if page.id == e.URGENT and assess(journey["answers"]).urgent:
                # The rules' own urgent flags decide: the emergency contacts come at once.
                next_url = _next_url(found, journey["answers"], page.id, change)
                return render(
                    request,
                    "frontdoor/urgent.html",
                    {"council": found, "settings": settings, "next_url": next_url},
                )
            return redirect(_next_url(found, journey["answers"], page.id, change))
        if page.kind == "date":
            value = raw
    notice = ""
    if request.method == "GET":
        value, notice = pro.prefilled(journey, page, value)
    problem = (
        answering.address_problem(page, value, answers)
        if error and page.kind == "address"
        else None
    )
    context = {
        "council": found,
        "error": error,
        "error_part": problem[0] if problem else "line1",
        "notice": notice,
        "back_url": _back_url(found, answers, page, change),
        "change": change,
        **_field_view(page, answers, value),
    }
    return render(request, "frontdoor/question.html", context, status=400 if error else 200)


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("front-door-send")
def check(request: HttpRequest, council: str) -> HttpResponse:
    found, _settings = public_council(council)
    journey = _journey(request, found)
    answers: dict[str, Any] = journey["answers"]
    if request.method == "POST" and not answers and journey.get("sent"):
        # Sent already (a second click, or Back and send again): the first result stands.
        return redirect("care:result", council=found.slug)
    missing = answering.first_unanswered(answers)
    if missing is not None:
        return redirect(_question_url(found, missing))
    if request.method == "POST":
        sent = services.request_submit(
            council=found,
            contact=services.contact_from(
                answers,
                email_confirmed=pro.email_confirmed(request, found, answers),
                from_pds=pro.from_pds(journey),
            ),
            answers=answers,
            assessment=assess(answers),
            idempotency_key=key_from_form(request),
        )
        # The answers leave the session once sent (a shared computer keeps nothing of them),
        # unless the council could not have them: they go with an assessment asked for later.
        journey["answers"] = {}
        journey["unshared"] = {} if sent.details_shared else answers
        journey["sent"] = sent.pk
        journey["needs"] = list(Assessment.from_json(sent.assessment).unmet)
        journey["postcode"] = answering.postcode_of(answers)
        # What the NHS record said leaves the session with the answers.
        journey.pop("pds", None)
        _save(request)
        return redirect("care:result", council=found.slug)
    rows = []
    for section, label, shown, qid in answering.summary_rows(answers):
        page = questions.by_id(qid)
        assert page is not None  # summary rows come from the catalogue's own pages
        rows.append(
            {
                "section": section,
                "label": label,
                "value": shown,
                "url": _question_url(found, page, change=True),
            }
        )
    last = answering.pages_for(answers)[-1]
    return render(
        request,
        "frontdoor/check.html",
        {"council": found, "rows": rows, "back_url": _question_url(found, last)},
    )


def _sent(request: HttpRequest, council: Council) -> FrontDoorRequest:
    pk = _journey(request, council).get("sent")
    sent = FrontDoorRequest.objects.filter(pk=pk, council=council).first() if pk else None
    if sent is None:
        raise Http404("Nothing sent from this browser")
    return sent


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("front-door-send")
def result(request: HttpRequest, council: str) -> HttpResponse:
    found, settings = public_council(council)
    sent = _sent(request, found)
    journey = _journey(request, found)
    form = None
    if sent.route == Route.SIGNPOSTED and not sent.details_shared:
        form = AskAssessmentForm(
            request.POST if request.method == "POST" else None,
            professional=bool(sent.professional_kind),
        )
    if request.method == "POST":
        if sent.route != Route.SIGNPOSTED:
            return redirect("care:result", council=found.slug)
        contact = None
        if form is not None:
            if not form.is_valid():
                return _result_page(request, found, settings, sent, journey, form)
            contact = form.contact(sent, journey.get("unshared") or {})
        try:
            services.assessment_ask(
                request=sent, contact=contact, answers=journey.get("unshared") or {}
            )
            journey["unshared"] = {}
            _save(request)
        except ValidationError as error:
            if form is None:
                raise
            form.add_errors(error)
            return _result_page(request, found, settings, sent, journey, form)
        except services.RequestRefused:
            pass  # asked twice: it is in the queue already
        messages.success(
            request, f"You have asked for an assessment. Your reference is {sent.reference}."
        )
        return redirect("care:result", council=found.slug)
    return _result_page(request, found, settings, sent, journey, form)


def _result_page(
    request: HttpRequest,
    council: Council,
    settings: FrontDoorSettings,
    sent: FrontDoorRequest,
    journey: dict[str, Any],
    form: Any,
) -> HttpResponse:
    assessment = Assessment.from_json(sent.assessment)
    needs = journey.get("needs") or list(assessment.unmet)
    postcode = journey.get("postcode") or sent.postcode
    signposts = signposting_for(council, needs=needs, postcode=postcode or None, limit=10)
    support_url = reverse("care:support", kwargs={"council": council.slug})
    query = f"?needs={','.join(needs)}" + (f"&postcode={postcode}" if postcode else "")
    return render(
        request,
        "frontdoor/result.html",
        {
            "council": council,
            "settings": settings,
            "sent": sent,
            "assessment": assessment,
            "likely": sent.result == Result.LIKELY_ELIGIBLE,
            "queued": sent.route == Route.QUEUE,
            "signposts": signposts,
            "support_url": support_url + query,
            "booking_url": reverse("care:appointment_start", kwargs={"council": council.slug})
            + (f"?request={sent.reference}" if sent.route == Route.QUEUE else ""),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_not_required
@require_GET
def urgent_help(request: HttpRequest, council: str) -> HttpResponse:
    """The emergency contacts on a page of their own, linked from every question page."""
    found, settings = public_council(council)
    return render(
        request, "frontdoor/urgent.html", {"council": found, "settings": settings, "next_url": ""}
    )


# --- Tracking a request -------------------------------------------------------------------------


def _grant(request: HttpRequest, council: Council, sent: FrontDoorRequest) -> None:
    journey = _journey(request, council)
    if sent.pk not in journey["tracking"]:
        journey["tracking"].append(sent.pk)
    _save(request)


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("front-door-track")
def track(request: HttpRequest, council: str) -> HttpResponse:
    found, _settings = public_council(council)
    form = TrackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        sent = request_for_tracking(
            found, form.cleaned_data["reference"], form.cleaned_data["email"]
        )
        if sent is None:
            form.add_error(
                "reference",
                "We could not find a request with that reference and e-mail address. Check "
                "both, or use the link in the e-mail we sent you.",
            )
        else:
            _grant(request, found, sent)
            return redirect("care:track_detail", council=found.slug, reference=sent.reference)
    return render(
        request,
        "frontdoor/track.html",
        {"council": found, "form": form},
        status=400 if form.errors else 200,
    )


@login_not_required
@require_GET
def track_link(request: HttpRequest, council: str, token: str) -> HttpResponse:
    """The e-mailed tracking link is a one-hop door: it grants this browser the request in the
    session and moves it at once to the request's page, so the token is in no address bar,
    Referer or later log line (core.logs redacts this first request)."""
    found, _settings = public_council(council)
    pk = services.request_from_token(token)
    sent = (
        FrontDoorRequest.objects.filter(pk=pk, council=found, route=Route.QUEUE).first()
        if pk
        else None
    )
    if sent is None:
        return render(request, "frontdoor/track_link_invalid.html", {"council": found}, status=404)
    _grant(request, found, sent)
    return redirect("care:track_detail", council=found.slug, reference=sent.reference)


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("front-door-track")
def track_detail(request: HttpRequest, council: str, reference: str) -> HttpResponse:
    found, settings = public_council(council)
    journey = _journey(request, found)
    sent = FrontDoorRequest.objects.filter(
        council=found, reference=reference, pk__in=journey["tracking"] or [0]
    ).first()
    if sent is None:
        # Not found and not theirs look the same: prove it is yours first.
        return redirect("care:track", council=found.slug)
    form = InformationGiveForm(request.POST if request.POST.get("do") == "information" else None)
    if request.method == "POST":
        do = request.POST.get("do")
        if do == "updates":
            services.updates_subscribe(request=sent, email=sent.contact_email)
            messages.success(
                request, f"We will e-mail {sent.contact_email} when your request changes."
            )
            return redirect("care:track_detail", council=found.slug, reference=sent.reference)
        if do == "information" and form.is_valid():
            try:
                services.information_give(request=sent, text=form.cleaned_data["text"])
            except services.RequestRefused as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "Thank you: the council has your answer.")
            return redirect("care:track_detail", council=found.slug, reference=sent.reference)
    services.request_viewed(request=sent, by=None, ip=request.META.get("REMOTE_ADDR"))
    events = [event for event in sent.events.all() if event.public]
    return render(
        request,
        "frontdoor/track_detail.html",
        {
            "council": found,
            "settings": settings,
            "sent": sent,
            "events": events,
            "question_text": next(
                (ev.text for ev in reversed(events) if ev.kind == EventKind.INFORMATION_REQUESTED),
                "",
            ),
            "form": form,
            "asking": sent.status == RequestStatus.MORE_INFORMATION,
        },
        status=400 if form.errors else 200,
    )


# --- Feedback ----------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("front-door-feedback")
def feedback(request: HttpRequest, council: str) -> HttpResponse:
    found, _settings = public_council(council)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pk = _journey(request, found).get("sent")
        sent = FrontDoorRequest.objects.filter(pk=pk, council=found).first() if pk else None
        services.feedback_give(
            council=found,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            request=sent,
            idempotency_key=key_from_form(request),
        )
        return render(request, "frontdoor/feedback_done.html", {"council": found})
    return render(
        request,
        "frontdoor/feedback.html",
        {"council": found, "form": form},
        status=400 if form.errors else 200,
    )
