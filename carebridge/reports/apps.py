from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "carebridge.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Each module of the catalogue registers its report when imported.
        from carebridge.reports import catalogue

        catalogue.discover()
