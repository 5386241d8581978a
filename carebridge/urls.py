from django.urls import include, path

urlpatterns = [
    path("", include("carebridge.core.urls")),
    path("accounts/", include("carebridge.accounts.urls")),
    path("service-users/", include("carebridge.people.urls")),
    path("audit/", include("carebridge.audit.urls")),
]

handler403 = "carebridge.core.errors.forbidden"
handler404 = "carebridge.core.errors.not_found"
handler500 = "carebridge.core.errors.server_error"
