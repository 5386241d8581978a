from django.apps import AppConfig


class ActualsConfig(AppConfig):
    name = "carebridge.actuals"
    label = "actuals"
    default_auto_field = "django.db.models.BigAutoField"
