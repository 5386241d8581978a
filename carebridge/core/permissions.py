"""The one map from a user's role to the functions it may use, and how.

Provider roles are the seven security roles of the provider portals; council roles are the jobs
council staff do in the portal. Views, the API and the service navigation all ask this module.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models

if TYPE_CHECKING:
    from carebridge.accounts.models import User


class Role(models.TextChoices):
    # Provider security roles
    SUPER_USER_ACTUALS = "super_user_actuals", "Super User (Actuals)"
    SUPER_USER_SCHEDULED = "super_user_scheduled", "Super User (Scheduled)"
    PAYMENTS = "payments", "Payments"
    ADMINISTRATION = "administration", "Administration"
    REPORTS = "reports", "Reports"
    INVOICE_ONLY = "invoice_only", "Invoice Only"
    READ_ONLY = "read_only", "Read Only"
    # Council roles
    BROKER = "broker", "Broker"
    PAYMENTS_OFFICER = "payments_officer", "Payments officer"
    FRONT_DOOR_OFFICER = "front_door_officer", "Front-door officer"
    COUNCIL_ADMINISTRATOR = "council_administrator", "Council administrator"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance officer"


PROVIDER_ROLES = frozenset(
    {
        Role.SUPER_USER_ACTUALS,
        Role.SUPER_USER_SCHEDULED,
        Role.PAYMENTS,
        Role.ADMINISTRATION,
        Role.REPORTS,
        Role.INVOICE_ONLY,
        Role.READ_ONLY,
    }
)
COUNCIL_ROLES = frozenset(
    {
        Role.BROKER,
        Role.PAYMENTS_OFFICER,
        Role.FRONT_DOOR_OFFICER,
        Role.COUNCIL_ADMINISTRATOR,
        Role.INFORMATION_GOVERNANCE,
    }
)


class Function(models.TextChoices):
    """A function of the portal (an icon in the councils' portals)."""

    REFERRALS = "referrals", "Referrals"
    SERVICE_USERS = "service_users", "Service users"
    FRONT_DOOR = "front_door", "Front door"
    CONTRACT_DOCUMENTS = "contract_documents", "Contract documents"
    CPLIS = "cplis", "Care package line items"
    PURCHASE_ORDERS = "purchase_orders", "Purchase orders"
    ACTUALS = "actuals", "Actuals"
    INVOICES = "invoices", "Invoices and credit notes"
    SCHEDULED_PAYMENTS = "scheduled_payments", "Scheduled payments"
    ONE_OFF_CLAIMS = "one_off_claims", "One-off claims"
    REPORTS = "reports", "Reports"
    ACTIONS = "actions", "Actions and change requests"
    ORGANISATION_DETAILS = "organisation_details", "Organisation and service details"
    CONTACTS = "contacts", "Contacts"
    USER_ACCOUNTS = "user_accounts", "User accounts"
    AUDIT_LOG = "audit_log", "Audit log"
    # Where the portal sends a council's data (its CRM webhook) and what it fetches (its
    # directory feed): outbound addresses, so the council's administrators alone set them.
    CONNECTIONS = "connections", "Connections to other systems"
    # A provider's keys for its own systems (rostering, call monitoring) to use the API: a key
    # acts with its maker's rights, so only the Super Users make them.
    API_KEYS = "api_keys", "API keys"
    # What the council tells its providers and staff beside the portal's own help: its support
    # contacts, do's and don'ts, questions and answers, and a note on any page.
    HELP_CONTENT = "help_content", "Help and support contacts"
    # A person's right of access (UK GDPR art. 15): finding everything the council holds about
    # them and exporting it, which only the council's information-governance officers do.
    SUBJECT_ACCESS = "subject_access", "Subject access requests"
    # How long each class of record is kept, the legal holds that stop its removal and the
    # nightly removals' reports: the council's administrators alone (issue 23).
    RETENTION = "retention", "Records retention"


class Access(IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2


F = Function
# Providers reach service users through the referrals and care packages they are given (issue 3
# onwards), so SERVICE_USERS is not a provider function of its own yet.
_PROVIDER_FUNCTIONS = frozenset(
    {
        F.REFERRALS,
        F.CONTRACT_DOCUMENTS,
        F.CPLIS,
        F.PURCHASE_ORDERS,
        F.ACTUALS,
        F.INVOICES,
        F.SCHEDULED_PAYMENTS,
        F.ONE_OFF_CLAIMS,
        F.REPORTS,
        F.ACTIONS,
        F.ORGANISATION_DETAILS,
        F.CONTACTS,
    }
)


def _edit(*functions: Function) -> dict[Function, Access]:
    return dict.fromkeys(functions, Access.EDIT)


def _view(*functions: Function) -> dict[Function, Access]:
    return dict.fromkeys(functions, Access.VIEW)


# Provider roles follow the security roles' descriptions word for word; a function a role's
# description does not name is not shown to that role at all.
PERMISSIONS: dict[Role, dict[Function, Access]] = {
    # "Edit access to all functions except Scheduled Payments" (Norfolk, section 2): the
    # scheduled payments are not shown to it at all, so the role does not see them.
    Role.SUPER_USER_ACTUALS: _edit(*(_PROVIDER_FUNCTIONS - {F.SCHEDULED_PAYMENTS}), F.API_KEYS),
    Role.SUPER_USER_SCHEDULED: _edit(*_PROVIDER_FUNCTIONS, F.API_KEYS),
    Role.PAYMENTS: _edit(F.ACTUALS, F.INVOICES, F.ONE_OFF_CLAIMS, F.CONTRACT_DOCUMENTS, F.ACTIONS),
    Role.ADMINISTRATION: _edit(
        F.ORGANISATION_DETAILS, F.CONTACTS, F.CPLIS, F.CONTRACT_DOCUMENTS, F.ACTIONS
    ),
    # Norfolk's roles: Reports views invoices and credit notes, and changes none.
    Role.REPORTS: {**_edit(F.ORGANISATION_DETAILS, F.REPORTS, F.ACTIONS), **_view(F.INVOICES)},
    Role.INVOICE_ONLY: _edit(F.INVOICES),
    Role.READ_ONLY: _view(*_PROVIDER_FUNCTIONS),
    # Brokers set up each person's care, so they record the person's details the council's
    # statutory return needs (people/cld.py).
    Role.BROKER: {
        **_edit(F.REFERRALS, F.CONTRACT_DOCUMENTS, F.CPLIS, F.ACTIONS, F.SERVICE_USERS),
        **_view(F.PURCHASE_ORDERS, F.ORGANISATION_DETAILS, F.REPORTS),
    },
    Role.PAYMENTS_OFFICER: {
        **_edit(
            F.ACTUALS,
            F.INVOICES,
            F.SCHEDULED_PAYMENTS,
            F.ONE_OFF_CLAIMS,
            F.PURCHASE_ORDERS,
            F.ACTIONS,
        ),
        **_view(F.SERVICE_USERS, F.CONTRACT_DOCUMENTS, F.CPLIS, F.REPORTS),
    },
    Role.FRONT_DOOR_OFFICER: {
        **_edit(F.FRONT_DOOR, F.ACTIONS),
        **_view(F.SERVICE_USERS, F.REFERRALS),
    },
    Role.COUNCIL_ADMINISTRATOR: {
        **_edit(
            F.USER_ACCOUNTS,
            F.ORGANISATION_DETAILS,
            F.CONTACTS,
            F.ACTIONS,
            F.CONNECTIONS,
            F.HELP_CONTENT,
            F.RETENTION,
        ),
        **_view(F.AUDIT_LOG, F.SERVICE_USERS, F.REPORTS),
    },
    # Information governance answers subject access requests: it reads every record about the
    # person (and the audit of who viewed it), and changes no care or payment record.
    Role.INFORMATION_GOVERNANCE: {
        **_edit(F.SUBJECT_ACCESS),
        **_view(F.SERVICE_USERS, F.AUDIT_LOG),
    },
}


def access(role: str, function: Function) -> Access:
    """How far a role may use a function: not at all, to view, or to change things."""
    return PERMISSIONS.get(Role(role), {}).get(function, Access.NONE)


def can_view(role: str, function: Function) -> bool:
    return access(role, function) >= Access.VIEW


def can_edit(role: str, function: Function) -> bool:
    return access(role, function) >= Access.EDIT


def require_function(actor: User, function: Function, *, edit: bool = False) -> None:
    """Refuse a page (PermissionDenied) to a role that may not use its function."""
    allowed = can_edit(actor.role, function) if edit else can_view(actor.role, function)
    if not allowed:
        raise PermissionDenied
