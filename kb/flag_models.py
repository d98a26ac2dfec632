"""Members' flags on posts and comments, resolved by staff on /review/ (kb/moderation.py).

Imported at the end of kb/models.py, so Django registers the model in the ``kb`` app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kb.models import Comment, Post

FLAG_NOTE_MAX = 500


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def on(self, item):
        """The flags of a post or of a comment."""
        return self.filter(**{Flag.field_for(item): item})


class Flag(models.Model):
    """One member's report of one post or comment: once per member and item."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        RUDE = "rude", "Rude or abusive"
        OFF_TOPIC = "off-topic", "Off-topic for a career community"
        NEEDS_IMPROVEMENT = "needs-improvement", "Needs improvement (unclear, wrong, low effort)"

    class Resolution(models.TextChoices):
        APPROVED = "approved", "Approved: the item stays"
        DISMISSED = "dismissed", "Dismissed"
        DELETED = "deleted", "Deleted"

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=FLAG_NOTE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="flag_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="flag_on_post_or_comment",
            ),
            models.UniqueConstraint(
                fields=["flagger", "post"],
                condition=Q(post__isnull=False),
                name="flag_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["flagger", "comment"],
                condition=Q(comment__isnull=False),
                name="flag_once_per_comment",
            ),
        ]

    def __str__(self):
        target = f"post {self.post_id}" if self.post_id else f"comment {self.comment_id}"
        return f"{self.flagger_id} flagged {target} as {self.reason}"

    @staticmethod
    def field_for(item) -> str:
        return "comment" if isinstance(item, Comment) else "post"
