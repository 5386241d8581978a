"""What the provider's answers and the council's withdrawal do alike: say why the referral's state
does not allow a step, and run the step's service with what it refuses shown on the form."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError

from carebridge.core.forms import GovForm
from carebridge.referrals import services
from carebridge.referrals.choices import ReferralEventKind
from carebridge.referrals.models import Referral


def refusal_of(referral: Referral, kind: ReferralEventKind) -> str:
    """The service's own words when the referral's state does not allow this step."""
    refusal = services.transition_refusal(referral, kind)
    return refusal.message if refusal else ""


def carried_out(form: GovForm, action: Callable[[], Referral]) -> Referral | None:
    """Run the service; a rule it finds broken is shown on the form."""
    try:
        return action()
    except services.TransitionRefused as refusal:
        form.add_error(None, refusal.message)
    except ValidationError as error:
        form.add_errors(error)
    except PermissionError as error:
        raise PermissionDenied from error
    return None
