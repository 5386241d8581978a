from django.urls import path

from carebridge.retention import views

app_name = "retention"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("schedule/", views.schedule_edit, name="schedule"),
    path("holds/new/", views.hold_place, name="hold_place"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
]
