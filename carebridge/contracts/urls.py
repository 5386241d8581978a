from django.urls import path

from carebridge.contracts import views, views_council

app_name = "contracts"

urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views_council.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("documents/<int:pk>/agree/", views.document_agree, name="document_agree"),
    path("documents/<int:pk>/reject/", views.document_reject, name="document_reject"),
    path("documents/<int:pk>/reissue/", views_council.document_reissue, name="document_reissue"),
    path(
        "documents/<int:pk>/terminate/",
        views_council.document_terminate,
        name="document_terminate",
    ),
]
