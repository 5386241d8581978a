from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "carebridge.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Receivers import services, which import models: connected once apps are ready.
        from carebridge.actuals.models import Actual
        from carebridge.actuals.signals import actuals_amended
        from carebridge.payments.receivers import actuals_amended_follow

        actuals_amended.connect(
            actuals_amended_follow, sender=Actual, dispatch_uid="payments.actuals_amended"
        )

        # A scheduled line's end date moved after its block was paid: a payment exception.
        from carebridge.contracts.models import Cpli
        from carebridge.contracts.signals import cpli_dates_changed
        from carebridge.payments.receivers import cpli_dates_changed_follow

        cpli_dates_changed.connect(
            cpli_dates_changed_follow, sender=Cpli, dispatch_uid="payments.cpli_dates_changed"
        )

        # A client's non-engagement three weeks running asks the operational team for a
        # package review (actuals cannot raise actions, its sibling).
        from carebridge.actuals.models import PackageReview
        from carebridge.actuals.signals import package_review_due
        from carebridge.payments.receivers import package_review_due_raise

        package_review_due.connect(
            package_review_due_raise,
            sender=PackageReview,
            dispatch_uid="payments.package_review_due",
        )

        # The daily summary's section on invoices (notifications sits below payments).
        from carebridge.payments.emails import register_digest_sections

        register_digest_sections()

        # "Ask for a temporary CPLI" on the actuals pages' rows over the exception (actuals
        # sits below payments and never names its pages).
        from carebridge.core import row_links
        from carebridge.payments.row_links import variation_row_links

        row_links.register(variation_row_links, order=10)

        # A purchase order's spend to date: what finalised runs paid (contracts sits below).
        from carebridge.core import spend
        from carebridge.payments.spend import finalised_spend

        spend.register(finalised_spend)

        # "Related to: Invoice" on a new action, and the invoice named and linked on the
        # actions pages (actions sits below payments and never names an invoice).
        from carebridge.actions.choices import RelatedKind
        from carebridge.core import related_to
        from carebridge.payments.related import invoice_choices, related_to_actions

        related_to.register_choices(RelatedKind.INVOICE, invoice_choices)
        related_to.register(RelatedKind.INVOICE, related_to_actions)

        # The council's scheduled blocks may not be cut differently once one is paid
        # (organisations sits below payments, so it asks).
        from carebridge.organisations.services.payment_settings import SCHEDULE_LOCKS
        from carebridge.payments.selectors.run_sources import schedule_change_refusal

        if schedule_change_refusal not in SCHEDULE_LOCKS:
            SCHEDULE_LOCKS.append(schedule_change_refusal)
