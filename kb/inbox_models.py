"""What members follow and what happened to them: follows, bookmarks, notifications.

Imported at the end of kb/models.py, so Django registers them in the ``kb`` app. The rows
are written by kb/notifications.py, which listens to ``kb.events.activity``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.utils import timezone
from taggit.models import Tag

from kb.models import ANONYMOUS_AUTHOR_NAME, Comment, Post


class QuestionFollow(models.Model):
    """New answers on the question reach the follower's inbox (asking or answering follows)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_follows"
    )
    question = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="questionfollow_unique")
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.question_id}"


class TagFollow(models.Model):
    """New questions in the tag reach the follower's inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_follows"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="tagfollow_unique")]

    def __str__(self):
        return f"{self.user_id} follows tag {self.tag_id}"


class Bookmark(models.Model):
    """A question kept for later: private, no notifications."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    question = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="bookmark_unique")]

    def __str__(self):
        return f"{self.user_id} bookmarked {self.question_id}"


class NotificationQuerySet(models.QuerySet):
    def shown(self):
        """Only what is still public: a deleted or held (kb/moderation.py) answer, post,
        question or comment drops out."""
        return self.filter(
            Q(post__is_deleted=Value(False), post__held_reason=Value(""))
            & (
                Q(post__parent__isnull=True)
                | Q(post__parent__is_deleted=Value(False), post__parent__held_reason=Value(""))
            )
            & (
                Q(comment__isnull=True)
                | Q(comment__is_deleted=Value(False), comment__held_reason=Value(""))
            )
        )

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing that happened to ``recipient``: shown in /inbox/.

    ``emailed_at`` stays NULL until an e-mail (immediate or digest) has carried it, so a
    mailer can pick up what is pending without a second table.
    """

    class Kind(models.TextChoices):
        ANSWER = "answer", "answered your question"
        COMMENT = "comment", "commented on your post"
        ACCEPTED = "accepted", "accepted your answer"
        MENTION = "mention", "mentioned you"
        TAG_QUESTION = "tag_question", "asked a question in a tag you follow"
        FOLLOWED_ANSWER = "followed_answer", "answered a question you follow"
        # No actor: sent by ``manage.py send_outcome_reminders`` (kb/advice.py), once.
        OUTCOME_REMINDER = "outcome_reminder", "How did it go? Add an outcome"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The post the event is about: the new answer, the new question, the post commented on.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The sweep and the digests look for what is not mailed yet, by age.
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unmailed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.actor_label} {self.get_kind_display()} ({self.recipient})"

    def get_absolute_url(self) -> str:
        url = self.post.get_absolute_url()
        if self.kind == self.Kind.OUTCOME_REMINDER:
            return f"{url}#outcome"
        if self.comment_id:
            return f"{url.split('#')[0]}#comment-{self.comment_id}"
        return url

    @property
    def summary(self) -> str:
        """One line saying what happened ("Ana answered your question"), for e-mails."""
        if self.kind == self.Kind.OUTCOME_REMINDER:  # no actor: the site asks
            return self.get_kind_display()
        return f"{self.actor_label} {self.get_kind_display()}"

    @property
    def actor_label(self) -> str:
        """Who did it, as the recipient may see it: the actor's name, or "Anonymous member"
        when the actor asked this thread's question anonymously (the inbox and e-mails).

        Reads ``post`` and, for an answer, ``post.parent``: select_related("actor",
        "post__parent") keeps a list of notifications at one query.
        """
        if self.actor_id is None:
            return "Someone"
        thread = self.post.thread_question
        if thread is not None and thread.hides(self.actor_id):
            return ANONYMOUS_AUTHOR_NAME
        return self.actor.name
