from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "carebridge.disputes"
    label = "disputes"
    verbose_name = "Disputes"

    def ready(self) -> None:
        # The daily summary's Disputes section (notifications sits below disputes).
        from carebridge.disputes.emails import register_digest_sections

        register_digest_sections()

        # A row in an open dispute stays amendable after its period's payment is processed
        # (actuals sits beside disputes and asks core.holds, never disputes).
        from carebridge.core import holds
        from carebridge.disputes.selectors import held_for_amending

        holds.register(held_for_amending)

        # An action about a dispute says which, linking to it (actions sits beside disputes and
        # asks core.related_to, never disputes).
        from carebridge.actions.choices import RelatedKind
        from carebridge.core import related_to
        from carebridge.disputes.selectors import related_to_actions

        related_to.register(RelatedKind.DISPUTE, related_to_actions)
