from django.urls import path

from carebridge.people import views

app_name = "people"

urlpatterns = [
    path("", views.service_user_list, name="service_user_list"),
    path("<int:pk>/", views.service_user_detail, name="service_user_detail"),
    path("<int:pk>/client-level-data/", views.cld_details, name="cld_details"),
    path("<int:pk>/correct/", views.rectify, name="rectify"),
]
