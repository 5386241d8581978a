from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "carebridge.payments"
    label = "payments"
    verbose_name = "Payments"
