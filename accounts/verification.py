"""E-mail verification: a signed link sent at sign-up (and on "resend"), opened to confirm.

The token signs the member's id and e-mail address with the secret key (django.core.signing),
so it needs no table, expires after ``settings.EMAIL_VERIFICATION_DAYS`` and stops working
when the address changes. The request only queues the e-mail (``queue_verification_email``);
the worker sends it (``deliver``, the task ``accounts.tasks.send_verification_email``) and
tries again later while the mail server is down.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

SALT = "accounts.verification"

logger = logging.getLogger("accounts")


class InvalidVerificationLink(ValueError):
    """The link is broken, expired, or for an address the account no longer has."""


def make_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email.casefold()}, salt=SALT)


def user_for_token(token: str):
    """The member the link was made for; raises ``InvalidVerificationLink``."""
    from accounts.models import User

    max_age = settings.EMAIL_VERIFICATION_DAYS * 86400
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidVerificationLink(
            "This link has expired: log in and send yourself a new one."
        ) from None
    except signing.BadSignature:
        raise InvalidVerificationLink("This link is not valid: was it copied whole?") from None
    user = User.objects.filter(pk=data.get("user")).first()
    if user is None or user.email.casefold() != data.get("email"):
        raise InvalidVerificationLink(
            "This link is for an e-mail address the account no longer has."
        )
    return user


def verification_url(user, site_url: str) -> str:
    path = reverse("accounts:verify-email", args=[make_token(user)])
    return site_url.rstrip("/") + path


def send_verification_email(user, *, site_url: str) -> None:
    """Send ``user`` the link that verifies their e-mail (``site_url``: "https://host")."""
    context = {"user": user, "url": verification_url(user, site_url)}
    send_mail(
        subject="Confirm your e-mail address for CareerKB",
        message=render_to_string("registration/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def queue_verification_email(user, *, site_url: str) -> bool:
    """Queue the link's e-mail for the worker; False (logged) when the queue refused it."""
    from accounts.tasks import send_verification_email as send_task

    try:
        send_task.enqueue(user.pk, site_url)
    except Exception:
        logger.exception("Could not queue the verification e-mail for user %s", user.pk)
        return False
    return True


def deliver(user_id: int, site_url: str, *, attempt: int = 1) -> str:
    """The task's work: send the link unless the address is confirmed already; on a
    mail-server failure, queue the next attempt. Says what happened (the task's result)."""
    from accounts.models import User
    from accounts.tasks import send_verification_email as send_task
    from kb.emails import SEND_ERRORS, retry_later

    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None or not user.email:
        return "nothing to send"
    try:
        send_verification_email(user, site_url=site_url)
    except SEND_ERRORS as error:
        logger.warning(
            "Verification e-mail for user %s failed (attempt %s): %r", user_id, attempt, error
        )
        if retry_later(send_task, attempt, user_id, site_url):
            return "retrying"
        return "gave up: the member can ask for the link again"
    return "sent"
