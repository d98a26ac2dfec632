"""Time rules of career advice (issue 13): when advice is dated, when an asker is reminded.

``stale_before()`` is the cut-off of ``Post.is_advice_dated``; ``send_outcome_reminders``
is what ``manage.py send_outcome_reminders`` runs (cron or the task worker): it asks each
asker once, some months after they accepted an answer, how it went.
"""

import calendar
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from kb.inbox_models import Notification
from kb.models import Post

REMINDER_WINDOW_MONTHS = 12


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (31 March - 1 -> 28/29 Feb)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def stale_before(now: datetime | None = None) -> datetime:
    """Advice vouched for before this moment shows its age."""
    return months_before(now or timezone.now(), settings.ADVICE_STALE_MONTHS)


def questions_due_a_reminder(now: datetime | None = None):
    """Questions whose answer was accepted long enough ago, with no outcome and no reminder
    yet. Questions accepted before ``accepted_at`` existed count from the answer's date.

    Not those accepted more than ``REMINDER_WINDOW_MONTHS`` before they were due: a site
    that starts sending reminders does not ask about every old question at once.
    """
    cutoff = months_before(now or timezone.now(), settings.OUTCOME_REMINDER_MONTHS)
    return (
        Post.objects.questions()
        .visible()
        .filter(
            accepted_answer__isnull=False,
            accepted_answer__is_deleted=False,
            outcome_reported_at__isnull=True,
            outcome_reminded_at__isnull=True,
        )
        .alias(accepted_on=Coalesce("accepted_at", F("accepted_answer__created_at")))
        .filter(accepted_on__lte=cutoff)
        .filter(accepted_on__gt=months_before(cutoff, REMINDER_WINDOW_MONTHS))
        .order_by("pk")
    )


def remind_asker(question: Post) -> bool:
    """Send the question's one reminder; False when it was sent already (by another run)."""
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE is the "never twice": of two runs at once, one row changes.
        claimed = Post.objects.filter(pk=question.pk, outcome_reminded_at__isnull=True).update(
            outcome_reminded_at=now
        )
        if not claimed:
            return False
        Notification.objects.create(
            recipient_id=question.author_id,
            kind=Notification.Kind.OUTCOME_REMINDER,
            actor=None,
            post=question,
            created_at=now,
        )
    from kb.notifications import forget_unread_count

    forget_unread_count(question.author_id)
    return True


def send_outcome_reminders(*, dry_run: bool = False) -> list[Post]:
    """Remind every asker who is due; returns the questions reminded (or due, dry run)."""
    due = list(questions_due_a_reminder().only("id", "author_id", "title", "slug", "kind"))
    if dry_run:
        return due
    return [question for question in due if remind_asker(question)]
