from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "carebridge.actions"
    label = "actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from carebridge.actions.emails import register_digest_sections

        register_digest_sections()
