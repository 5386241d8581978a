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
