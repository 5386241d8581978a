"""Object access for actions: 404 when the acting user may not read the action (another
provider's, another council's, or a safeguarding concern outside the safeguarding team), and
attachments only through an action the user may read."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.actions.models import Action, Attachment
from carebridge.actions.selectors import actions_visible_to
from carebridge.core.permissions import Function, can_edit


def access_action(user: User, pk: int, *, for_change: bool = False) -> Action:
    action = (
        actions_visible_to(user)
        .select_related(
            "council",
            "provider",
            "action_type",
            "assigned_team",
            "service_user",
            "contract",
            "service",
            "cpli__service_user",
            "cpli__service",
            "contract_document",
            "contact",
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404("No such action")
    if for_change and not can_edit(user.role, Function.ACTIONS):
        raise PermissionDenied
    return action


def access_attachment(user: User, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.filter(pk=pk, post__action__in=actions_visible_to(user))
        .select_related("post__action")
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment")
    return attachment
