"""What a council adds to the help: its support contacts and its own words (do's and don'ts,
questions and answers, a note on a page). The portal's own guidance is written in the code
(`content/`) and drawn from the rulebook (`rules.py`); these rows are the council's, edited by
its administrators with a preview, each change audited with what it was and now is."""

from django.conf import settings
from django.db import models

from carebridge.help.choices import EntryKind
from carebridge.organisations.models import Council


class SupportContact(models.Model):
    """Who to call or write to at the council, and when (Bradford lists several teams)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="support_contacts")
    team = models.CharField(max_length=200)
    what_for = models.CharField("What to contact them about", max_length=300, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField("Opening hours", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["council", "order", "pk"]

    def __str__(self) -> str:
        return self.team


class HelpEntry(models.Model):
    """One of the council's own entries: a do, a don't, a question and its answer, or a short
    note shown beside the portal's guidance for one page (`topic`: a help topic's slug)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="help_entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    topic = models.SlugField(max_length=80, blank=True)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(max_length=5000)
    order = models.PositiveSmallIntegerField(default=0)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["council", "kind", "order", "pk"]
        constraints = [
            # A page has at most one note from each council; only a page note names a page.
            models.UniqueConstraint(
                fields=["council", "topic"],
                condition=models.Q(kind=EntryKind.PAGE_NOTE),
                name="help_one_note_per_page",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=EntryKind.PAGE_NOTE, topic__gt="")
                | (~models.Q(kind=EntryKind.PAGE_NOTE) & models.Q(topic="")),
                name="help_note_names_its_page",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()
