from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carebridge.core"
    label = "core"

    def ready(self) -> None:
        from carebridge.core import checks  # noqa: F401 (registers the deploy checks)
