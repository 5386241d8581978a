from typing import Any

from django.apps import AppConfig


class ActualsConfig(AppConfig):
    name = "carebridge.actuals"
    label = "actuals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from carebridge.contracts.signals import cpli_dates_changed

        def replan(sender: Any, cplis: Any, by: Any, **kwargs: Any) -> None:
            from carebridge.actuals.services import actuals_replan

            actuals_replan(cplis, by)

        # A strong reference: the receiver lives as long as the app.
        cpli_dates_changed.connect(replan, weak=False, dispatch_uid="actuals_replan")
