from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from carebridge.accounts import views
from carebridge.accounts.views import passkeys as passkey_views
from carebridge.accounts.views import sso as sso_views
from carebridge.core.ratelimits import rate_limited

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/second-step/", views.login_second_step, name="login_second_step"),
    path("login/new-password/", views.login_new_password, name="login_new_password"),
    path("login/new-passcode/", views.login_new_passcode, name="login_new_passcode"),
    path("login/authenticator/", views.login_authenticator, name="login_authenticator"),
    path("logout/", views.logout_view, name="logout"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path("sso/<slug:council_slug>/", sso_views.sso_start, name="sso_start"),
    path("sso-settings/", sso_views.sso_settings, name="sso_settings"),
    path("reset/", views.reset_request, name="reset"),
    path("reset/sent/", views.reset_sent, name="reset_sent"),
    path("reset/password/<str:token>/", views.reset_password, name="reset_password"),
    path("reset/passcode/<str:token>/", views.reset_passcode, name="reset_passcode"),
    path("set-up/<str:token>/", views.set_up, name="set_up"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/passcode/", views.passcode_change, name="passcode_change"),
    path("account/email/", views.email_change, name="email_change"),
    path("account/email/sent/", views.email_change_sent, name="email_change_sent"),
    path(
        "account/email/confirm/<str:token>/",
        views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("account/authenticator/", views.authenticator_enrol, name="authenticator_enrol"),
    path("account/authenticator/remove/", views.authenticator_remove, name="authenticator_remove"),
    path("account/passkeys/", passkey_views.passkeys_page, name="passkeys"),
    path("account/passkeys/add/", passkey_views.passkey_add, name="passkey_add"),
    path("account/passkeys/<int:pk>/name/", passkey_views.passkey_rename, name="passkey_rename"),
    path("account/passkeys/<int:pk>/remove/", passkey_views.passkey_remove, name="passkey_remove"),
    path(
        "account/passkeys/register/begin/",
        passkey_views.AccountRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "account/passkeys/register/complete/",
        passkey_views.AccountRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    path("login/passkey-set-up/", passkey_views.login_passkey_set_up, name="login_passkey_set_up"),
    path(
        "login/passkey/register/begin/",
        passkey_views.LoginRegisterBegin.as_view(),
        name="login_passkey_register_begin",
    ),
    path(
        "login/passkey/register/complete/",
        passkey_views.LoginRegisterComplete.as_view(),
        name="login_passkey_register_complete",
    ),
    path(
        "login/passkey/begin/", passkey_views.LoginAuthBegin.as_view(), name="login_passkey_begin"
    ),
    path(
        "login/passkey/complete/",
        # Limited as the password step is: each try is a guess at the account's second step.
        rate_limited("log-in")(passkey_views.LoginAuthComplete.as_view()),
        name="login_passkey_complete",
    ),
    path(
        "passkeys/jsi18n/",
        login_not_required(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="passkey_jsi18n",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/<str:action>/", views.user_action, name="user_action"),
]
