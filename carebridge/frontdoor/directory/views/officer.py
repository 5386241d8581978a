"""The directory's officer pages: the council's directory, its imports, its taxonomy mapping
and its neighbouring areas. Every write is a service of the directory package (imports.py,
taxonomy.py, areas.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.frontdoor.directory import areas, imports, taxonomy
from carebridge.frontdoor.directory.filters import NEED_CHOICES, STATUS_CHOICES, DirectoryFilters
from carebridge.frontdoor.directory.forms import (
    FeedUploadForm,
    NeighbouringAreaForm,
    TaxonomyMappingForm,
)
from carebridge.frontdoor.directory.selectors import (
    access_directory_import,
    access_directory_service,
    access_neighbouring_area,
    directory_imports_for,
    directory_services_for,
    neighbouring_areas_for,
    taxonomy_terms_for,
)
from carebridge.frontdoor.models import NeighbouringArea, TaxonomyMapping

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
    filters = DirectoryFilters(request.GET, directory_services_for(user))
    chosen = filters.chosen()
    need, status, search = chosen["need"] or "", chosen["status"] or "", chosen["q"] or ""
    context = {
        "page": page_of(request, filters.qs, per_page=LONG_PAGE_SIZE),
        "need": need,
        "status": status,
        "q": search,
        "needs": NEED_CHOICES,
        "statuses": STATUS_CHOICES,
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
            log = imports.directory_import(
                council=user.council, source=form.cleaned_data["feed"], by=user
            )
        except imports.DirectoryImportFailed as failed:
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
            changed = taxonomy.taxonomy_mapping_save(
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


_AREA_FIELDS = ("name", "postcode_districts", "website", "phone")


def _neighbour_form_page(
    request: HttpRequest,
    form: NeighbouringAreaForm,
    area: NeighbouringArea | None,
    *,
    save: Callable[[dict[str, str]], NeighbouringArea],
    done: str,
) -> HttpResponse:
    """A neighbouring area's form: saved with its fields when valid (`done` says how), else
    shown again with the service's errors."""
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in _AREA_FIELDS}
        try:
            saved = save(fields)
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, f"{saved.name} {done}")
            return redirect("frontdoor:neighbour_list")
    return render(request, "frontdoor/directory/neighbour_form.html", {"form": form, "area": area})


@require_http_methods(["GET", "POST"])
def neighbour_add(request: HttpRequest) -> HttpResponse:
    user = _officer(request, edit=True)
    assert user.council is not None
    council = user.council
    form = NeighbouringAreaForm(request.POST if request.method == "POST" else None)
    return _neighbour_form_page(
        request,
        form,
        None,
        save=lambda fields: areas.neighbouring_area_create(
            council=council, by=user, idempotency_key=key_from_form(request), **fields
        ),
        done="added",
    )


@require_http_methods(["GET", "POST"])
def neighbour_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request, edit=True)
    area = access_neighbouring_area(user, pk)
    initial = {name: getattr(area, name) for name in _AREA_FIELDS}
    form = NeighbouringAreaForm(request.POST if request.method == "POST" else None, initial=initial)
    return _neighbour_form_page(
        request,
        form,
        area,
        save=lambda fields: areas.neighbouring_area_update(area=area, by=user, **fields),
        done="changed",
    )


@require_http_methods(["GET", "POST"])
def neighbour_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request, edit=True)
    area: NeighbouringArea = access_neighbouring_area(user, pk)
    if request.method == "POST":
        name = area.name
        areas.neighbouring_area_remove(area=area, by=user)
        messages.success(request, f"{name} removed")
        return redirect("frontdoor:neighbour_list")
    return render(request, "frontdoor/directory/neighbour_remove.html", {"area": area})
