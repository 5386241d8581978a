from typing import Any

from django.apps import AppConfig

from carebridge.core import attention


class ActualsConfig(AppConfig):
    name = "carebridge.actuals"
    label = "actuals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.actuals.selectors import actuals_attention_for
        from carebridge.contracts.signals import cpli_dates_changed

        attention.register(actuals_attention_for, order=50)

        def replan(sender: Any, cplis: Any, by: Any, **kwargs: Any) -> None:
            from carebridge.actuals.services import actuals_replan

            actuals_replan(cplis, by)

        # A strong reference: the receiver lives as long as the app.
        cpli_dates_changed.connect(replan, weak=False, dispatch_uid="actuals_replan")
