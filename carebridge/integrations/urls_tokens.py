"""A provider's API keys, mounted at /organisation/api-keys/ (its Super Users only)."""

from django.urls import path

from carebridge.integrations.views import tokens

app_name = "api_tokens"

urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("new/", tokens.token_create, name="create"),
    path("<int:pk>/revoke/", tokens.token_revoke, name="revoke"),
]
