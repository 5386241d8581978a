from django.apps import AppConfig

from carebridge.core import attention


class OrganisationsConfig(AppConfig):
    name = "carebridge.organisations"
    label = "organisations"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.organisations.selectors import change_request_attention_for

        attention.register(change_request_attention_for, order=40)
