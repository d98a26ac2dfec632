"""The knowledge base: one Post table for questions, answers and experience posts."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import Tag

SLUG_MAX_LENGTH = 80


class PostQuerySet(models.QuerySet):
    def questions(self):
        return self.filter(kind=Post.Kind.QUESTION)

    def answers(self):
        return self.filter(kind=Post.Kind.ANSWER)

    def experiences(self):
        return self.filter(kind=Post.Kind.EXPERIENCE)

    def visible(self):
        # "= false", not Django's "NOT is_deleted": SQLite can only use the
        # (kind, is_deleted, ...) sort indexes below for an equality.
        return self.filter(is_deleted=Value(False))

    def with_author(self):
        return self.select_related("author")

    def kind_counts(self) -> dict[str, int]:
        rows = self.order_by().values("kind").annotate(n=Count("id"))
        counts = dict.fromkeys(Post.Kind.values, 0)
        counts.update({row["kind"]: row["n"] for row in rows})
        return counts


class Post(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        EXPERIENCE = "experience", "Experience post"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, blank=True)
    body = models.TextField(help_text="Markdown source.")
    body_html = models.TextField(editable=False, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    accepted_answer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counters kept on the row (changed with F()), so list pages never count per item.
    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = TaggableManager(blank=True)

    # Imported threads (Reddit, Stack Exchange): where the post came from, for
    # idempotent re-imports and the attribution the source's licence requires.
    source = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=100, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_score = models.IntegerField(null=True, blank=True)
    source_author = models.CharField(max_length=150, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "is_deleted", "-created_at"], name="post_newest_idx"),
            models.Index(
                fields=["kind", "is_deleted", "-score", "-created_at"], name="post_top_idx"
            ),
            models.Index(
                fields=["kind", "is_deleted", "-last_activity_at"], name="post_active_idx"
            ),
            models.Index(
                fields=["kind", "is_deleted", "answer_count", "-created_at"],
                name="post_unanswered_idx",
            ),
            models.Index(fields=["parent", "is_deleted", "-score"], name="post_answers_idx"),
            models.Index(fields=["author", "-created_at"], name="post_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source=""),
                name="post_unique_source_id",
            ),
            models.CheckConstraint(
                condition=Q(kind="answer", parent__isnull=False)
                | (~Q(kind="answer") & Q(parent__isnull=True)),
                name="post_answer_has_parent",
            ),
        ]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        from kb.markdown import render_markdown

        if self.title:
            self.slug = slugify(self.title)[:SLUG_MAX_LENGTH].strip("-") or "post"
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.is_answer:
            return f"{self.parent.get_absolute_url()}#answer-{self.pk}"
        name = "kb:question-detail" if self.is_question else "kb:post-detail"
        return reverse(name, args=[self.pk, self.slug or "post"])

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_answer(self) -> bool:
        return self.kind == self.Kind.ANSWER

    @property
    def is_experience(self) -> bool:
        return self.kind == self.Kind.EXPERIENCE

    @property
    def display_title(self) -> str:
        return self.parent.title if self.is_answer and self.parent_id else self.title


class Vote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(default=1)  # +1 today; the model allows -1 later
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="vote_one_per_user_per_post"),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="vote_value_plus_minus_one"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.value:+d} on {self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    is_deleted = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=100, blank=True)
    source_score = models.IntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["post", "is_deleted", "created_at"], name="comment_post_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source=""),
                name="comment_unique_source_id",
            ),
        ]

    def __str__(self):
        return f"Comment #{self.pk} on {self.post_id}"

    def save(self, *args, **kwargs):
        from kb.markdown import render_inline_markdown

        self.body_html = render_inline_markdown(self.body)
        super().save(*args, **kwargs)


class Revision(models.Model):
    """The state of a post before an edit: who edited, when, and the old text."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    tags = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["post", "-created_at"], name="revision_post_idx")]

    def __str__(self):
        return f"Revision of {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class TagInfo(models.Model):
    """A tag's description, editable by staff, shown on its tag page."""

    tag = models.OneToOneField(Tag, on_delete=models.CASCADE, related_name="info")
    description = models.TextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"About {self.tag}"


class TagSynonym(models.Model):
    """``faang`` -> ``big-tech``: the source name is rewritten to the target tag."""

    source = models.SlugField(max_length=35, unique=True)
    target = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="synonyms")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source"]

    def __str__(self):
        return f"{self.source} → {self.target.name}"

    def retag_existing_posts(self) -> list[int]:
        """Move posts tagged with the source tag onto the target; returns their ids.

        The source Tag row goes away, so browsing its old URL finds this synonym instead.
        """
        from taggit.models import TaggedItem

        source_tag = Tag.objects.filter(name=self.source).exclude(pk=self.target_id).first()
        if source_tag is None:
            return []
        with transaction.atomic():
            items = TaggedItem.objects.filter(tag=source_tag)
            post_ids = list(items.values_list("object_id", flat=True))
            already_on_target = TaggedItem.objects.filter(
                tag=self.target, object_id__in=post_ids
            ).values_list("object_id", flat=True)
            items.filter(object_id__in=list(already_on_target)).delete()
            items.update(tag=self.target)
            source_tag.delete()
        return post_ids


class PostLink(models.Model):
    """A link between two questions: a duplicate, or a related thread (from imports too)."""

    class Kind(models.TextChoices):
        RELATED = "related", "Related"
        DUPLICATE = "duplicate", "Duplicate"

    from_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="links_out")
    to_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RELATED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_post", "to_post"], name="postlink_unique_pair")
        ]

    def __str__(self):
        return f"{self.from_post_id} {self.kind} {self.to_post_id}"
