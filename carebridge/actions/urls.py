from django.urls import path

from carebridge.actions.views import inbox, new, notifications, thread

app_name = "actions"

urlpatterns = [
    path("", inbox.action_list, name="action_list"),
    path("new/", new.action_new, name="action_new"),
    path("<int:pk>/", thread.action_detail, name="action_detail"),
    path("<int:pk>/post/", thread.action_post, name="action_post"),
    path("attachments/<int:pk>/", thread.attachment_download, name="attachment_download"),
    path("email-notifications/", notifications.subscriptions, name="subscriptions"),
]
