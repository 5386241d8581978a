from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "carebridge.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the bearer scheme with drf-spectacular; the import is the registration.
        from carebridge.integrations import schema  # noqa: F401
