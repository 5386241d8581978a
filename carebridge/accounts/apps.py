from django.apps import AppConfig

from carebridge.core import attention


class AccountsConfig(AppConfig):
    name = "carebridge.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.accounts.receivers import contact_change_apply
        from carebridge.accounts.selectors import attention_for_accounts
        from carebridge.organisations.models import ChangeRequest
        from carebridge.organisations.signals import contact_change_approved

        attention.register(attention_for_accounts, order=10)
        contact_change_approved.connect(
            contact_change_apply, sender=ChangeRequest, dispatch_uid="accounts.contact_change"
        )
