from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.names import name_key
from kb.events import announce
from kb.paths import MAX_ROLE_LENGTH, CompanySize, Degree, background_summary, clean_steps
from kb.paths import step_lines as _step_lines

BACKGROUND_FIELDS = (
    "current_role",
    "career_field",
    "years_experience",
    "highest_degree",
    "company_size",
    "path_steps",
)


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

    # Background (all optional): shown beside the member's answers and experience posts.
    current_role = models.CharField(
        max_length=MAX_ROLE_LENGTH, blank=True, help_text="e.g. “Perception engineer”."
    )
    career_field = models.CharField(
        "field", max_length=MAX_ROLE_LENGTH, blank=True, help_text="e.g. “Computer vision”."
    )
    years_experience = models.PositiveSmallIntegerField(
        "years of experience", null=True, blank=True
    )
    highest_degree = models.CharField(max_length=10, choices=Degree.choices, blank=True)
    company_size = models.CharField(max_length=10, choices=CompanySize.choices, blank=True)
    # [{"role", "place", "years"}], oldest first, at most kb.paths.MAX_PATH_STEPS.
    path_steps = models.JSONField(default=list, blank=True)
    # One line from the fields above, made on save (like Post.excerpt): pages read it
    # through select_related("author") and count no extra query.
    background_summary = models.CharField(max_length=200, editable=False, default="")

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
        indexes = [
            models.Index(fields=["-reputation"], name="user_reputation_idx"),
            # Search documents name authors by lower-cased username (their backgrounds are
            # looked up by it on every results page).
            models.Index(Lower("username"), name="user_username_lower_idx"),
        ]
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

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._saved_background = (
            user.__dict__.get("background_summary"),
            user.__dict__.get("current_role"),
        )
        return user

    def save(self, *args, **kwargs):
        self.username = self.normalize_username(self.username)
        self.username_key = name_key(self.username)
        self.display_name_key = name_key(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "display_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "username_key", "display_name_key"}
        if update_fields is None or set(BACKGROUND_FIELDS) & set(update_fields):
            self._prepare_background()
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "background_summary"}
        super().save(*args, **kwargs)
        self._announce_background_change()

    def clean(self):
        super().clean()
        try:
            self.path_steps = clean_steps(self.path_steps or [])
        except ValidationError as error:
            raise ValidationError({"path_steps": error.messages}) from None

    def _prepare_background(self) -> None:
        from kb.paths import normalise_role

        self.current_role = normalise_role(self.current_role)
        self.career_field = " ".join(self.career_field.split())
        self.path_steps = clean_steps(self.path_steps or [])
        self.background_summary = background_summary(
            role=self.current_role,
            field=self.career_field,
            years=self.years_experience,
            degree=self.highest_degree,
            company_size=self.company_size,
        )

    def _announce_background_change(self) -> None:
        """The summary shows beside the member's answers and experience posts, and the role
        is in their search documents: those posts changed too."""
        saved = getattr(self, "_saved_background", ("", ""))
        now = (self.background_summary, self.current_role)
        self._saved_background = now
        if now == saved:
            return
        from kb.models import Post

        posts = Post.objects.filter(author=self).exclude(kind=Post.Kind.QUESTION)
        announce(User, *posts.values_list("pk", flat=True))

    @property
    def path_step_lines(self) -> list[dict]:
        return _step_lines(self.path_steps)

    @property
    def has_background(self) -> bool:
        return bool(self.background_summary or self.path_steps)

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

    def unsuspend(self, *, by, release_content: bool = True) -> int:
        """Let the member post again: how many held items were shown again."""
        from kb.moderation import unsuspend_member

        return unsuspend_member(self, by=by, release_content=release_content)

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
