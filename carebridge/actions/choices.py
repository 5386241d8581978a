"""The words of actions: what an action is about, its states and the kinds of post."""

from django.db import models


class RelatedKind(models.TextChoices):
    CLIENT = "client", "Client"
    CONTRACT = "contract", "Contract"
    SERVICE = "service", "Service"
    CPLI = "cpli", "Care package line item"
    CONTRACT_DOCUMENT = "contract_document", "Contract document"
    CONTACT = "contact", "Contact"
    PROVIDER = "provider", "Provider"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PostKind(models.TextChoices):
    CREATED = "created", "Created"
    COMMENT = "comment", "Comment"
    REPLY = "reply", "Reply"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    CLOSED = "closed", "Closed"
