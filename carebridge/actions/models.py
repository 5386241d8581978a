"""Actions: threaded conversations between a provider and a council team, each about something
(a client, a contract, a CPLI...), assigned to one side at a time, with a due date. Kept for ever
for audit; only the council closes one."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from carebridge.actions.choices import RELATED_FIELD, ActionStatus, PostKind, RelatedKind
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.organisations.models import Contract, Council, Provider, Service, Team
from carebridge.people.models import ServiceUser


class ActionType(models.Model):
    """An item of the council's catalogue of action types, with the team it goes to (none: the
    person raising it chooses the team)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="action_types")
    name = models.CharField(max_length=200)
    default_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_safeguarding = models.BooleanField(
        default=False,
        help_text="A safeguarding concern: urgent, straight to the safeguarding team, seen only "
        "by that team and the provider that raised it.",
    )
    is_signed_contract = models.BooleanField(
        "For signed residential or nursing contracts",
        default=False,
        help_text="The type a residential or nursing provider sends its physically signed "
        "contract with, about the client, to the type's team (Stockport's guide, appendix 1).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="action_type_name_unique_in_council"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Action(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="actions")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="actions")
    action_type = models.ForeignKey(ActionType, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=200)
    related_kind = models.CharField(max_length=30, choices=RelatedKind.choices)
    # What the action is about: the one field its related_kind names (a provider needs none).
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    cpli = models.ForeignKey(
        Cpli, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    contract_document = models.ForeignKey(
        ContractDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions_about",
    )
    # The id of what the action is about where an app above actions holds it (an invoice):
    # actions cannot name its model, so the app answers for it (core.related_to).
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    # None where the council lets a provider leave it unset (Rulebook's
    # actions_provider_due_date_required): such an action is never overdue.
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    # Assigned to a council team, or (no team) to the provider.
    assigned_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    urgent = models.BooleanField(default=False)
    is_safeguarding = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    last_post_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ActionStatus.OPEN, closed_at__isnull=True)
                | models.Q(status=ActionStatus.CLOSED, closed_at__isnull=False),
                name="action_closed_has_closed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "last_post_at"]),
            # A council team's inbox: its open actions, newest post first.
            models.Index(fields=["council", "assigned_team", "status", "last_post_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    @property
    def assigned_to_provider(self) -> bool:
        return self.assigned_team_id is None

    def is_overdue_on(self, day: date) -> bool:
        """Open past its due date on `day` (an action without one never is)."""
        return self.is_open and self.due_date is not None and self.due_date < day

    @property
    def related(self) -> models.Model | None:
        """The thing the action is about, where the action holds it (a dispute holds its own
        link to its action, so a dispute's action has none here)."""
        field = RELATED_FIELD.get(RelatedKind(self.related_kind))
        return getattr(self, field) if field is not None else None


class Post(models.Model):
    """One entry of an action's thread: who wrote what, and what it did to the assignment."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(max_length=20, choices=PostKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's organisation as it was named when they wrote.
    organisation = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    assigned_to = models.CharField(
        max_length=200, blank=True, help_text="Whom the action was assigned to by this post."
    )
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.action}"


class Attachment(models.Model):
    """A file posted on an action: checked by content, not by name, and only ever served to
    those who can read the action."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="actions/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
