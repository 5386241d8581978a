from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carebridge.audit"
    label = "audit"

    def ready(self) -> None:
        from carebridge.audit import receivers  # noqa: F401  (connects the signals it hears)
