"""E-mail for notifications: the mail sent at once, the digests, the sweep, unsubscribe links.

Nothing here runs inside a request. kb/notifications.py hands each batch of new notifications
to ``mail_after_commit``; once the transaction has committed, one task per notification that
its recipient wants at once is enqueued (kb/tasks.py), and the worker (``manage.py
run_worker``) sends it. The worker's schedule (or cron) runs the sweep, which sends what a
lost or exhausted task left unmailed, and the daily and weekly digests.

A notification is claimed for sending by setting ``emailed_at`` where it was NULL (one UPDATE,
atomic on every database), so two workers never send it twice; a send that fails hands it
back (``emailed_at`` NULL again) to be retried: nothing is lost while the mail server is down.
(A worker killed outright in the middle of a send, SIGKILL or power loss, can lose that one
e-mail: it was claimed. Ctrl-C and SIGTERM let the send finish.)
A digest is claimed the same way, together with its ``DigestSent`` row, whose unique key
(member, period, period start) makes a second digest for the same period impossible.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from kb.email_models import ALL_KINDS, DigestSent, EmailPreference, Frequency, wanted_at
from kb.inbox_models import Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind
# What a mail server that is down or refuses raises: the send is retried later, unless
# the server refused the address itself for good (``refused_for_good``).
SEND_ERRORS = (smtplib.SMTPException, OSError)
UNSUBSCRIBE_SALT = "kb.emails.unsubscribe"
SWEEP_BATCH = 500
DIGEST_MAX_ITEMS = 50
EXCERPT_CHARS = 300
PERIOD_LENGTH = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


class BadToken(Exception):
    """An unsubscribe link that was cut, changed or made for another site."""


# -- links ---------------------------------------------------------------------------------


def site_url(path: str) -> str:
    """The absolute address of a path on this site (``KB_SITE_URL``), for e-mails."""
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(user_id: int, scope: str) -> str:
    """A signed token naming a member and what to stop: a kind, "daily", "weekly" or "all".

    No timestamp, so it never expires: members (and RFC 8058 mail clients) click the links
    of old e-mails too, and the same member and scope always give the same link.
    """
    return _unsubscribe_signer().sign_object({"u": user_id, "s": scope}, compress=True)


def _unsubscribe_signer() -> signing.Signer:
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str):
    """(member, scope) named by a token; ``BadToken`` for anything tampered or unknown."""
    from accounts.models import User

    try:
        data = _unsubscribe_signer().unsign_object(token)
        user_id, scope = int(data["u"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadToken from None
    if scope not in SCOPES:
        raise BadToken
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadToken
    return user, scope


def unsubscribe_url(user_id: int, scope: str) -> str:
    return site_url(reverse("kb:email-unsubscribe", args=[unsubscribe_token(user_id, scope)]))


# What each unsubscribe scope stops, as the page and e-mails say it.
SCOPES = {
    **{kind.value: f"e-mails when someone {kind.label}" for kind in Kind},
    Frequency.DAILY.value: "the daily digest",
    Frequency.WEEKLY.value: "the weekly digest",
    ALL_KINDS: "all e-mail from CareerKB",
}


def _list_unsubscribe_headers(user_id: int, scope: str) -> dict[str, str]:
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the link, no page.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id, scope)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# -- after the commit: enqueue ---------------------------------------------------------------


def mail_after_commit(notifications) -> None:
    """Once the transaction that made these notifications commits, enqueue their e-mails."""
    ids = [note.pk for note in notifications if note.pk]
    if ids:
        transaction.on_commit(lambda: enqueue_immediate(ids))


def enqueue_immediate(notification_ids) -> int:
    """Enqueue a send task for each of these notifications its recipient wants at once."""
    from kb.tasks import send_notification_email

    notes = list(_unmailed().filter(pk__in=notification_ids).only("recipient_id", "kind"))
    preferences = EmailPreference.objects.for_users({note.recipient_id for note in notes})
    queued = 0
    for note in notes:
        if preferences[note.recipient_id].frequency(note.kind) != Frequency.IMMEDIATELY:
            continue
        try:
            send_notification_email.enqueue(note.pk)
            queued += 1
        except Exception:
            # The write has committed: its e-mail is not lost, the sweep sends it later.
            logger.exception("Could not enqueue the e-mail for notification %s", note.pk)
    return queued


# -- one notification, at once ---------------------------------------------------------------


def can_receive_email(member) -> bool:
    """The rule ``_unmailed`` applies in SQL, for one member: an active, confirmed,
    deliverable address of a member who signed up here (not an imported author)."""
    return bool(
        member.is_active
        and not member.is_imported
        and member.email
        and member.email_verified_at is not None
        and not member.email.lower().endswith(".invalid")
    )


def _unmailed():
    """Notifications still shown, not yet mailed, to members who can receive e-mail (an
    address they have confirmed: an unconfirmed one may be someone else's)."""
    return (
        Notification.objects.shown()
        .filter(
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__is_imported=False,
            recipient__email_verified_at__isnull=False,
        )
        .exclude(recipient__email="")
        # RFC 2606: nothing under .invalid can be delivered (the demo community's addresses).
        .exclude(recipient__email__iendswith=".invalid")
    )


def _mailable():
    """``_unmailed()`` with all that an e-mail shows."""
    return _unmailed().select_related("recipient", "actor", "post__parent", "comment")


def _claim(notification_ids) -> int:
    return Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def _release(notification_ids) -> None:
    Notification.objects.filter(pk__in=notification_ids).update(emailed_at=None)


def refused_for_good(error: Exception) -> bool:
    """The server refused this recipient or message with a permanent (5xx) answer: sending
    it again would fail again, and would hold up the sweep and digests behind it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


def send_immediate(notification_id: int, *, attempt: int = 1) -> str:
    """Send one notification's e-mail; on a mail-server failure, retry later. Says what
    happened (the task's result)."""
    note = _mailable().filter(pk=notification_id).first()
    if note is None:
        return "nothing to send"  # sent already, deleted, or the member has no address
    wanted = EmailPreference.objects.for_user(note.recipient).frequency(note.kind)
    if wanted != Frequency.IMMEDIATELY:
        return "not wanted at once"
    if not _claim([note.pk]):
        return "sent by another worker"
    try:
        notification_message(note).send()
    except SEND_ERRORS as error:
        if refused_for_good(error):
            logger.warning("E-mail for notification %s refused for good: %r", note.pk, error)
            return "refused by the mail server"  # kept claimed: never tried again
        _release([note.pk])
        logger.warning(
            "E-mail for notification %s failed (attempt %s): %r", note.pk, attempt, error
        )
        return "retrying" if _retry_later(note.pk, attempt) else "left to the sweep"
    return "sent"


def retry_delay(attempt: int) -> timedelta:
    """How long after failed attempt number ``attempt`` the next one runs: doubling."""
    return timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1))


def _retry_later(notification_id: int, attempt: int) -> bool:
    from kb.tasks import send_notification_email

    if retry_later(send_notification_email, attempt, notification_id):
        return True
    if attempt >= settings.EMAIL_MAX_ATTEMPTS:
        logger.warning(
            "E-mail for notification %s failed %s times; the sweep will try again",
            notification_id,
            attempt,
        )
    return False


def retry_later(task, attempt: int, *args) -> bool:
    """Enqueue ``task(*args, attempt + 1)`` to run after ``retry_delay(attempt)``. False when
    the attempts are used up, or the backend runs tasks at once and so cannot wait."""
    if attempt >= settings.EMAIL_MAX_ATTEMPTS or not task.get_backend().supports_defer:
        return False
    run_after = timezone.now() + retry_delay(attempt)
    task.using(run_after=run_after).enqueue(*args, attempt + 1)
    return True


def notification_message(note: Notification, connection=None) -> EmailMultiAlternatives:
    """The e-mail telling ``note.recipient`` what happened: who did what, an excerpt, the
    link, and how to stop this kind of e-mail."""
    context = {
        "note": note,
        "recipient": note.recipient,
        "what": note.summary,
        "title": note.post.display_title,
        "excerpt": _excerpt(note),
        "url": site_url(note.get_absolute_url()),
        "settings_url": site_url(reverse("kb:email-settings")),
        "unsubscribe_url": unsubscribe_url(note.recipient_id, note.kind),
        "unsubscribe_what": SCOPES[note.kind],
    }
    subject = _one_line(f"{context['what']}: {context['title']}", 150)
    return _message(
        subject,
        "emails/notification",
        context,
        note.recipient,
        _list_unsubscribe_headers(note.recipient_id, note.kind),
        connection,
    )


def _excerpt(note: Notification) -> str:
    text = note.comment.body if note.comment_id else note.post.excerpt
    return _one_line(text, EXCERPT_CHARS)


def _one_line(text: str, length: int) -> str:
    # Subjects and excerpts are one line: a newline in a header is refused outright.
    return Truncator(" ".join(text.split())).chars(length)


def _message(subject, template, context, recipient, headers, connection):
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[recipient.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


# -- the sweep -------------------------------------------------------------------------------


def overdue(now: datetime | None = None) -> list[Notification]:
    """Immediate e-mails still unmailed after ``EMAIL_SWEEP_AFTER_MINUTES`` (their task was
    lost or gave up), oldest first, a batch at most."""
    now = now or timezone.now()
    candidates = _mailable().filter(
        created_at__lte=now - timedelta(minutes=settings.EMAIL_SWEEP_AFTER_MINUTES),
        created_at__gte=now - timedelta(days=settings.EMAIL_SWEEP_MAX_AGE_DAYS),
    )
    due = wanted_at(candidates, Frequency.IMMEDIATELY)
    return list(due.order_by("created_at", "pk")[:SWEEP_BATCH])


def sweep(now: datetime | None = None) -> int:
    """Send the ``overdue()`` e-mails over one connection; stop at the first failure (the
    server is down: the next sweep tries again), but not at an address refused for good.
    How many were sent."""
    due = overdue(now)
    sent = 0
    if not due:
        return sent
    connection = get_connection()
    try:
        for note in due:
            if not _claim([note.pk]):
                continue
            try:
                notification_message(note, connection).send()
            except SEND_ERRORS as error:
                if refused_for_good(error):  # this address only: the others go on
                    logger.warning("Notification %s refused for good: %r", note.pk, error)
                    continue
                _release([note.pk])
                logger.warning("The e-mail sweep stopped at notification %s: %r", note.pk, error)
                break
            sent += 1
    finally:
        connection.close()
    return sent


# -- digests ---------------------------------------------------------------------------------


def period_start(period: str, now: datetime | None = None) -> datetime:
    """When the current digest period began: today's (or yesterday's) DIGEST_HOUR for the
    daily digest, that hour on the last Monday for the weekly one."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=1)
    if period == Frequency.WEEKLY:
        start -= timedelta(days=start.weekday())
    return start


@dataclass
class DigestRun:
    """What one run of the digests did (or, dry, would do): member -> notifications."""

    period: str
    period_start: datetime
    sent: dict = field(default_factory=dict)
    failed: int = 0

    @property
    def notification_count(self) -> int:
        return sum(self.sent.values())


def send_digests(period: str, *, now: datetime | None = None, dry_run=False) -> DigestRun:
    """One e-mail per member grouping their unmailed notifications of this frequency, at
    most once per member and period. Stops at the first mail-server failure."""
    now = now or timezone.now()
    run = DigestRun(period=period, period_start=period_start(period, now))
    for recipient, notes in _digest_batches(period, run.period_start, now):
        count = len(notes) if dry_run else _send_digest(recipient, notes, run, now)
        if count is None:
            run.failed += 1
            break
        if count:
            run.sent[recipient] = count
    return run


def _digest_batches(period: str, start: datetime, now: datetime):
    """(member, their notifications for this digest), for members without one this period.

    What came before the period began (at most two periods before: one digest that failed
    is caught up by the next); what comes after waits for the next period's digest, so a
    member whose period began quietly gets no digest for the first thing that happens.
    """
    already = DigestSent.objects.filter(period=period, period_start=start).values("user_id")
    candidates = (
        _mailable()
        .filter(created_at__gte=start - 2 * PERIOD_LENGTH[period], created_at__lt=start)
        .exclude(recipient_id__in=already)
    )
    notes = wanted_at(candidates, period).order_by("recipient_id", "created_at", "pk")
    for _, group in groupby(notes, key=lambda note: note.recipient_id):
        group = list(group)
        yield group[0].recipient, group


class _NothingLeft(Exception):
    """Every notification of a digest was claimed by another sender meanwhile."""


def _send_digest(recipient, notes, run: DigestRun, now: datetime) -> int | None:
    """Record, claim and send one member's digest: how many notifications it carried (0 when
    another run had it), or None when the mail server failed (then nothing is recorded)."""
    try:
        with transaction.atomic():
            sent = DigestSent.objects.create(
                user=recipient, period=run.period, period_start=run.period_start, sent_at=now
            )
            notes = _claim_each(notes)
            if not notes:
                raise _NothingLeft
            sent.notification_count = len(notes)
            sent.save(update_fields=["notification_count"])
    except (IntegrityError, _NothingLeft):
        return 0  # a concurrent run sent this member's digest, or their notifications
    try:
        digest_message(recipient, notes, run.period).send()
    except SEND_ERRORS as error:
        if refused_for_good(error):  # recorded as sent: this address only, the others go on
            logger.warning(
                "The %s digest for member %s was refused: %r", run.period, recipient.pk, error
            )
            return 0
        with transaction.atomic():
            sent.delete()
            _release([note.pk for note in notes])
        logger.warning("The %s digest for member %s failed: %r", run.period, recipient.pk, error)
        return None
    return len(notes)


def _claim_each(notes: list[Notification]) -> list[Notification]:
    """Claim these notifications; those another sender had claimed already are left out."""
    stamp = timezone.now()
    ids = [note.pk for note in notes]
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=stamp)
    mine = set(
        Notification.objects.filter(pk__in=ids, emailed_at=stamp).values_list("pk", flat=True)
    )
    return [note for note in notes if note.pk in mine]


def digest_message(recipient, notes, period: str, connection=None) -> EmailMultiAlternatives:
    items = [
        {
            "what": note.summary,
            "title": note.post.display_title,
            "excerpt": _one_line(_excerpt(note), 160),
            "url": site_url(note.get_absolute_url()),
        }
        for note in notes[:DIGEST_MAX_ITEMS]
    ]
    label = Frequency(period).label.lower()  # "daily digest"
    context = {
        "recipient": recipient,
        "label": label,
        "items": items,
        "more": max(len(notes) - DIGEST_MAX_ITEMS, 0),
        "inbox_url": site_url(reverse("kb:inbox")),
        "settings_url": site_url(reverse("kb:email-settings")),
        "unsubscribe_url": unsubscribe_url(recipient.pk, period),
        "unsubscribe_what": SCOPES[period],
    }
    count = len(notes)
    subject = f"Your CareerKB {label}: {count} new {'thing' if count == 1 else 'things'} for you"
    return _message(
        subject,
        "emails/digest",
        context,
        recipient,
        _list_unsubscribe_headers(recipient.pk, period),
        connection,
    )
