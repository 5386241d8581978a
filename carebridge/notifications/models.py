"""The e-mail outbox: what each user chose to receive, and every e-mail to send as a row.

The tables were made by the actions app and keep their names (`db_table`), so moving the models
here lost no row (migrations 0001 of this app and 0004 of actions change the state only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    """What a user can subscribe to: immediate e-mails, and the daily digest's sections."""

    ACTIONS_IMMEDIATE = "actions_immediate", "Actions (immediate)"
    PASSWORD_IMMEDIATE = "password_immediate", "Password change (immediate)"
    DAILY_ACTIONS = "daily_actions", "Actions"
    DAILY_CPLIS = "daily_cplis", "Care package line items"
    DAILY_CONTRACT_DOCUMENTS = "daily_contract_documents", "Contract documents"
    DAILY_INVOICES = "daily_invoices", "Invoices/Credit Notes"
    DAILY_DISPUTES = "daily_disputes", "Disputes"
    DIGEST = "digest", "Daily summary"
    FRONT_DOOR = "front_door", "Front door"


class Subscription(models.Model):
    """A user's choice of e-mails. Without a row, the defaults: the immediate ones only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription"
    )
    actions_immediate = models.BooleanField("Actions (immediate)", default=True)
    password_immediate = models.BooleanField("Password change (immediate)", default=True)
    daily_actions = models.BooleanField("Actions", default=False)
    daily_cplis = models.BooleanField("Care package line items", default=False)
    daily_contract_documents = models.BooleanField("Contract documents", default=False)
    daily_invoices = models.BooleanField("Invoices/Credit Notes", default=False)
    daily_disputes = models.BooleanField("Disputes", default=False)
    daily_scheduled_payments = models.BooleanField("Scheduled Payments", default=False)
    daily_payment_exceptions = models.BooleanField("Payments Exceptions", default=False)

    class Meta:
        db_table = "actions_subscription"

    def __str__(self) -> str:
        return f"E-mails for {self.user}"


class Notification(models.Model):
    """One e-mail to send, kept as an outbox row: its key makes the same notification once
    only, and a claim before sending keeps two workers from both sending it. It goes to a user,
    or to an address alone (a resident who used the front door has no account)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    to_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "actions_notification"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(to_email=""),
                name="notification_has_a_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"

    @property
    def recipient(self) -> str:
        return self.user.email if self.user is not None else self.to_email
