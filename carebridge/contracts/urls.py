from django.urls import path

from carebridge.contracts import views

app_name = "contracts"

urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("documents/<int:pk>/agree/", views.document_agree, name="document_agree"),
    path("documents/<int:pk>/reject/", views.document_reject, name="document_reject"),
]
