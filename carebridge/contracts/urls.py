from django.urls import path

from carebridge.contracts.views import council, documents, service_levels

app_name = "contracts"

urlpatterns = [
    path("documents/", documents.document_list, name="document_list"),
    path("documents/new/", council.document_new, name="document_new"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/pdf/", documents.document_pdf, name="document_pdf"),
    path("documents/<int:pk>/agree/", documents.document_agree, name="document_agree"),
    path("documents/<int:pk>/reject/", documents.document_reject, name="document_reject"),
    path("documents/<int:pk>/reissue/", council.document_reissue, name="document_reissue"),
    path(
        "documents/<int:pk>/terminate/",
        council.document_terminate,
        name="document_terminate",
    ),
    # The council's service levels and their payment settings (its administrators change them).
    path("service-levels/", service_levels.service_level_list, name="service_level_list"),
    path(
        "service-levels/<int:pk>/edit/",
        service_levels.service_level_edit,
        name="service_level_edit",
    ),
]
