"""The directory's public page: a printable list of services that could help, chosen by the
person's needs and postcode, which they can have e-mailed to them (directory/emails.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from carebridge.core.ratelimits import rate_limited
from carebridge.frontdoor.directory.emails import signposting_email
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.directory.forms import ListEmailForm
from carebridge.frontdoor.directory.selectors import area_for, signposting_for
from carebridge.frontdoor.requests.selectors import public_council
from carebridge.people.validators import normalise_postcode, postcode_is_valid

MAX_NEEDS = len(SignpostNeed.values)


def _needs(query: QueryDict) -> list[str]:
    asked = {
        part.strip()
        for value in query.getlist("needs")[:MAX_NEEDS]
        for part in value[:300].split(",")
    }
    return [need for need in SignpostNeed.values if need in asked]


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("front-door-email")
def support(request: HttpRequest, council: str) -> HttpResponse:
    found, _settings = public_council(council)
    needs = _needs(request.GET)
    typed = request.GET.get("postcode", "").strip()[:20]
    postcode = normalise_postcode(typed) if typed and postcode_is_valid(typed) else ""
    area = area_for(found, postcode) if postcode else None
    signposts = signposting_for(found, needs=needs, postcode=postcode or None)
    form = ListEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and signposts and form.is_valid():
        email = form.cleaned_data["email"]
        signposting_email(
            council=found,
            to=email,
            signposts=signposts,
            needs=needs,
            postcode=postcode,
            link=settings.SITE_URL + _list_path(found.slug, needs, postcode),
        )
        messages.success(request, f"We have sent the list to {email}")
        return redirect(_list_path(found.slug, needs, postcode))
    labels = dict(SignpostNeed.choices)
    context = {
        "council": found,
        "signposts": signposts,
        "needs": [str(labels[need]) for need in needs],
        "postcode": postcode,
        "postcode_not_recognised": bool(typed) and not postcode,
        "area": area,
        "form": form,
        "action": _list_path(found.slug, needs, postcode),
    }
    return render(request, "frontdoor/directory/support.html", context)


def _list_path(slug: str, needs: list[str], postcode: str) -> str:
    query = QueryDict(mutable=True)
    if needs:
        query["needs"] = ",".join(needs)
    if postcode:
        query["postcode"] = postcode
    path = reverse("care:support", kwargs={"council": slug})
    return f"{path}?{query.urlencode()}" if query else path
