from django.conf import settings
from django.db import models

from carebridge.organisations.models import Council


class ApiToken(models.Model):
    """A key a council's own system (e.g. its case-management feed) uses to call the API."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. Case management.")
    # Only a SHA-256 of the key is kept: it is long and random, so a slow hash adds nothing.
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        max_length=8, help_text="The key's first characters, to tell keys apart."
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["council", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CrmDelivery(models.Model):
    """One push of a front-door request to its council's CRM: an outbox row whose key makes it
    once only, retried until the CRM takes it or support is told it could not."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="crm_deliveries")
    request = models.ForeignKey(
        "frontdoor.FrontDoorRequest", on_delete=models.CASCADE, related_name="crm_deliveries"
    )
    event = models.CharField(max_length=30, help_text='What happened, e.g. "submitted".')
    # Also sent as X-Carebridge-Delivery, so the CRM can ignore a repeat of a post it took.
    key = models.CharField(max_length=100, unique=True)
    payload = models.JSONField(help_text="The JSON posted, as it was when the push was queued.")
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retried_at = models.DateTimeField(
        null=True, blank=True, help_text="When support last sent it again: its tries start over."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failure that may pass, when to try again."
    )
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    crm_reference = models.CharField(
        "CRM reference", max_length=100, blank=True, help_text="The CRM's own reference, if given."
    )
    gave_up = models.BooleanField(
        default=False, help_text="No more tries: refused by the CRM, or failing for too long."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "CRM deliveries"
        indexes = [models.Index(fields=["delivered_at", "gave_up", "created_at"])]

    def __str__(self) -> str:
        return self.key
