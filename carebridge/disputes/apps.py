from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "carebridge.disputes"
    label = "disputes"
    verbose_name = "Disputes"
