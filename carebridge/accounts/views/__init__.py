"""The accounts pages: log-in step by step (`login`), resets by e-mailed link (`reset`), the
user's own account (`account`, with its sessions from `sessions` and a new e-mail address
from `email_change`), and the administration of user accounts (`users`)."""

from carebridge.accounts.views.account import (
    account,
    authenticator_enrol,
    authenticator_remove,
    passcode_change,
    password_change,
)
from carebridge.accounts.views.email_change import (
    email_change,
    email_change_confirm,
    email_change_sent,
)
from carebridge.accounts.views.login import (
    login_authenticator,
    login_new_passcode,
    login_new_password,
    login_second_step,
    login_view,
    logout_view,
)
from carebridge.accounts.views.reset import (
    reset_passcode,
    reset_password,
    reset_request,
    reset_sent,
    set_up,
)
from carebridge.accounts.views.users import user_action, user_create, user_detail, user_list

__all__ = [
    "account",
    "authenticator_enrol",
    "authenticator_remove",
    "email_change",
    "email_change_confirm",
    "email_change_sent",
    "login_authenticator",
    "login_new_passcode",
    "login_new_password",
    "login_second_step",
    "login_view",
    "logout_view",
    "passcode_change",
    "password_change",
    "reset_passcode",
    "reset_password",
    "reset_request",
    "reset_sent",
    "set_up",
    "user_action",
    "user_create",
    "user_detail",
    "user_list",
]
