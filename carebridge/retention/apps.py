from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "carebridge.retention"
    label = "retention"
    verbose_name = "Records retention"
