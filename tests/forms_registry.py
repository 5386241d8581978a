"""The registry of the project's forms, for the tests that drive every form with generated input
(`tests/test_forms_fuzz.py`). Forms are discovered by walking `carebridge`, so a new form is
included without anyone listing it; a form that needs constructor arguments has a factory here
that builds them from the seeded personas (`tests.support.make_personas`), and a discovered form
that is neither constructible by default nor in `FACTORIES` fails the tests."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from django import forms
from django.urls import get_resolver

import carebridge
from tests.support import Personas

# A factory returns the keyword arguments a form's constructor needs besides its data and files.
Factory = Callable[[Personas], dict[str, Any]]


def discover_forms() -> list[type[forms.BaseForm]]:
    """Every Form subclass defined in carebridge (tests aside): the pages' modules as the URLs
    load them, then every module under carebridge that no URL reaches yet."""
    get_resolver().url_patterns  # noqa: B018
    for module in pkgutil.walk_packages(carebridge.__path__, "carebridge."):
        parts = module.name.split(".")
        if "tests" in parts or "migrations" in parts or parts[-1] == "__main__":
            continue
        importlib.import_module(module.name)
    found: set[type[forms.BaseForm]] = set()
    waiting = list(forms.BaseForm.__subclasses__())
    while waiting:
        cls = waiting.pop()
        waiting.extend(cls.__subclasses__())
        if cls.__module__.startswith("carebridge.") and ".tests" not in cls.__module__:
            found.add(cls)
    return sorted(found, key=form_name)


def form_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}".removeprefix("carebridge.")


def _teams(p: Personas) -> list[Any]:
    from carebridge.organisations.models import Team

    return list(Team.objects.filter(council=p.council))


def _people(p: Personas) -> Any:
    from carebridge.people.models import ServiceUser

    return ServiceUser.objects.filter(council=p.council)


def _export(p: Personas) -> dict[str, Any]:
    from carebridge.actuals import csvio

    return {
        "periods": csvio.export_periods(p.provider_user),
        "services": [(p.two.service.pk, p.two.service.name)],
    }


def _action_form(p: Personas) -> dict[str, Any]:
    person = p.two.weekly_person
    return {
        "types": [p.two.weekly_action_type],
        "teams": _teams(p),
        "entities": {"client": [(str(person.pk), person.full_name)]},
    }


def _dispute_reasons(p: Personas) -> dict[str, Any]:
    from carebridge.disputes.models import DisputeReason
    from carebridge.disputes.services import dispute_reasons_ensure

    dispute_reasons_ensure(council=p.council)
    return {"row_ids": [1, 2], "reasons": list(DisputeReason.objects.filter(council=p.council))}


def _hubs(p: Personas) -> dict[str, Any]:
    from carebridge.frontdoor.models.hubs import Hub

    return {"hubs": list(Hub.objects.all()[:3])}


def _slots(p: Personas) -> dict[str, Any]:
    from carebridge.frontdoor.models.hubs import Slot

    return {"slots": list(Slot.objects.all()[:3])}


def _entry(p: Personas) -> dict[str, Any]:
    from carebridge.help.choices import EntryKind

    return {"kind": EntryKind.FAQ}


def _periods(p: Personas) -> list[tuple[int, str]]:
    return [(p.two.open_period.pk, "Open"), (p.two.paid_period.pk, "Paid")]


def _councils(p: Personas) -> dict[str, Any]:
    return {"councils": [p.two.weekly, p.two.four_weekly]}


def _officer(p: Personas) -> dict[str, Any]:
    return {"user": p.officer}


def _referral_form(p: Personas) -> dict[str, Any]:
    return {"council": p.council, "service_users": _people(p)}


def _contract_document(p: Personas) -> dict[str, Any]:
    return {
        "line_count": 2,
        "clients": _people(p),
        "services": [p.two.service],
        "levels": [p.two.weekly_level],
    }


FACTORIES: dict[str, Factory] = {
    "accounts.forms.EmailChangeConfirmForm": _councils,
    "accounts.forms.RoleForm": _officer,
    "accounts.forms.UserCreateForm": lambda p: {
        "council_name": p.council.name,
        "providers": [p.provider, p.other_provider],
    },
    "actions.forms.ActionForm": _action_form,
    "actions.forms.PostForm": lambda p: {"teams": _teams(p)},
    "actuals.views.csv.ExportForm": _export,
    "actuals.views.csv.ImportForm": lambda p: {
        "councils": [(c.pk, c.name) for c in (p.two.weekly, p.two.four_weekly)]
    },
    "contracts.forms.ContractDocumentForm": _contract_document,
    "disputes.forms.RaiseForm": _dispute_reasons,
    "frontdoor.directory.forms.TaxonomyMappingForm": lambda p: {"terms": []},
    "frontdoor.hubs.forms.HubChoiceForm": _hubs,
    "frontdoor.hubs.forms.SlotChoiceForm": _slots,
    "frontdoor.requests.forms.AcceptForm": lambda p: {"matches": list(_people(p))},
    "frontdoor.requests.forms.FrontDoorTeamForm": lambda p: {"council_id": p.council.pk},
    "frontdoor.requests.forms.MoveForm": lambda p: {"teams": _teams(p)},
    "frontdoor.requests.forms.SettingsForm": lambda p: {"council_id": p.council.pk},
    "help.forms.EntryForm": _entry,
    "organisations.forms.ChangeRequestForm": _councils,
    "organisations.forms.ContactForm": _councils,
    "organisations.forms.OrganisationForm": _councils,
    "organisations.forms.RemoveRoleForm": _councils,
    "organisations.forms.ServiceForm": _councils,
    "organisations.views.focus.FocusForm": lambda p: {
        "councils": (p.two.weekly, p.two.four_weekly)
    },
    "payments.forms.ChoosePeriodForm": lambda p: {
        "choices": [(str(pk), label) for pk, label in _periods(p)]
    },
    "payments.forms.InvoiceForm": lambda p: {"line_ids": [1, 2, 3]},
    "payments.forms_claims.ClaimForm": lambda p: {
        "services": [(p.two.service.pk, p.two.service.name)],
        "dates": _periods(p),
    },
    "payments.forms_claims.DecisionForm": lambda p: {
        "action_types": [(p.two.weekly_action_type.pk, p.two.weekly_action_type.name)],
        "needs_reason": True,
    },
    "payments.forms_runs.PrepareForm": lambda p: {"periods": _periods(p)},
    "referrals.forms.council.ReferralForm": _referral_form,
}

# Every report's filters take the acting user (reports/filters.py's ReportFilters).
REPORT_FILTERS_MODULES = ("reports.catalogue.", "reports.filters.")


def factory_for(cls: type[forms.BaseForm]) -> Factory | None:
    """The factory of a form, or None when the form is made with its data alone. A subclass of
    a form with a factory uses that factory unless it has its own."""
    name = form_name(cls)
    if name in FACTORIES:
        return FACTORIES[name]
    if name.startswith(REPORT_FILTERS_MODULES):
        return _officer
    return None


def make_form(
    cls: type[forms.BaseForm], personas: Personas, data: Any = None, files: Any = None
) -> forms.BaseForm:
    """An instance of the form bound to `data`; raises TypeError when the form needs arguments
    that no factory gives."""
    factory = factory_for(cls)
    kwargs = factory(personas) if factory else {}
    return cls(data, files, **kwargs) if files is not None else cls(data, **kwargs)
