"""Background work for organisations: the e-mail that lets an approved new contact set up their
account. Tasks take ids and are safe to run twice."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=60)
def send_contact_setup_email(link_id: int, token: str) -> None:
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
        message=render_to_string("organisations/email/contact_setup.txt", context),
        from_email=None,
        recipient_list=[link.user.email],
    )
