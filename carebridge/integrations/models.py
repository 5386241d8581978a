import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from carebridge.organisations.models import Council, Provider


class ApiToken(models.Model):
    """A key a system uses to call the API: a council's own system (its case-management feed),
    or a provider's (its rostering or call-monitoring system). A provider's token is made by one
    of its Super Users and acts with that user's rights, for that provider only."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="api_tokens", null=True, blank=True
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="api_tokens", null=True, blank=True
    )
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
        ordering = ["council", "provider", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(council__isnull=False, provider__isnull=True)
                | models.Q(council__isnull=True, provider__isnull=False),
                name="api_token_council_or_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Delivery(models.Model):
    """What every outbound row has (core.outbox): a unique key that makes it once only (also
    sent to the peer, so it can ignore a repeat of a post it took), the payload as it was when
    queued, and the state of its tries."""

    # Also sent as X-Carebridge-Delivery, so the peer can ignore a repeat of a post it took.
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
    gave_up = models.BooleanField(
        default=False, help_text="No more tries: refused by the peer, or failing for too long."
    )

    class Meta:
        abstract = True


class CrmDelivery(Delivery):
    """One push of a front-door request to its council's CRM: an outbox row whose key makes it
    once only, retried until the CRM takes it or support is told it could not."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="crm_deliveries")
    request = models.ForeignKey(
        "frontdoor.FrontDoorRequest", on_delete=models.CASCADE, related_name="crm_deliveries"
    )
    event = models.CharField(max_length=30, help_text='What happened, e.g. "submitted".')
    crm_reference = models.CharField(
        "CRM reference", max_length=100, blank=True, help_text="The CRM's own reference, if given."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "CRM deliveries"
        indexes = [models.Index(fields=["delivered_at", "gave_up", "created_at"])]

    def __str__(self) -> str:
        return self.key


class CaseSystem(models.Model):
    """A council's case-management system, both ways: its referral feed, polled on the
    rulebook's interval (`Rulebook.case_feed_poll_seconds`) from a checkpoint, and the updates
    sent back for every referral it sent (an acknowledgement, then each answer), as CaseUpdate
    rows. The wire protocol is in docs/decisions/0013-integrations.md."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, primary_key=True, related_name="case_system"
    )
    name = models.CharField(
        max_length=100, default="Case management", help_text="What the council calls it."
    )
    base_url = models.URLField(
        "Address", help_text="The system's API root: the feed is at <address>/referrals."
    )
    # Sent as Authorization: Bearer <key> on every call to the system.
    api_key = models.CharField("API key", max_length=500, blank=True)
    # Signs every update sent (HMAC-SHA256 of the body, X-Carebridge-Signature).
    signing_secret = models.CharField(max_length=200, blank=True)
    polling_enabled = models.BooleanField(default=True, help_text="Ask the feed for new referrals.")
    updates_enabled = models.BooleanField(
        default=True, help_text="Send the acknowledgement and every answer back to the system."
    )
    checkpoint = models.CharField(
        max_length=200, blank=True, help_text="Where the next poll starts: the feed's own cursor."
    )
    next_poll_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(
        default=0, help_text="Polls failed in a row: each waits longer before the next."
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} of {self.council}"


class FeedPoll(models.Model):
    """One poll of a council's referral feed and what came of it."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="feed_polls")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    checkpoint_before = models.CharField(max_length=200, blank=True)
    checkpoint_after = models.CharField(max_length=200, blank=True)
    received = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # [{"id": the system's id, "reason": "…"}]: why each refused referral was refused.
    refusals = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the poll failed, when it did.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["council", "-started_at"])]

    def __str__(self) -> str:
        return f"Poll of {self.council} at {self.started_at:%Y-%m-%d %H:%M}"


class CaseUpdate(Delivery):
    """One change to a referral sent to the council's case-management system: an outbox row
    written in the same transaction as the change, delivered in order per referral (`sequence`
    1, 2, …; a row waits while an earlier one is undelivered)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="case_updates")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="case_updates"
    )
    sequence = models.PositiveIntegerField()
    event = models.CharField(max_length=30, help_text='What happened, e.g. "accepted".')

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "sequence"], name="case_update_sequence_unique"
            )
        ]
        indexes = [models.Index(fields=["delivered_at", "gave_up", "created_at"])]

    def __str__(self) -> str:
        return self.key


class DataverseConnection(models.Model):
    """A council's Dynamics 365 (Dataverse) environment, where front-door requests become a
    contact and a case and the team is alerted: used in place of the CRM webhook when set."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, primary_key=True, related_name="dataverse"
    )
    environment_url = models.URLField(
        help_text="The environment's address, like https://council.crm11.dynamics.com"
    )
    token_url = models.URLField(
        help_text="The OAuth 2.0 token endpoint, like "
        "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token"
    )
    client_id = models.CharField(max_length=100)
    client_secret = models.CharField(max_length=500)
    team_id = models.CharField(
        max_length=36, blank=True, help_text="The id of the team alerted to each new case."
    )
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Dataverse of {self.council}"


# A domain of at least two labels (nhs.net, council.gov.uk): a whole top-level domain never.
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")


class PdsConnection(models.Model):
    """A council's access to the NHS Personal Demographics Service (FHIR R4), which fills a
    person's name, date of birth, address and GP practice from their NHS number on the
    professionals' front door: application-restricted access, signed JWT client credentials."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, primary_key=True, related_name="pds_connection"
    )
    enabled = models.BooleanField(default=True)
    base_url = models.URLField(
        "Address",
        help_text="The API's root, like https://api.service.nhs.uk/personal-demographics/FHIR/R4",
    )
    token_url = models.URLField(
        help_text="The OAuth 2.0 token endpoint, like https://api.service.nhs.uk/oauth2/token"
    )
    # The application's API key: the signed JWT's issuer and subject.
    api_key = models.CharField("API key", max_length=200)
    key_id = models.CharField(
        max_length=100, help_text="The key's id (kid) in the JSON Web Key Set given to NHS England."
    )
    # The RSA private key (PEM) that signs the JWT; write-only, like CaseSystem's secrets.
    private_key = models.TextField(max_length=10000)
    ods_code = models.CharField(
        "ODS code",
        max_length=10,
        blank=True,
        help_text="The council's own ODS code, sent as the end-user organisation.",
    )
    trusted_email_domains = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Work e-mail domains whose professionals may look people up, one a line or "
        "comma-separated, like nhs.net",
    )

    def __str__(self) -> str:
        return f"NHS demographics of {self.council}"

    def clean(self) -> None:
        """The trusted domains, each a domain name with at least two parts, kept one a line."""
        domains = self.trusted_domains()
        wrong = [domain for domain in domains if not _DOMAIN.fullmatch(domain)]
        if wrong:
            raise ValidationError(
                {
                    "trusted_email_domains": f"{wrong[0][:100]} is not a domain: enter domains "
                    "like nhs.net, one a line"
                }
            )
        self.trusted_email_domains = "\n".join(domains)

    def trusted_domains(self) -> tuple[str, ...]:
        """The trusted domains, lower-case, without duplicates, in the order given."""
        found: dict[str, None] = {}
        for part in self.trusted_email_domains.replace(",", "\n").splitlines():
            domain = part.strip().lower().lstrip("@").rstrip(".")
            if domain:
                found[domain] = None
        return tuple(found)
