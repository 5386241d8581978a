import pytest

from carebridge.core.permissions import (
    COUNCIL_ROLES,
    PERMISSIONS,
    PROVIDER_ROLES,
    Access,
    Function,
    Role,
    access,
    can_edit,
    can_view,
)

F = Function


def edits(role):
    return {f for f in Function if can_edit(role, f)}


def test_every_role_has_a_permission_table():
    assert set(PERMISSIONS) == set(Role) == COUNCIL_ROLES | PROVIDER_ROLES


def test_the_seven_provider_security_roles_exist():
    assert {r.label for r in PROVIDER_ROLES} == {
        "Super User (Actuals)",
        "Super User (Scheduled)",
        "Payments",
        "Administration",
        "Reports",
        "Invoice Only",
        "Read Only",
    }


def test_super_user_actuals_edits_everything_a_provider_has_but_scheduled_payments():
    assert F.SCHEDULED_PAYMENTS not in edits(Role.SUPER_USER_ACTUALS)
    assert edits(Role.SUPER_USER_SCHEDULED) - edits(Role.SUPER_USER_ACTUALS) == {
        F.SCHEDULED_PAYMENTS
    }


def test_payments_edits_what_the_guide_lists():
    assert edits(Role.PAYMENTS) == {
        F.ACTUALS,
        F.INVOICES,
        F.ONE_OFF_CLAIMS,
        F.CONTRACT_DOCUMENTS,
        F.ACTIONS,
    }


def test_administration_edits_what_the_guide_lists():
    assert edits(Role.ADMINISTRATION) == {
        F.ORGANISATION_DETAILS,
        F.CONTACTS,
        F.CPLIS,
        F.CONTRACT_DOCUMENTS,
        F.ACTIONS,
    }


def test_reports_and_invoice_only_edit_only_their_functions():
    assert edits(Role.REPORTS) == {F.ORGANISATION_DETAILS, F.REPORTS, F.ACTIONS}
    assert edits(Role.INVOICE_ONLY) == {F.INVOICES}
    assert not can_view(Role.INVOICE_ONLY, F.ACTUALS)


def test_read_only_sees_every_provider_function_and_changes_nothing():
    assert edits(Role.READ_ONLY) == set()
    # API keys are not a function of the guides' portals: a key acts with its maker's rights,
    # so only the Super Users see or make them.
    functions = set(PERMISSIONS[Role.SUPER_USER_SCHEDULED]) - {F.API_KEYS}
    assert all(can_view(Role.READ_ONLY, f) for f in functions)


def test_only_the_provider_super_users_make_api_keys():
    assert {r for r in Role if can_view(r, F.API_KEYS)} == {
        Role.SUPER_USER_ACTUALS,
        Role.SUPER_USER_SCHEDULED,
    }


@pytest.mark.parametrize("role", sorted(PROVIDER_ROLES))
def test_no_provider_role_reaches_council_only_functions(role):
    for function in (F.USER_ACCOUNTS, F.AUDIT_LOG, F.FRONT_DOOR):
        assert access(role, function) is Access.NONE


def test_only_the_council_administrator_manages_user_accounts():
    assert {r for r in Role if can_edit(r, F.USER_ACCOUNTS)} == {Role.COUNCIL_ADMINISTRATOR}
