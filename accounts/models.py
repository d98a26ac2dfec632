from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.names import name_key


class User(AbstractUser):
    display_name = models.CharField(
        max_length=60, blank=True, help_text="Shown on your posts instead of your username."
    )
    headline = models.CharField(
        max_length=120, blank=True, help_text="One line, e.g. “Perception engineer, ex-PhD”."
    )
    bio = models.TextField(max_length=3000, blank=True)
    # Denormalised: changed with F() by votes and accepts, never recounted per request.
    reputation = models.IntegerField(default=0)
    # Placeholder authors of imported threads: no password, cannot log in.
    is_imported = models.BooleanField(default=False)
    imported_from = models.CharField(max_length=100, blank=True)

    # name_key() of username and display name: equal for names that look alike ("Alice",
    # "alice" with a Cyrillic U+0430 "a"), so one member cannot pass for another.
    username_key = models.CharField(max_length=600, editable=False, default="")
    display_name_key = models.CharField(max_length=300, editable=False, default="", db_index=True)

    # Verified unless a sign-up on the site made the account (accounts/verification.py):
    # staff, imported and demo members, and accounts that existed before, count as verified.
    email_verified_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # A suspended member reads but cannot post, vote, flag or edit (kb/moderation.py).
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-reputation"], name="user_reputation_idx")]
        constraints = [
            # Imported authors are kept as the source named them, look-alikes and all.
            models.UniqueConstraint(
                fields=["username_key"],
                condition=Q(is_imported=False),
                name="user_unique_username_key",
                violation_error_message="That username is taken or looks too much like one "
                "that is; please pick another.",
            ),
        ]

    def __str__(self):
        return self.username

    def save(self, *args, **kwargs):
        self.username = self.normalize_username(self.username)
        self.username_key = name_key(self.username)
        self.display_name_key = name_key(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "display_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "username_key", "display_name_key"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile", args=[self.username])

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def verify_email(self) -> int:
        """Mark the e-mail verified; the posts held until then are published. Returns how
        many posts and comments were released."""
        from kb.moderation import release_unverified_content

        if self.email_verified_at is None:
            self.email_verified_at = timezone.now()
            self.save(update_fields=["email_verified_at"])
        return release_unverified_content(self)

    def suspend(self, *, by, reason: str = "", hide_content: bool = False) -> None:
        """Stop the member posting (see kb/moderation.py); staff accounts are never suspended."""
        from kb.moderation import suspend_member

        suspend_member(self, by=by, reason=reason, hide_content=hide_content)

    def unsuspend(self, *, by, release_content: bool = True) -> None:
        from kb.moderation import unsuspend_member

        unsuspend_member(self, by=by, release_content=release_content)

    @property
    def can_vote(self) -> bool:
        """Upvotes need standing (VOTE_MIN_* settings), so fresh sock puppets mint nothing."""
        return (
            self.is_staff
            or self.reputation >= settings.VOTE_MIN_REPUTATION
            or timezone.now() >= self._votes_from
        )

    @property
    def voting_refusal(self) -> str:
        days = settings.VOTE_MIN_ACCOUNT_DAYS
        return (
            f"Voting opens when your account is {days} day{'' if days == 1 else 's'} old "
            f"(on {format_date(self._votes_from, 'j F')}) or has "
            f"{settings.VOTE_MIN_REPUTATION} reputation: it keeps brand-new accounts from "
            "voting for each other."
        )

    @property
    def _votes_from(self):
        return self.date_joined + timedelta(days=settings.VOTE_MIN_ACCOUNT_DAYS)
