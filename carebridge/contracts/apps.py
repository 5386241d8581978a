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

        # "Related to: Spot commitment / Value commitment" on a new action, and the line named
        # and linked on the actions pages: the action keeps the CPLI's id (related_id).
        from carebridge.actions.choices import RelatedKind
        from carebridge.contracts.related import (
            spot_commitment_actions,
            spot_commitment_choices,
            value_commitment_actions,
            value_commitment_choices,
        )
        from carebridge.core import related_to

        related_to.register_choices(RelatedKind.SPOT_COMMITMENT, spot_commitment_choices)
        related_to.register(RelatedKind.SPOT_COMMITMENT, spot_commitment_actions)
        related_to.register_choices(RelatedKind.VALUE_COMMITMENT, value_commitment_choices)
        related_to.register(RelatedKind.VALUE_COMMITMENT, value_commitment_actions)
