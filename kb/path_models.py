"""Career paths: the structured part of experience posts, and role synonyms.

Imported at the end of kb/models.py, so Django registers them in the ``kb`` app. Role names
are normalised on save (kb/paths.py); ``CareerMove.record`` is the one way a post's
structured fields change (the forms, the demo and the admin go through it).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Value
from django.utils import timezone

from kb.events import announce
from kb.models import Post
from kb.paths import (
    MAX_ROLE_LENGTH,
    CompanySize,
    clean_role_text,
    clean_steps,
    format_years,
    normalise_roles,
    role_label,
    step_lines,
)

MOVE_FIELDS = ("from_role", "to_role", "years_taken", "size_before", "size_after", "decision")


class CareerMoveQuerySet(models.QuerySet):
    def shown(self):
        """Moves of experience posts readers may see (not deleted, not held for review)."""
        return self.filter(
            post__kind=Post.Kind.EXPERIENCE,
            post__is_deleted=Value(False),
            post__held_reason=Value(""),
        )

    def transitions(self):
        """[{"from_role", "to_role", "stories"}], most told first: one query."""
        return (
            self.shown()
            .exclude(from_role="")
            .exclude(to_role="")
            .values("from_role", "to_role")
            .annotate(stories=Count("post"))
            .order_by("-stories", "from_role", "to_role")
        )


class CareerMove(models.Model):
    """What an experience post tells, in fields: from which role to which, how long, what
    was decided and the steps on the way. Every field is optional."""

    post = models.OneToOneField(
        Post, primary_key=True, on_delete=models.CASCADE, related_name="career_move"
    )
    from_role = models.CharField(max_length=MAX_ROLE_LENGTH, blank=True)
    to_role = models.CharField(max_length=MAX_ROLE_LENGTH, blank=True)
    years_taken = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    size_before = models.CharField(max_length=10, choices=CompanySize.choices, blank=True)
    size_after = models.CharField(max_length=10, choices=CompanySize.choices, blank=True)
    decision = models.CharField(max_length=200, blank=True)
    steps = models.JSONField(default=list, blank=True)

    objects = CareerMoveQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["from_role", "to_role"], name="careermove_roles_idx")]

    def __str__(self):
        return f"{self.from_role or '?'} → {self.to_role or '?'} (post {self.post_id})"

    def save(self, *args, **kwargs):
        self.from_role, self.to_role = normalise_roles([self.from_role, self.to_role])
        self.steps = clean_steps(self.steps)
        super().save(*args, **kwargs)

    def clean(self):
        self.from_role, self.to_role = normalise_roles([self.from_role, self.to_role])
        if self.from_role and self.from_role == self.to_role:
            raise ValidationError({"to_role": "From and to are the same role."})
        self.steps = clean_steps(self.steps)

    @classmethod
    def record(cls, post: Post, **fields) -> bool:
        """Set the structured fields of an experience post (all blank: none kept); returns
        whether anything changed.

        ``fields``: any of ``MOVE_FIELDS`` and ``steps`` (a list of {"role", "place",
        "years"}); the ones not given keep their value.
        """
        if not post.is_experience:
            raise ValueError("Only experience posts tell a career move.")
        move = cls.objects.filter(post=post).first() or cls(post=post)
        before = move.snapshot() if not move._state.adding else None
        for name, value in fields.items():
            if name not in (*MOVE_FIELDS, "steps"):
                raise TypeError(f"A career move has no field {name!r}.")
            if name == "years_taken" and isinstance(value, float):
                value = Decimal(str(value))  # 1.7, not 1.6999999999999999556
            setattr(move, name, value if value is not None or name == "years_taken" else "")
        with transaction.atomic():
            if move.is_blank:
                if not move._state.adding:
                    move.delete()
                after = None
            else:
                move.full_clean(exclude=["post"])
                move.save()
                after = move.snapshot()
        if after == before:
            return False
        announce(CareerMove, post.pk)
        return True

    def snapshot(self) -> tuple:
        years = None if self.years_taken is None else Decimal(str(self.years_taken)).normalize()
        values = [getattr(self, name) for name in MOVE_FIELDS if name != "years_taken"]
        return (*values, years, repr(self.steps))

    @property
    def is_blank(self) -> bool:
        values = [getattr(self, name) for name in MOVE_FIELDS]
        return not any(value not in (None, "") for value in values) and not self.steps

    @property
    def has_transition(self) -> bool:
        return bool(self.from_role and self.to_role)

    @property
    def from_label(self) -> str:
        return role_label(self.from_role)

    @property
    def to_label(self) -> str:
        return role_label(self.to_role)

    @property
    def years_label(self) -> str:
        return format_years(self.years_taken)

    @property
    def step_lines(self) -> list[dict]:
        return step_lines(self.steps)

    def search_text(self) -> str:
        """The words search finds the post by (kb/search/documents.py)."""
        parts = [self.from_role, self.to_role, self.decision]
        parts += [step.get("role", "") for step in self.steps or []]
        return " ".join(part for part in parts if part)


class RoleSynonym(models.Model):
    """``swe`` -> ``software engineer``: a role typed as the source is filed under the target.

    Added to the shipped defaults (kb/paths.py, ``DEFAULT_ROLE_SYNONYMS``); a row with the
    same source replaces the default.
    """

    source = models.CharField(max_length=MAX_ROLE_LENGTH, unique=True)
    target = models.CharField(max_length=MAX_ROLE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["source"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("target")),
                name="rolesynonym_not_itself",
                violation_error_message="A role cannot be a synonym of itself.",
            )
        ]

    def __str__(self):
        return f"{self.source} → {self.target}"

    def save(self, *args, **kwargs):
        self.source = clean_role_text(self.source)
        self.target = clean_role_text(self.target)
        super().save(*args, **kwargs)

    def clean(self):
        self.source = clean_role_text(self.source)
        self.target = clean_role_text(self.target)
        if not self.source or not self.target:
            raise ValidationError("Write both role names in words.")
        if self.source == self.target:
            raise ValidationError("A role cannot be a synonym of itself.")

    def rename_existing(self) -> int:
        """File roles already saved under the source under the target; returns how many
        posts and members changed (their pages and search documents follow)."""
        from accounts.models import User

        with transaction.atomic():
            moves = CareerMove.objects.filter(Q(from_role=self.source) | Q(to_role=self.source))
            post_ids = list(moves.values_list("post_id", flat=True))
            CareerMove.objects.filter(from_role=self.source).update(from_role=self.target)
            CareerMove.objects.filter(to_role=self.source).update(to_role=self.target)
            members = list(User.objects.filter(current_role=self.source))
            for member in members:
                member.current_role = self.target
                member.save(update_fields=["current_role", "background_summary"])
        announce(RoleSynonym, *post_ids)
        return len(post_ids) + len(members)
