from django.urls import path

from carebridge.help.views import glossary, manage, topics

app_name = "help"

urlpatterns = [
    path("", topics.index, name="index"),
    path("glossary/", glossary.glossary, name="glossary"),
    path("whats-new/", glossary.whats_new, name="whats_new"),
    # The council's own help: its administrators' pages.
    path("council/", manage.manage, name="manage"),
    # Each page's guidance (after the fixed addresses: no topic takes their names).
    path("<slug:slug>/", topics.topic, name="topic"),
]
