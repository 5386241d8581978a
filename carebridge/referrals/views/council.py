"""The council's referral screens: every referral it has sent, a new referral, and withdrawal.

Each write is one service call; the forms only collect the answers and show the service's
errors against the fields they concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.core.bounds import parse_id
from carebridge.core.calendar import now, today
from carebridge.core.formats import guide_datetime
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.organisations.models import Council
from carebridge.organisations.selectors import providers_of_council
from carebridge.people import services as people_services
from carebridge.people.models import ServiceUser
from carebridge.people.selectors import service_users_visible_to
from carebridge.referrals import services
from carebridge.referrals.access import access_referral
from carebridge.referrals.choices import ReferralEventKind, ReferralStatus, Stage
from carebridge.referrals.filters import SORTS, STATES, CouncilReferralFilters
from carebridge.referrals.forms.council import REFERRAL_FIELDS, ReferralForm, WithdrawForm
from carebridge.referrals.forms.options import options_html
from carebridge.referrals.models import Referral
from carebridge.referrals.paging import bounded_page_of
from carebridge.referrals.selectors import (
    Urgency,
    open_referrals_alike,
    referrals_for_council,
    referrals_visible_to,
    reply_urgency,
)
from carebridge.referrals.views.common import carried_out, refusal_of

S = ReferralStatus
E = ReferralEventKind


def _council_of(user: User) -> Council:
    """The council whose referrals these pages show; provider users have their own pages."""
    if user.council is None:
        raise PermissionDenied
    return user.council


# --- Every referral the council has sent -----------------------------------------------------


@dataclass(frozen=True)
class Row:
    referral: Referral
    status: str
    urgency: Urgency | None


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.REFERRALS)
    council = _council_of(user)
    moment = now()
    providers = dict(providers_of_council(council.pk).order_by("name").values_list("pk", "name"))
    districts = dict(council.districts.order_by("name").values_list("pk", "name"))
    filters = CouncilReferralFilters(
        request.GET,
        referrals_for_council(user, at=moment),
        at=moment,
        providers=providers,
        districts=districts,
    )
    chosen = filters.chosen()
    search, provider, district = chosen["q"] or "", chosen["provider"], chosen["district"]
    state, sort = chosen["state"] or "", chosen["sort"] or "newest"
    page = bounded_page_of(request, filters.qs)
    rows = []
    for referral in page.object_list:
        stage = Stage(referral.stage)
        pending = referral.status == S.PENDING
        rows.append(
            Row(
                referral=referral,
                status=S(referral.status).label if stage == Stage.CLOSED else stage.label,
                urgency=(
                    reply_urgency(referral.respond_by, referral.council.rulebook, moment)
                    if pending
                    else None
                ),
            )
        )
    return render(
        request,
        "referrals/council/referral_list.html",
        {
            "page": page,
            "rows": rows,
            "q": search,
            "provider": provider,
            "district": district,
            "state": state,
            "sort": sort,
            "provider_options": options_html(providers.items(), provider),
            "districts": districts.items(),
            "states": STATES,
            "sorts": SORTS.items(),
            "filtered": bool(search or provider or district or state),
            "can_send": can_edit(user.role, Function.REFERRALS),
        },
    )


# --- A new referral --------------------------------------------------------------------------


def _prefilled(
    person: ServiceUser | None, user: User, earlier: Referral | None = None
) -> dict[str, object]:
    initial: dict[str, object] = {
        "worker_name": user.full_name,
        "completed_on": today(),
    }
    if earlier is not None:
        # Sending again after a refusal or a failed start: the same answers, a new provider.
        initial.update({name: getattr(earlier, name) for name in REFERRAL_FIELDS})
        initial.update(existing_ss_ref=earlier.service_user.ss_ref, district=earlier.district_id)
        initial.update(
            consent_to_share="yes" if earlier.consent_to_share else "no",
            worker_name=user.full_name,
            completed_on=today(),
        )
        return initial
    if person is not None:
        initial.update(
            existing_ss_ref=person.ss_ref,
            district=person.district_id,
            next_of_kin_name=person.next_of_kin_name,
            next_of_kin_relationship=person.next_of_kin_relationship,
            next_of_kin_phone=person.next_of_kin_phone,
            consent_to_share="yes" if person.consent_to_share else "",
        )
    return initial


@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    broker = acting_user(request)
    require_function(broker, Function.REFERRALS, edit=True)
    council = _council_of(broker)
    people = service_users_visible_to(broker)
    # "Send a referral" from a service user's page: the council's own people only.
    chosen = parse_id(request.GET.get("service_user"))
    person = (
        people.select_related("district").filter(pk=chosen).first() if chosen is not None else None
    )
    # "Send to another provider" from a closed referral: the council's own referrals only.
    again = parse_id(request.GET.get("again"))
    earlier = (
        referrals_visible_to(broker).select_related("service_user").filter(pk=again).first()
        if again is not None
        else None
    )
    shown = person or (earlier.service_user if earlier is not None else None)
    if shown is not None and request.method == "GET":
        # The form opens filled in with the person's details: a view of their record.
        people_services.service_user_viewed(
            person=shown, by=broker, via="new referral form", ip=request.META.get("REMOTE_ADDR")
        )
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        initial=_prefilled(person, broker, earlier),
        council=council,
        service_users=people,
    )
    if request.method == "POST" and form.is_valid():
        confirmed = form.cleaned_data["confirm_postcode"]
        if form.postcode_outside is None or confirmed:
            data = form.cleaned_data
            try:
                referral = services.referral_create(
                    council=council,
                    provider=data["provider"],
                    district=data["district"],
                    by=broker,
                    service_user=form.service_user,
                    new_person=form.new_person(),
                    postcode_confirmed=confirmed,
                    idempotency_key=key_from_form(request),
                    **form.referral_fields(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionError as error:
                raise PermissionDenied from error
            else:
                messages.success(
                    request,
                    f"Referral sent to {referral.provider.name}. They must reply by "
                    f"{guide_datetime(referral.respond_by)}.",
                )
                other = open_referrals_alike(referral).first()
                if other is not None:
                    # Made all the same (a second package of care is possible), but most often
                    # the same referral sent twice.
                    messages.warning(
                        request,
                        f"{referral.service_user.full_name} already has an open referral to "
                        f"{referral.provider.name}, received {guide_datetime(other.received_at)}. "
                        "If it was sent twice, withdraw one of them.",
                    )
                return redirect(reverse("referrals:detail", args=[referral.pk]))
    return render(
        request,
        "referrals/council/referral_form.html",
        {"form": form, "person": person, "postcode_outside": form.postcode_outside},
    )


# --- Withdrawing a referral ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = access_referral(user, pk, for_change=True)
    # A provider may see the referral, but only the council that sent it takes it back.
    if user.council_id is None or user.council_id != referral.council_id:
        raise PermissionDenied
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    refusal = refusal_of(referral, E.WITHDRAWN)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        withdrawn = carried_out(
            form, lambda: services.referral_withdraw(referral=referral, by=user, reason=reason)
        )
        if withdrawn is not None:
            messages.success(
                request,
                f"The referral for {withdrawn.service_user.full_name} to "
                f"{withdrawn.provider.name} is withdrawn.",
            )
            return redirect(reverse("referrals:detail", args=[withdrawn.pk]))
    return render(
        request,
        "referrals/council/withdraw.html",
        {
            "referral": referral,
            "person": referral.service_user,
            "form": form,
            # The message replaces the form, unless the service's refusal is in the error summary.
            "refusal": "" if form.non_field_errors() else refusal,
        },
    )
