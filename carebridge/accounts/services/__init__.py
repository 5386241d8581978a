"""Every write about user accounts, by concern: signing in (`signin`) and lock-out (`lockout`),
the second step (`passcodes`), passwords (`passwords`), e-mailed links (`links`), changing
one's own e-mail address (`email_change`), log-in
sessions (`sessions`) and managing accounts (`users`); `common` is what they share.

Each function validates, writes with a compare-and-set where a state changes, and records an
audit event in the same transaction. Views only call these, by this package's names.
"""

from carebridge.accounts.services.email_change import (
    CANNOT_USE,
    EMAIL_CHANGE_LINK_LIFETIME,
    email_change_check,
    email_change_confirm,
    email_change_refusal,
    email_change_request,
)
from carebridge.accounts.services.links import (
    RESET_LINK_LIFETIME,
    SETUP_LINK_LIFETIME,
    LinkProblem,
    reset_link_check,
    reset_link_request,
    reset_link_use,
    setup_link_create,
)
from carebridge.accounts.services.lockout import Outcome
from carebridge.accounts.services.passcodes import (
    SecondStep,
    authenticator_confirm,
    authenticator_device,
    authenticator_remove,
    authenticator_reset,
    authenticator_start,
    passcode_change,
    second_step_for,
    second_step_is_set_up,
    second_step_to_check,
)
from carebridge.accounts.services.passwords import (
    check_new_password,
    initial_password,
    password_change,
    password_change_is_due,
    password_confirm,
    password_has_expired,
)
from carebridge.accounts.services.sessions import (
    session_begin,
    sessions_end_all,
    sessions_end_others,
)
from carebridge.accounts.services.signin import (
    StepResult,
    login_check_password,
    login_check_second_step,
    login_complete,
    logout_record,
)
from carebridge.accounts.services.users import (
    ACCOUNT_DETAILS,
    account_close,
    account_create,
    account_details_update,
    account_invite,
    account_reinstate,
    account_role_change,
    account_sessions_end,
    account_unlock,
    accounts_suspend_unused,
)
from carebridge.organisations.validators import normalise_email

__all__ = [
    "ACCOUNT_DETAILS",
    "CANNOT_USE",
    "EMAIL_CHANGE_LINK_LIFETIME",
    "RESET_LINK_LIFETIME",
    "SETUP_LINK_LIFETIME",
    "LinkProblem",
    "Outcome",
    "SecondStep",
    "StepResult",
    "account_close",
    "account_create",
    "account_details_update",
    "account_invite",
    "account_reinstate",
    "account_role_change",
    "account_sessions_end",
    "account_unlock",
    "accounts_suspend_unused",
    "authenticator_confirm",
    "authenticator_device",
    "authenticator_remove",
    "authenticator_reset",
    "authenticator_start",
    "check_new_password",
    "email_change_check",
    "email_change_confirm",
    "email_change_refusal",
    "email_change_request",
    "initial_password",
    "login_check_password",
    "login_check_second_step",
    "login_complete",
    "logout_record",
    "normalise_email",
    "passcode_change",
    "password_change",
    "password_change_is_due",
    "password_confirm",
    "password_has_expired",
    "reset_link_check",
    "reset_link_request",
    "reset_link_use",
    "second_step_for",
    "second_step_is_set_up",
    "second_step_to_check",
    "session_begin",
    "sessions_end_all",
    "sessions_end_others",
    "setup_link_create",
]
