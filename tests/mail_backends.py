"""E-mail backends for tests: a mail server that is down."""

import smtplib

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend

DOWN_BACKEND = "tests.mail_backends.DownBackend"
REFUSING_BACKEND = "tests.mail_backends.RefusingBackend"


class DownBackend(BaseEmailBackend):
    """Nothing listens on the SMTP port."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(BaseEmailBackend):
    """The server answers, then drops the connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


BOUNCING_BACKEND = "tests.mail_backends.BouncingBackend"
BOUNCED_DOMAIN = "@bounced.example"


class BouncingBackend(locmem.EmailBackend):
    """Delivers (to the test outbox) except to addresses at bounced.example, which the
    server refuses for good: 550, no such mailbox."""

    def send_messages(self, email_messages):
        for message in email_messages:
            refused = [to for to in message.to if to.endswith(BOUNCED_DOMAIN)]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 No such mailbox"))
                )
        return super().send_messages(email_messages)
