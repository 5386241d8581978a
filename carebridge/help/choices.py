from django.db import models


class EntryKind(models.TextChoices):
    """What a council adds beside the portal's own help."""

    DO = "do", "Do"
    DONT = "dont", "Don't"
    FAQ = "faq", "Question and answer"
    PAGE_NOTE = "page_note", "Note on a page"
