from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "carebridge.disputes"
    label = "disputes"
    verbose_name = "Disputes"

    def ready(self) -> None:
        # The daily summary's Disputes section (notifications sits below disputes).
        from carebridge.disputes.emails import register_digest_sections

        register_digest_sections()
