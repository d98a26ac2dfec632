"""E-mail backends for tests: a mail server that is down."""

import smtplib

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
