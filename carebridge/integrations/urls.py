"""A council administrator's pages for the council's own systems, under /integrations/."""

from django.urls import path

from carebridge.integrations.views import connections

app_name = "integrations"

urlpatterns = [
    path("case-management/", connections.case_system, name="case_system"),
    path("dataverse/", connections.dataverse, name="dataverse"),
    path("nhs-demographics/", connections.pds, name="pds"),
    path("deliveries/", connections.deliveries, name="deliveries"),
    path("polls/", connections.polls, name="polls"),
]
