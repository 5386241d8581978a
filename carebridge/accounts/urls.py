from django.urls import path

from carebridge.accounts import views
from carebridge.accounts.views import sso as sso_views

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
    path("account/authenticator/", views.authenticator_enrol, name="authenticator_enrol"),
    path("account/authenticator/remove/", views.authenticator_remove, name="authenticator_remove"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/<str:action>/", views.user_action, name="user_action"),
]
