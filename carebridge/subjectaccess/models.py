from django.conf import settings
from django.db import models

from carebridge.organisations.models import Council
from carebridge.people.models import ServiceUser
from carebridge.subjectaccess.choices import Requester, RequestStatus

NAME_MAX = 200
METHOD_MAX = 300
REASON_MAX = 2000


class SubjectAccessRequest(models.Model):
    """A person's request (or their representative's) for a copy of everything the council holds
    about them (UK GDPR art. 15), answered within one calendar month of receipt."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requester = models.CharField(max_length=20, choices=Requester.choices)
    requester_name = models.CharField("Who asked", max_length=NAME_MAX)
    representative_authority = models.CharField(
        "The representative's authority",
        max_length=METHOD_MAX,
        blank=True,
        help_text="For a representative: a lasting power of attorney, written consent...",
    )
    received_on = models.DateField("Received")
    due_on = models.DateField("Due")
    identity_verified = models.BooleanField(default=False)
    identity_verified_on = models.DateField(null=True, blank=True)
    identity_method = models.CharField(
        "How identity was verified", max_length=METHOD_MAX, blank=True
    )
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    extension_reason = models.TextField(blank=True, max_length=REASON_MAX)
    refusal_reason = models.TextField(blank=True, max_length=REASON_MAX)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["council", "status", "due_on"])]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} ({self.service_user.ss_ref})"


class SubjectAccessExport(models.Model):
    """One export of a request's records, downloadable once, by the officer who prepared it."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="exports"
    )
    prepared_at = models.DateTimeField()
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-pk"]

    def __str__(self) -> str:
        return f"Export {self.pk} of subject access request {self.request_id}"
