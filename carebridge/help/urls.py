from django.urls import path

from carebridge.help.views import glossary, manage, topics

app_name = "help"

urlpatterns = [
    path("", topics.index, name="index"),
    path("glossary/", glossary.glossary, name="glossary"),
    path("whats-new/", glossary.whats_new, name="whats_new"),
    # The council's own help: its administrators' pages.
    path("council/", manage.manage, name="manage"),
    path("council/contacts/add/", manage.contact_add, name="contact_add"),
    path("council/contacts/<int:pk>/", manage.contact_edit, name="contact_edit"),
    path("council/contacts/<int:pk>/remove/", manage.contact_remove, name="contact_remove"),
    # An entry's kind is chosen by the page that links here: ?kind=do, dont, faq or page_note.
    path("council/entries/add/", manage.entry_add, name="entry_add"),
    path("council/entries/<int:pk>/", manage.entry_edit, name="entry_edit"),
    path("council/entries/<int:pk>/remove/", manage.entry_remove, name="entry_remove"),
    # Each page's guidance (after the fixed addresses: no topic takes their names).
    path("<slug:slug>/", topics.topic, name="topic"),
]
