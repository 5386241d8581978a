from django.apps import AppConfig

from carebridge.core import attention


class AccountsConfig(AppConfig):
    name = "carebridge.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.accounts.selectors import attention_for_accounts

        attention.register(attention_for_accounts, order=10)
