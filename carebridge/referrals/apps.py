from django.apps import AppConfig

from carebridge.core import attention


class ReferralsConfig(AppConfig):
    name = "carebridge.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Home pages read the registry; selectors import models, so they load once apps are ready.
        from carebridge.referrals.selectors import referral_attention_for

        attention.register(referral_attention_for, order=20)
