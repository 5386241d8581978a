from django.urls import path

from carebridge.subjectaccess import views

app_name = "subjectaccess"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("find/", views.find, name="find"),
    path("people/<int:person_pk>/new/", views.request_create, name="request_create"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/export/", views.export_prepare, name="export_prepare"),
    path(
        "<int:pk>/exports/<int:export_pk>/download/",
        views.export_download,
        name="export_download",
    ),
    path("<int:pk>/<slug:decision>/", views.request_decide, name="request_decide"),
]
