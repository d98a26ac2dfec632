"""Background tasks of accounts (django-tasks), run by the worker (``manage.py run_worker``)."""

import logging

from django.core.mail import send_mail
from django_tasks import task

from accounts import verification
from kb.emails import SEND_ERRORS, retry_later

logger = logging.getLogger("accounts")


@task()
def send_verification_email(user_id: int, site_url: str, attempt: int = 1) -> str:
    """E-mail the sign-up's verification link; a failed send queues the next attempt."""
    return verification.deliver(user_id, site_url, attempt=attempt)


@task()
def send_email(subject: str, body: str, recipient: str, attempt: int = 1) -> str:
    """Send a message rendered in the request (a password reset link); a failed send queues
    the next attempt."""
    try:
        send_mail(subject, body, None, [recipient])
    except SEND_ERRORS as error:
        logger.warning("E-mail to a member failed (attempt %s): %r", attempt, error)
        if retry_later(send_email, attempt, subject, body, recipient):
            return "retrying"
        return "gave up: the member can ask again"
    return "sent"
