"""The directory pages: for front-door officers, the council's directory, its imports, its
taxonomy mapping and its neighbouring areas; for the public, a printable list of services that
could help, which they can have e-mailed to them. Every write is a service in
frontdoor.services_directory."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.accounts.models import User
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, can_edit
from carebridge.core.ratelimits import rate_limited
from carebridge.frontdoor import services_directory as services
from carebridge.frontdoor.directory import ServiceStatus, SignpostNeed
from carebridge.frontdoor.forms_directory import (
    FeedUploadForm,
    ListEmailForm,
    NeighbouringAreaForm,
    TaxonomyMappingForm,
)
from carebridge.frontdoor.models import NeighbouringArea, TaxonomyMapping
from carebridge.frontdoor.selectors import public_council
from carebridge.frontdoor.selectors_directory import (
    UNMAPPED,
    access_directory_import,
    access_directory_service,
    access_neighbouring_area,
    area_for,
    directory_imports_for,
    directory_services_for,
    neighbouring_areas_for,
    signposting_for,
    taxonomy_terms_for,
)
from carebridge.people.validators import normalise_postcode, postcode_is_valid

PAGE_SIZE = 50
RECENT_IMPORTS = 20


def _officer(request: HttpRequest, *, edit: bool = False) -> User:
    user = acting_user(request)
    require_function(user, Function.FRONT_DOOR, edit=edit or request.method == "POST")
    if user.council_id is None:
        raise PermissionDenied
    return user


# --- Officers: the directory --------------------------------------------------------------------


@require_GET
def directory_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    need = request.GET.get("need", "")
    need = need if need in SignpostNeed.values or need == UNMAPPED else ""
    status = request.GET.get("status", "")
    status = status if status in ServiceStatus.values else ""
    search = request.GET.get("q", "").strip()[:100]
    services_ = directory_services_for(user, need=need, search=search, status=status)
    page = Paginator(services_, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "need": need,
        "status": status,
        "q": search,
        "needs": [("", "Any need"), *SignpostNeed.choices, (UNMAPPED, "Not mapped to a need")],
        "statuses": [("", "Any status"), *ServiceStatus.choices],
        "filtered": bool(need or status or search),
        "last_import": directory_imports_for(user).first(),
    }
    return render(request, "frontdoor/directory/list.html", context)


@require_GET
def directory_service(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    service = access_directory_service(user, pk)
    mapping = {
        (m.vocabulary, m.term_id): m.get_outcome_display()
        for m in TaxonomyMapping.objects.filter(council_id=service.council_id)
    }
    terms = [
        {**term, "need": mapping.get((term.get("vocabulary", ""), term.get("id", "")), "")}
        for term in service.taxonomy_terms
    ]
    context = {"service": service, "locations": service.locations.all(), "terms": terms}
    return render(request, "frontdoor/directory/service.html", context)


@require_http_methods(["GET", "POST"])
def directory_imports(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = (
        FeedUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else FeedUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        assert user.council is not None
        try:
            log = services.directory_import(
                council=user.council, source=form.cleaned_data["feed"], by=user
            )
        except services.ImportFailed as failed:
            messages.error(request, f"Nothing was imported: {failed.message}")
            return redirect("frontdoor:directory_import", pk=failed.log.pk)
        messages.success(
            request,
            f"Directory imported: {log.imported} new, {log.updated} changed, "
            f"{log.removed} removed, {log.skipped} left out",
        )
        return redirect("frontdoor:directory_import", pk=log.pk)
    context = {
        "imports": directory_imports_for(user)[:RECENT_IMPORTS],
        "form": form,
        "can_upload": can_edit(user.role, Function.FRONT_DOOR),
    }
    return render(request, "frontdoor/directory/imports.html", context)


@require_GET
def directory_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    log = access_directory_import(user, pk)
    return render(request, "frontdoor/directory/import.html", {"log": log})


@require_http_methods(["GET", "POST"])
def taxonomy_mapping(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    assert user.council is not None
    terms = taxonomy_terms_for(user.council)
    form = TaxonomyMappingForm(request.POST if request.method == "POST" else None, terms=terms)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.taxonomy_mapping_save(
                council=user.council, choices=form.choices_made(), by=user
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(
                request,
                f"Mapping saved: the needs of {changed} service{'s' if changed != 1 else ''} "
                "changed",
            )
            return redirect("frontdoor:taxonomy_mapping")
    return render(request, "frontdoor/directory/taxonomy.html", {"form": form})


# --- Officers: neighbouring areas ---------------------------------------------------------------


@require_GET
def neighbour_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    context = {
        "areas": neighbouring_areas_for(user),
        "can_edit": can_edit(user.role, Function.FRONT_DOOR),
    }
    return render(request, "frontdoor/directory/neighbours.html", context)


def _area_fields(form: NeighbouringAreaForm) -> dict[str, str]:
    return {
        name: form.cleaned_data[name] for name in ("name", "postcode_districts", "website", "phone")
    }


@require_http_methods(["GET", "POST"])
def neighbour_add(request: HttpRequest) -> HttpResponse:
    user = _officer(request, edit=True)
    assert user.council is not None
    form = NeighbouringAreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.neighbouring_area_create(
                council=user.council,
                by=user,
                idempotency_key=key_from_form(request),
                **_area_fields(form),
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, f"{area.name} added")
            return redirect("frontdoor:neighbour_list")
    return render(request, "frontdoor/directory/neighbour_form.html", {"form": form, "area": None})


@require_http_methods(["GET", "POST"])
def neighbour_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request, edit=True)
    area = access_neighbouring_area(user, pk)
    initial = {
        "name": area.name,
        "postcode_districts": area.postcode_districts,
        "website": area.website,
        "phone": area.phone,
    }
    form = NeighbouringAreaForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.neighbouring_area_update(area=area, by=user, **_area_fields(form))
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, f"{area.name} changed")
            return redirect("frontdoor:neighbour_list")
    return render(request, "frontdoor/directory/neighbour_form.html", {"form": form, "area": area})


@require_http_methods(["GET", "POST"])
def neighbour_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request, edit=True)
    area: NeighbouringArea = access_neighbouring_area(user, pk)
    if request.method == "POST":
        name = area.name
        services.neighbouring_area_remove(area=area, by=user)
        messages.success(request, f"{name} removed")
        return redirect("frontdoor:neighbour_list")
    return render(request, "frontdoor/directory/neighbour_remove.html", {"area": area})


# --- The public list ----------------------------------------------------------------------------

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
        services.signposting_email(
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
