"""Outcomes of questions and "start here" answers per tag (issue 13).

Imported at the end of kb/models.py, so Django registers them in the ``kb`` app. They change
only through the domain methods (``Post.add_outcome``, ``Outcome.edit``,
``Post.mark_canonical``, ``CanonicalAnswer.unmark``), which announce the change.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from taggit.models import Tag

from kb.events import announce
from kb.models import Post, ShownAuthorMixin, render_body


class Outcome(ShownAuthorMixin, models.Model):
    """What the asker decided and how it went, reported after the answers: one per question."""

    question = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="outcome")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outcomes"
    )
    body = models.TextField(help_text="Markdown source.")
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Outcome of {self.question_id}"

    def save(self, *args, **kwargs):
        self.body_html = render_body(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.question.get_absolute_url()}#outcome"

    @property
    def is_anonymous(self) -> bool:
        """An anonymous asker's outcome is anonymous too (``ShownAuthorMixin``)."""
        return self.question.hides(self.author_id)

    def edit(self, editor, body: str) -> bool:
        """Save new text; False when nothing changed. Its author and staff may edit it."""
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_edit_outcome

        if not can_edit_outcome(editor, self):
            raise PermissionDenied("Only the outcome's author can edit it.")
        if body == self.body:
            return False
        self.body = body
        self.edited_at = timezone.now()
        self.save(update_fields=["body", "body_html", "edited_at"])
        announce(Post, self.question_id)
        return True


class CanonicalAnswer(models.Model):
    """The answer to start with for a tag ("Start here for phd-vs-product"): one per tag."""

    tag = models.OneToOneField(Tag, on_delete=models.CASCADE, related_name="canonical_answer")
    answer = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="canonical_for")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Start here for {self.tag}: answer {self.answer_id}"

    @classmethod
    def for_tag(cls, tag) -> "CanonicalAnswer | None":
        """The tag's start-here answer if readers may see it (its answer and question public)."""
        return (
            cls.objects.filter(tag=tag, answer__is_deleted=False, answer__parent__is_deleted=False)
            .select_related("answer__author", "answer__parent")
            .first()
        )

    @classmethod
    def unmark(cls, tag, *, by) -> bool:
        """The tag has no start-here answer any more; False when it had none."""
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_manage_canonical

        if not can_manage_canonical(by):
            raise PermissionDenied("Only moderators can unmark a start-here answer.")
        with transaction.atomic():
            current = cls.objects.select_for_update().filter(tag=tag).first()
            if current is None:
                return False
            question_id = current.answer.parent_id
            answer_id = current.answer_id
            current.delete()
        announce(Post, answer_id, question_id)
        return True
