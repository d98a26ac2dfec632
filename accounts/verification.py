"""E-mail verification: a signed link sent at sign-up (and on "resend"), opened to confirm.

The token signs the member's id and e-mail address with the secret key (django.core.signing),
so it needs no table, expires after ``settings.EMAIL_VERIFICATION_DAYS`` and stops working
when the address changes. ``send_verification_email`` is the one place the message is sent.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

SALT = "accounts.verification"


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
