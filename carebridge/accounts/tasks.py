"""Background work for accounts: e-mails about log-in, and the nightly suspension of unused accounts.

Tasks take ids and are safe to run twice.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=60)
def send_reset_link_email(link_id: int, token: str) -> None:
    from carebridge.accounts.models import ResetLink

    link = ResetLink.objects.select_related("user").filter(pk=link_id, used_at__isnull=True).first()
    if link is None:
        return
    path = reverse(f"accounts:reset_{link.purpose}", kwargs={"token": token})
    context = {"user": link.user, "link": f"{settings.SITE_URL}{path}", "purpose": link.purpose}
    send_mail(
        subject=f"Reset your Carebridge {link.purpose}",
        message=render_to_string("accounts/email/reset_link.txt", context),
        from_email=None,
        recipient_list=[link.user.email],
    )


@db_task(retries=3, retry_delay=60)
def send_setup_link_email(link_id: int, token: str) -> None:
    from carebridge.accounts.models import ResetLink

    link = (
        ResetLink.objects.select_related("user__provider")
        .filter(pk=link_id, used_at__isnull=True)
        .first()
    )
    if link is None:
        return
    path = reverse("accounts:set_up", kwargs={"token": token})
    context = {
        "user": link.user,
        "organisation": link.user.organisation,
        "link": f"{settings.SITE_URL}{path}",
        "expires_at": link.expires_at,
    }
    send_mail(
        subject="Set up your Carebridge account",
        message=render_to_string("accounts/email/setup_link.txt", context),
        from_email=None,
        recipient_list=[link.user.email],
    )


@db_task(retries=3, retry_delay=60)
def send_email_change_link(link_id: int, token: str) -> None:
    """The link confirming a new e-mail address, sent to that address (the token is in the task's
    arguments only: the database keeps its hash)."""
    from carebridge.accounts.models import ResetLink

    link = (
        ResetLink.objects.select_related("user")
        .filter(pk=link_id, purpose=ResetLink.Purpose.EMAIL, used_at__isnull=True)
        .first()
    )
    if link is None:
        return
    path = reverse("accounts:email_change_confirm", kwargs={"token": token})
    context = {
        "user": link.user,
        "new_email": link.new_email,
        "link": f"{settings.SITE_URL}{path}",
        "for_provider": link.user.provider_id is not None,
    }
    send_mail(
        subject="Confirm your new Carebridge e-mail address",
        message=render_to_string("accounts/email/email_change_link.txt", context),
        from_email=None,
        recipient_list=[link.new_email],
    )


@db_task(retries=3, retry_delay=60)
def send_account_locked_email(user_id: int) -> None:
    from carebridge.accounts.models import User

    user = User.objects.filter(pk=user_id, locked_at__isnull=False).first()
    if user is None:
        return
    context = {"user": user, "link": f"{settings.SITE_URL}{reverse('accounts:reset')}"}
    send_mail(
        subject="Your Carebridge account is locked",
        message=render_to_string("accounts/email/account_locked.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@db_periodic_task(crontab(hour="2", minute="15"))
def suspend_unused_accounts() -> int:
    from carebridge.accounts.services import accounts_suspend_unused

    return accounts_suspend_unused()
