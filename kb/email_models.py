"""What members want by e-mail, and which digests went out.

Imported at the end of kb/models.py, so Django registers them in the ``kb`` app. The mailer
(kb/emails.py) reads them; the e-mail settings page and the unsubscribe link write them
through ``EmailPreference.objects.set_frequency`` and ``stop``.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kb.inbox_models import Notification

Kind = Notification.Kind


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    NEVER = "never", "Never"


DIGEST_PERIODS = (Frequency.DAILY, Frequency.WEEKLY)

# What a member hears without choosing: at once about their own question and answers and
# about being named; once a day about comments and threads they follow; weekly about tags.
DEFAULT_FREQUENCIES = {
    Kind.ANSWER: Frequency.IMMEDIATELY,
    Kind.ACCEPTED: Frequency.IMMEDIATELY,
    Kind.MENTION: Frequency.IMMEDIATELY,
    Kind.COMMENT: Frequency.DAILY,
    Kind.FOLLOWED_ANSWER: Frequency.DAILY,
    Kind.TAG_QUESTION: Frequency.WEEKLY,
    Kind.OUTCOME_REMINDER: Frequency.IMMEDIATELY,  # once per question, months later
}

# The row whose frequency "never" means no e-mail at all, whatever the kinds say.
ALL_KINDS = "all"


@dataclass
class Preferences:
    """One member's choices: a frequency per kind (the default where they chose nothing)."""

    chosen: dict[str, str] = field(default_factory=dict)

    @property
    def no_email(self) -> bool:
        return self.chosen.get(ALL_KINDS) == Frequency.NEVER

    def kind_setting(self, kind: str) -> str:
        """What the member chose for this kind (or its default), under the global switch."""
        return self.chosen.get(kind) or DEFAULT_FREQUENCIES.get(kind, Frequency.DAILY)

    def frequency(self, kind: str) -> str:
        """How often this kind is mailed, all things considered."""
        return Frequency.NEVER if self.no_email else self.kind_setting(kind)

    def kinds_at(self, frequency: str) -> set[str]:
        return {kind for kind in Kind.values if self.frequency(kind) == frequency}


def wanted_at(notifications, frequency: str):
    """These notifications, narrowed in SQL to those their recipients want mailed at this
    frequency (immediately, daily or weekly): the same rule as ``Preferences.frequency``, for
    the batch queries of the sweep and the digests (a test holds the two to one answer)."""
    chosen = EmailPreference.objects.filter(user_id=OuterRef("recipient_id"), kind=OuterRef("kind"))
    no_email = EmailPreference.objects.filter(
        user_id=OuterRef("recipient_id"), kind=ALL_KINDS, frequency=Frequency.NEVER
    )
    by_default = [
        kind for kind in Kind.values if DEFAULT_FREQUENCIES.get(kind, Frequency.DAILY) == frequency
    ]
    return notifications.filter(
        Exists(chosen.filter(frequency=frequency)) | (Q(kind__in=by_default) & ~Exists(chosen))
    ).exclude(Exists(no_email))


class EmailPreferenceQuerySet(models.QuerySet):
    def for_users(self, user_ids) -> dict[int, Preferences]:
        """Every listed member's preferences, in one query (members with no rows: defaults)."""
        found = {user_id: Preferences() for user_id in user_ids}
        for user_id, kind, frequency in self.filter(user_id__in=list(found)).values_list(
            "user_id", "kind", "frequency"
        ):
            found[user_id].chosen[kind] = frequency
        return found

    def for_user(self, user) -> Preferences:
        return self.for_users([user.pk])[user.pk]

    def set_frequency(self, user, kind: str, frequency: str) -> None:
        with transaction.atomic(), self._leaving_unwanted_news_unmailed(user):
            self._store(user, kind, frequency)

    def set_all(self, user, frequencies: dict[str, str], *, no_email: bool) -> None:
        """Save the settings page: a frequency for every kind, and the "no e-mail" switch."""
        with transaction.atomic(), self._leaving_unwanted_news_unmailed(user):
            for kind, frequency in frequencies.items():
                self._store(user, kind, frequency)
            if no_email:
                self._store(user, ALL_KINDS, Frequency.NEVER)
            else:
                self.filter(user=user, kind=ALL_KINDS).delete()

    def _store(self, user, kind: str, frequency: str) -> None:
        self.update_or_create(user=user, kind=kind, defaults={"frequency": frequency})

    @contextmanager
    def _leaving_unwanted_news_unmailed(self, user):
        """E-mail turned back on for a kind starts from now: what came while the member
        wanted none of it stays in their inbox, and is not sent as a backlog."""
        before = self.for_user(user)
        yield
        after = self.for_user(user)
        resumed = [
            kind
            for kind in Kind.values
            if before.frequency(kind) == Frequency.NEVER != after.frequency(kind)
        ]
        if resumed:
            Notification.objects.filter(
                recipient=user, kind__in=resumed, emailed_at__isnull=True
            ).update(emailed_at=timezone.now())

    def stop(self, user, scope: str) -> None:
        """Unsubscribe: from one kind, from one digest (every kind at that period), or all."""
        if scope == ALL_KINDS or scope in Kind.values:
            self._store(user, scope, Frequency.NEVER)
            return
        preferences = self.for_user(user)
        with transaction.atomic():
            for kind in preferences.kinds_at(scope):
                self._store(user, kind, Frequency.NEVER)


class EmailPreference(models.Model):
    """How often one member hears about one kind of notification by e-mail.

    No row means the kind's default (``DEFAULT_FREQUENCIES``); the row of kind ``all`` with
    frequency "never" is the member's "no e-mail at all".
    """

    KIND_CHOICES = [*Kind.choices, (ALL_KINDS, "all e-mail")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmailPreferenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="emailpreference_unique")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind} {self.frequency}"


class DigestSent(models.Model):
    """One digest e-mail that went out: the unique key makes a second one for the same
    member and period impossible, however often and however concurrently digests run."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent"
    )
    period = models.CharField(
        max_length=10, choices=[(period.value, period.label) for period in DIGEST_PERIODS]
    )
    period_start = models.DateTimeField()
    notification_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "period_start"], name="digestsent_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.period} digest for {self.user_id} from {self.period_start:%Y-%m-%d %H:%M}"
