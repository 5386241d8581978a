from django.urls import path

from carebridge.actions import views, views_notifications

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("new/", views.action_new, name="action_new"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/post/", views.action_post, name="action_post"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("email-notifications/", views_notifications.subscriptions, name="subscriptions"),
]
