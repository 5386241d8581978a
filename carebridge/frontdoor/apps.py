from django.apps import AppConfig

from carebridge.core import attention


class FrontDoorConfig(AppConfig):
    name = "carebridge.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.frontdoor.requests.selectors import front_door_attention_for

        attention.register(front_door_attention_for, order=60)
        # The council's CRM webhook is kept in the front door's settings.
        from carebridge.frontdoor.requests.crm import crm_webhook_of
        from carebridge.integrations.crm import crm_webhook_lookup_register

        crm_webhook_lookup_register(crm_webhook_of)
        # A correction of a person's details reaches the requests that became them.
        from carebridge.frontdoor.requests.services import rectify
        from carebridge.people.signals import service_user_rectified

        service_user_rectified.connect(rectify.requests_rectify, dispatch_uid=rectify.DISPATCH_UID)
