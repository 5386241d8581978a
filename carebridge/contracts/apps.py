from django.apps import AppConfig

from carebridge.core import attention


class ContractsConfig(AppConfig):
    name = "carebridge.contracts"
    label = "contracts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.contracts.selectors import contract_attention_for

        attention.register(contract_attention_for, order=30)

        from carebridge.contracts.emails import register_digest_sections

        register_digest_sections()
