from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from carebridge.integrations.api_docs import api_docs_view

urlpatterns = [
    path("", include("carebridge.home.urls")),
    path("", include("carebridge.core.urls")),
    path("accounts/", include("carebridge.accounts.urls")),
    path("service-users/", include("carebridge.people.urls")),
    path("audit/", include("carebridge.audit.urls")),
    path("referrals/", include("carebridge.referrals.urls")),
    path("contracts/", include("carebridge.contracts.urls")),
    path("cplis/", include("carebridge.contracts.urls_cplis")),
    path("actuals/", include("carebridge.actuals.urls")),
    path("organisation/", include("carebridge.organisations.urls")),
    path("actions/", include("carebridge.actions.urls")),
    path("payments/", include("carebridge.payments.urls")),
    path("disputes/", include("carebridge.disputes.urls")),
    path("front-door/", include("carebridge.frontdoor.urls")),
    path("reports/", include("carebridge.reports.urls")),
    path("subject-access/", include("carebridge.subjectaccess.urls")),
    path("retention/", include("carebridge.retention.urls")),
    path("care-and-support/", include("carebridge.frontdoor.urls_public")),
    path("integrations/", include("carebridge.integrations.urls")),
    path("help/", include("carebridge.help.urls")),
    path("organisation/api-keys/", include("carebridge.integrations.urls_tokens")),
    path("api/v1/", include("carebridge.referrals.api_urls")),
    # A provider's own systems (rostering, call monitoring), with a provider's key.
    path("api/v1/provider/", include("carebridge.referrals.provider_api_urls")),
    path("api/v1/provider/", include("carebridge.actuals.api_urls")),
    path("api/v1/provider/", include("carebridge.payments.api_urls")),
    # The API's description is public and ignores any token sent with it; Swagger UI's page
    # has a CSP of its own (carebridge/integrations/api_docs.py).
    path(
        "api/schema/",
        login_not_required(SpectacularAPIView.as_view(authentication_classes=[])),
        name="api_schema",
    ),
    path(
        "api/docs/",
        api_docs_view(url_name="api_schema", authentication_classes=[]),
        name="api_docs",
    ),
]

handler403 = "carebridge.core.errors.forbidden"
handler404 = "carebridge.core.errors.not_found"
handler500 = "carebridge.core.errors.server_error"
