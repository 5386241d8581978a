"""The hubs pages: officer_patterns under /front-door/ (namespace "frontdoor"), public_patterns
under /care-and-support/<council>/ (namespace "care")."""

from django.urls import URLPattern, path

from carebridge.frontdoor.hubs.views import officer, public

officer_patterns: list[URLPattern] = [
    path("hubs/", officer.hub_list, name="hub_list"),
    path("hubs/new/", officer.hub_new, name="hub_new"),
    path("hubs/<int:pk>/", officer.hub_detail, name="hub_detail"),
    path("hubs/<int:pk>/edit/", officer.hub_edit, name="hub_edit"),
    path("hubs/<int:pk>/publish/", officer.slots_publish, name="slots_publish"),
    path("slots/<int:pk>/withdraw/", officer.slot_withdraw, name="slot_withdraw"),
    path("bookings/<int:pk>/cancel/", officer.booking_cancel, name="booking_cancel"),
]

public_patterns: list[URLPattern] = [
    path("appointments/", public.appointment_start, name="appointment_start"),
    path("appointments/time/", public.appointment_time, name="appointment_time"),
    path("appointments/your-details/", public.appointment_details, name="appointment_details"),
    path("appointments/check-your-answers/", public.appointment_check, name="appointment_check"),
    path("appointments/check-your-email/", public.appointment_held, name="appointment_held"),
    path(
        "appointments/confirm/<str:token>/",
        public.appointment_confirm,
        name="appointment_confirm",
    ),
    path(
        "appointments/booking/<str:token>/",
        public.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/booking/<str:token>/cancel/",
        public.appointment_cancel,
        name="appointment_cancel",
    ),
]
