from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "carebridge.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door"
    default_auto_field = "django.db.models.BigAutoField"
