"""The help topics of the accounts pages: logging in (open to everyone), your own account,
and the council administrators' user accounts, single sign-on and audit log."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "logging-in",
        "Logging in and problems logging in",
        views=(
            "accounts:login",
            "accounts:login_second_step",
            "accounts:login_authenticator",
            "accounts:login_new_password",
            "accounts:login_new_passcode",
            "accounts:reset",
            "accounts:reset_sent",
            "accounts:reset_password",
            "accounts:reset_passcode",
            "accounts:set_up",
            # The single sign-on button and the way back show a page when a sign-in is refused.
            "accounts:sso_start",
            "accounts:sso_callback",
        ),
        audience=Audience.PUBLIC,
        areas=("log_in",),
        section="Your account",
        summary="How to log in, and what to do when your account is locked, you have "
        "forgotten your password or passcode, or you have lost your phone.",
    ),
    Topic(
        "your-account",
        "Your account",
        views=("accounts:account",),
        audience=Audience.EVERYONE,
        areas=("log_in",),
        section="Your account",
        summary="Your name, organisation and role, how you log in, and where you are logged in.",
    ),
    Topic(
        "changing-your-password-or-passcode",
        "Changing your password or passcode",
        views=("accounts:password_change", "accounts:passcode_change"),
        audience=Audience.EVERYONE,
        areas=("log_in",),
        section="Your account",
        summary="Choose a new password or 6-digit passcode while you are logged in.",
    ),
    Topic(
        "changing-your-e-mail-address",
        "Changing your e-mail address",
        views=(
            "accounts:email_change",
            "accounts:email_change_sent",
            "accounts:email_change_confirm",
        ),
        audience=Audience.EVERYONE,
        areas=("log_in",),
        section="Your account",
        summary="Move your log-in to a new e-mail address, confirmed from a link sent to it.",
    ),
    Topic(
        "authenticator-app",
        "Your authenticator app",
        views=("accounts:authenticator_enrol", "accounts:authenticator_remove"),
        audience=Audience.EVERYONE,
        areas=("log_in",),
        section="Your account",
        summary="Log in with a code from an app on your phone, move it to a new phone, or "
        "stop using it.",
    ),
    Topic(
        "passkeys",
        "Passkeys",
        views=(
            "accounts:passkeys",
            "accounts:passkey_add",
            "accounts:passkey_rename",
            "accounts:passkey_remove",
            "accounts:login_passkey_set_up",
        ),
        audience=Audience.EVERYONE,
        areas=("log_in",),
        section="Your account",
        summary="Log in with a passkey (your phone, computer or security key) instead of your "
        "passcode or app code; add, rename and remove passkeys.",
    ),
    Topic(
        "user-accounts",
        "User accounts",
        views=("accounts:user_list", "accounts:user_create", "accounts:user_detail"),
        audience=Audience.COUNCIL,
        areas=("log_in",),
        section="Administration",
        summary="Add people, change their role, and unlock, restore or close their accounts.",
    ),
    Topic(
        "single-sign-on-settings",
        "Single sign-on",
        views=("accounts:sso_settings",),
        audience=Audience.COUNCIL,
        areas=("log_in",),
        section="Administration",
        summary="Let people sign in with your council's own identity provider, such as "
        "Microsoft Entra ID.",
    ),
    Topic(
        "audit-log",
        "Audit log",
        views=("audit:event_list",),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="Everything done in your council's part of the portal, newest first.",
    ),
    Topic(
        "records-retention",
        "Records retention",
        views=(
            "retention:overview",
            "retention:schedule",
            "retention:hold_place",
            "retention:hold_release",
        ),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="How long each class of record is kept, legal holds, and what each night removed.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    # The header's Log out button: posts, then shows the log-in page.
    "accounts:logout",
    # Unlock, Restore and Close on an account's page: post, then back to the account.
    "accounts:user_action",
    # The passkey steps' scripts talk to these (JSON, and the library's translations).
    "accounts:login_passkey_begin",
    "accounts:login_passkey_complete",
    "accounts:login_passkey_register_begin",
    "accounts:login_passkey_register_complete",
    "accounts:passkey_register_begin",
    "accounts:passkey_register_complete",
    "accounts:passkey_jsi18n",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
