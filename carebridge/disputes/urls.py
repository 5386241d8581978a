from django.urls import path

from carebridge.disputes import views, views_settings

app_name = "disputes"

urlpatterns = [
    # The provider's pages.
    path("", views.dispute_list, name="dispute_list"),
    path("<int:pk>/", views.dispute_detail, name="dispute_detail"),
    # Either side's action about a dispute: raising it, or (once there is one) going to it.
    path("<int:pk>/action/", views.dispute_action, name="dispute_action"),
    # The council's: its list, a dispute and its decisions, and raising one on a provider's rows
    # of a period (linked from the council's review of that period).
    path("council/", views.council_list, name="council_list"),
    # The council's catalogue of reasons (before council/<pk>/..., which takes only numbers).
    path("council/reasons/", views_settings.reason_list, name="reason_list"),
    path(
        "council/reasons/<int:pk>/<slug:change>/",
        views_settings.reason_change,
        name="reason_change",
    ),
    path("council/<int:pk>/", views.council_detail, name="council_detail"),
    path("council/<int:pk>/<slug:decision>/", views.council_decide, name="council_decide"),
    path(
        "council/periods/<int:period_id>/providers/<int:provider_id>/raise/",
        views.dispute_raise,
        name="dispute_raise",
    ),
]
