"""Every view needs log-in (LoginRequiredMiddleware) unless it is on this list, on purpose."""

from tests.test_access_matrix import ALL_URLS

PUBLIC = {
    "accounts:login",
    "accounts:login_second_step",
    "accounts:login_new_password",
    "accounts:login_new_passcode",
    "accounts:login_authenticator",
    # Passkeys during a log-in (the pending log-in's user, not a logged-in one), and the words
    # of the passkey scripts.
    "accounts:login_passkey_set_up",
    "accounts:login_passkey_register_begin",
    "accounts:login_passkey_register_complete",
    "accounts:login_passkey_begin",
    "accounts:login_passkey_complete",
    "accounts:passkey_jsi18n",
    "accounts:reset",
    "accounts:reset_sent",
    "accounts:reset_password",
    "accounts:reset_passcode",
    # A new contact's set-up link, e-mailed when the council approves the contact.
    "accounts:set_up",
    # Single sign-on: the button on the sign-in page starts it, the council's identity provider
    # sends the person back to the callback.
    "accounts:sso_start",
    "accounts:sso_callback",
    # The API answers by its bearer token (401 in JSON without one), never by the site's log-in;
    # its OpenAPI description and Swagger UI are public.
    "api_referral_list",
    "api_referral_detail",
    # A provider's systems, by a provider's key.
    "provider_api_referral_list",
    "provider_api_referral_detail",
    "provider_api_referral_accept",
    "provider_api_referral_refuse",
    "provider_api_referral_delay",
    "provider_api_referral_fail",
    "provider_api_referral_update",
    "provider_api_referral_actuals",
    "provider_api_actuals",
    "provider_api_actuals_csv",
    "provider_api_cplis",
    "provider_api_disputes",
    "provider_api_invoices",
    "provider_api_payments",
    "api_schema",
    "api_docs",
    "core:healthz",
    "core:accessibility",
    "core:privacy",
    # Help: the index, the glossary and what's new open to anyone (the log-in pages' trouble-
    # shooting and the front door's help are public topics); other topics ask for log-in.
    "help:index",
    "help:topic",
    "help:glossary",
    "help:whats_new",
    # The front door is for residents, families and professionals: no log-in anywhere in it.
    "care:start",
    "care:question",
    "care:check",
    "care:result",
    "care:urgent",
    "care:track",
    "care:track_link",
    "care:track_detail",
    "care:feedback",
    "care:support",
    "care:appointment_start",
    "care:appointment_time",
    "care:appointment_details",
    "care:appointment_check",
    "care:appointment_held",
    "care:appointment_confirm",
    "care:appointment_detail",
    "care:appointment_cancel",
}


def test_only_the_listed_views_are_open_without_log_in():
    public = {
        name
        for name, pattern, _takes_args in ALL_URLS
        if getattr(pattern.callback, "login_required", True) is False
    }
    assert public == PUBLIC


def test_anonymous_visitors_are_sent_to_log_in_everywhere_else(client):
    from django.urls import reverse

    for name, _pattern, takes_args in ALL_URLS:
        if name in PUBLIC or takes_args:
            continue
        response = client.get(reverse(name))
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login")), name
