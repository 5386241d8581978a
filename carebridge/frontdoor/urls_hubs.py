"""The hubs pages: officer_patterns under /front-door/ (namespace "frontdoor"), public_patterns
under /care-and-support/<council>/ (namespace "care")."""

from django.urls import URLPattern, path

from carebridge.frontdoor import views_hubs as views

officer_patterns: list[URLPattern] = [
    path("hubs/", views.hub_list, name="hub_list"),
    path("hubs/new/", views.hub_new, name="hub_new"),
    path("hubs/<int:pk>/", views.hub_detail, name="hub_detail"),
    path("hubs/<int:pk>/edit/", views.hub_edit, name="hub_edit"),
    path("hubs/<int:pk>/publish/", views.slots_publish, name="slots_publish"),
    path("slots/<int:pk>/withdraw/", views.slot_withdraw, name="slot_withdraw"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]

public_patterns: list[URLPattern] = [
    path("appointments/", views.appointment_start, name="appointment_start"),
    path("appointments/time/", views.appointment_time, name="appointment_time"),
    path("appointments/your-details/", views.appointment_details, name="appointment_details"),
    path("appointments/check-your-answers/", views.appointment_check, name="appointment_check"),
    path("appointments/check-your-email/", views.appointment_held, name="appointment_held"),
    path(
        "appointments/confirm/<str:token>/",
        views.appointment_confirm,
        name="appointment_confirm",
    ),
    path(
        "appointments/booking/<str:token>/",
        views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/booking/<str:token>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
]
