"""The knowledge base: one Post table for questions, answers and experience posts."""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import Tag

from kb.events import announce, tell_activity
from kb.excerpts import excerpt_of

SLUG_MAX_LENGTH = 80
# What everyone but staff and the author sees instead of an anonymous asker's name.
ANONYMOUS_AUTHOR_NAME = "Anonymous member"


def slug_for(title: str) -> str:
    """The URL slug of a title: the one rule for posts made on the site and imported."""
    return slugify(title)[:SLUG_MAX_LENGTH].strip("-") or "post"


def render_body(body: str, body_format: str = "markdown") -> str:
    """The stored HTML of a body: Markdown rendered, or imported HTML sanitised."""
    from kb.markdown import render_markdown, sanitize_html

    return sanitize_html(body) if body_format == "html" else render_markdown(body)


class ShownAuthorMixin:
    """The author as readers see them: ``None`` and "Anonymous member" when hidden.

    Every author display (pages, lists, feeds, search documents, JSON) goes through these,
    so hiding an anonymous asker is one rule; kb/permissions.py ``can_see_author`` says who
    may see through it (staff and the author, on pages only they get).
    """

    @property
    def shown_author(self):
        return None if self.is_anonymous else self.author

    @property
    def shown_author_name(self) -> str:
        return ANONYMOUS_AUTHOR_NAME if self.is_anonymous else self.author.name


class HoldReason(models.TextChoices):
    """Why a post or comment is held: hidden like a deleted one, except from its author and
    staff, until it is released (kb/moderation.py). "" (blank) is not held."""

    UNVERIFIED = "unverified", "waiting for the author to verify their e-mail"
    FLAGGED = "flagged", "hidden by members' flags, pending review"
    SUSPENDED = "suspended", "the author is suspended"


class PostQuerySet(models.QuerySet):
    def questions(self):
        return self.filter(kind=Post.Kind.QUESTION)

    def answers(self):
        return self.filter(kind=Post.Kind.ANSWER)

    def experiences(self):
        return self.filter(kind=Post.Kind.EXPERIENCE)

    def visible(self):
        # "= false", not Django's "NOT is_deleted": SQLite can only use the
        # (kind, is_deleted, ...) sort indexes below for an equality. Held posts
        # (kb/moderation.py) are hidden exactly like deleted ones.
        return self.filter(is_deleted=Value(False), held_reason=Value(""))

    def visible_to(self, user):
        """``visible()``, plus the user's own held posts (staff: every held post)."""
        if not user.is_authenticated:
            return self.visible()
        held = Q(is_deleted=Value(False)) & ~Q(held_reason=Value(""))
        if not user.is_staff:
            held &= Q(author=user)
        return self.filter(Q(is_deleted=Value(False), held_reason=Value("")) | held)

    def public(self):
        """What readers may see: not deleted, and no answer to a deleted question.

        The rule for any list or count that can hold answers (profiles, counts, the search
        index); ``Post.is_public`` is the same rule for one post. For questions or experience
        posts alone it equals ``visible()``, which their lists keep: it spares a per-row check
        that doubles a 50k-question count on SQLite (6.6 -> 12.5 ms).
        """
        # No join: questions and experience posts pass on their kind (the sort indexes hold
        # it) and only answers look their question up.
        shown_question = Post.objects.filter(pk=OuterRef("parent_id")).visible()
        return self.visible().filter(~Q(kind=Post.Kind.ANSWER) | Exists(shown_question))

    def with_author(self):
        return self.select_related("author")

    def signed(self):
        """Posts that show their author's name: not asked anonymously (what profiles list)."""
        return self.filter(is_anonymous=Value(False))

    def kind_counts(self) -> dict[str, int]:
        rows = self.order_by().values("kind").annotate(n=Count("id"))
        counts = dict.fromkeys(Post.Kind.values, 0)
        counts.update({row["kind"]: row["n"] for row in rows})
        return counts


class Post(ShownAuthorMixin, models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        EXPERIENCE = "experience", "Experience post"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, blank=True)
    body = models.TextField(help_text="Markdown source.")
    body_html = models.TextField(editable=False, default="")
    # One line of plain text for list pages, from body_html on save (kb/excerpts.py).
    excerpt = models.TextField(editable=False, default="")
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
    # The author is hidden from everyone but staff and themself: a question asked
    # anonymously, and the asker's own answers in its thread. Set at asking, never toggled.
    is_anonymous = models.BooleanField(default=False, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = TaggableManager(blank=True)

    HoldReason = HoldReason
    held_reason = models.CharField(max_length=10, choices=HoldReason.choices, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # A member's first post: public at once, but listed on /review/ until staff look at it.
    needs_review = models.BooleanField(default=False)

    # A closed question takes no new answers; a duplicate's original is its PostLink.
    class CloseReason(models.TextChoices):
        DUPLICATE = "duplicate", "Duplicate"
        OFF_TOPIC = "off-topic", "Off-topic"

    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_reason = models.CharField(max_length=10, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(max_length=500, blank=True)  # why it is off-topic
    # Questions closed as duplicates of this one: the page looks them up only when > 0.
    duplicate_count = models.PositiveIntegerField(default=0)

    # Outcomes and fresh advice (issue 13). A question: when its answer was accepted (the
    # outcome reminder counts from it), whether the accepted answerer may report the outcome,
    # when an outcome was reported (lists mark it without a join) and when the asker was
    # reminded (never twice). An answer or experience post: when its author last said the
    # advice still holds (an edit by the author counts too): see ``advice_date``.
    accepted_at = models.DateTimeField(null=True, blank=True)
    outcome_by_answerer = models.BooleanField(default=False)
    outcome_reported_at = models.DateTimeField(null=True, blank=True)
    outcome_reminded_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    # Imported threads (Reddit, Stack Exchange): where the post came from, for
    # idempotent re-imports and the attribution the source's licence requires.
    source = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=100, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_score = models.IntegerField(null=True, blank=True)
    source_author = models.CharField(max_length=150, blank=True)
    # Stack Exchange bodies arrive as HTML: kept as the source and sanitised, not re-rendered.
    body_format = models.CharField(
        max_length=8,
        choices=[("markdown", "Markdown"), ("html", "HTML")],
        default="markdown",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        # held_reason beside is_deleted: visible() tests both for equality, so the sort
        # indexes still serve it (and cover counts) on SQLite.
        indexes = [
            models.Index(
                fields=["kind", "is_deleted", "held_reason", "-created_at"], name="post_newest_idx"
            ),
            models.Index(
                fields=["kind", "is_deleted", "held_reason", "-score", "-created_at"],
                name="post_top_idx",
            ),
            models.Index(
                fields=["kind", "is_deleted", "held_reason", "-last_activity_at"],
                name="post_active_idx",
            ),
            models.Index(
                fields=["kind", "is_deleted", "held_reason", "answer_count", "-created_at"],
                name="post_unanswered_idx",
            ),
            models.Index(
                fields=["parent", "is_deleted", "held_reason", "-score"], name="post_answers_idx"
            ),
            models.Index(fields=["author", "-created_at"], name="post_author_idx"),
            # The review queue and its count in the staff header (kb/moderation.py).
            models.Index(fields=["held_reason", "-created_at"], name="post_held_idx"),
            models.Index(
                fields=["needs_review", "is_deleted", "held_reason", "-created_at"],
                name="post_needs_review_idx",
            ),
            # "Questions with outcomes": few rows, so a partial index instead of a scan.
            models.Index(
                fields=["kind", "-created_at"],
                condition=Q(outcome_reported_at__isnull=False, is_deleted=False),
                name="post_outcome_idx",
            ),
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
        if self.title:
            self.slug = slug_for(self.title)
        self.body_html = render_body(self.body, self.body_format)
        self.excerpt = excerpt_of(self.body_html)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.is_answer:
            return f"{self.parent.get_absolute_url()}#answer-{self.pk}"
        name = "kb:question-detail" if self.is_question else "kb:post-detail"
        return reverse(name, args=[self.pk, self.slug or "post"])

    @classmethod
    def publish(
        cls, author, *, kind: str, title: str, body: str, tags=(), anonymous: bool = False
    ) -> "Post":
        """Ask a question or write an experience post, with its tags (names, made if new;
        synonyms rewritten to their targets). Only a question can be asked ``anonymous``.
        An unverified member's post is held."""
        from kb.moderation import check_not_suspended, new_content_state
        from kb.tags import get_or_create_tags, resolve_synonyms

        if anonymous and kind != cls.Kind.QUESTION:
            raise ValueError("Only a question can be asked anonymously.")
        check_not_suspended(author)
        with transaction.atomic():
            post = cls.objects.create(
                kind=kind,
                author=author,
                title=title,
                body=body,
                is_anonymous=anonymous,
                **new_content_state(author),
            )
            if tags:
                post.tags.set(get_or_create_tags(resolve_synonyms(tags)))
            if not post.held_reason:  # a held post tells no one until it is released
                tell_activity("asked", author, post)
        announce(Post, post.pk)
        return post

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
    def is_held(self) -> bool:
        return bool(self.held_reason)

    def _held_now(self) -> bool:
        return bool(Post.objects.filter(pk=self.pk).values_list("held_reason", flat=True).get())

    @property
    def is_public(self) -> bool:
        """Whether readers may see it: ``PostQuerySet.public()`` for one post."""
        if self.is_deleted or self.is_held:
            return False
        return not (self.parent_id and (self.parent.is_deleted or self.parent.is_held))

    @property
    def thread_question(self) -> "Post | None":
        """The question of this post's thread: itself, or an answer's question."""
        if self.is_answer:
            return self.parent
        return self if self.is_question else None

    def hides(self, user_id: int | None) -> bool:
        """Whether this post hides ``user_id``: it is anonymous and they wrote it. Asked of a
        thread's question, it decides whether the asker's answers, comments and edits in
        the thread stay anonymous too."""
        return self.is_anonymous and user_id is not None and user_id == self.author_id

    @property
    def display_title(self) -> str:
        return self.parent.title if self.is_answer and self.parent_id else self.title

    # -- Q&A actions (votes, answers, accepting, comments) ------------------------------

    @property
    def shown_comments(self) -> list["Comment"]:
        """Visible comments, oldest first: from ``comments_prefetch()`` when the view used it."""
        prefetched = getattr(self, "_shown_comments", None)
        if prefetched is not None:
            return prefetched
        return self.comments_shown_to(None)

    def comments_shown_to(self, user) -> list["Comment"]:
        """``shown_comments`` plus the user's own held ones (staff: all held ones)."""
        comments = list(_visible_comments(user).filter(post=self))
        for comment in comments:
            comment.post = self  # permission checks read it: no query per comment
        return comments

    def toggle_vote(self, user) -> tuple[bool, int]:
        """The upvote button: ``cast_vote(user, Vote.UP)``; returns (upvoted now, new score)."""
        value, score = self.cast_vote(user, Vote.UP)
        return value == Vote.UP, score

    def cast_vote(self, user, value: int) -> tuple[int, int]:
        """A click on the up (+1) or down (-1) arrow; ``Vote.NONE`` (0) withdraws any vote.

        Clicking the arrow of the user's current vote withdraws it; the other arrow switches.
        Returns (the user's vote now: 1, -1 or 0, the new score). Only answers take
        downvotes. Reputation follows exactly, see ``_vote_reputation``.
        """
        from django.core.exceptions import PermissionDenied

        from kb.moderation import check_not_suspended

        if value not in (Vote.UP, Vote.DOWN, Vote.NONE):
            raise ValueError(f"A vote is +1, -1 or 0, not {value!r}.")
        if user.pk == self.author_id:
            raise PermissionDenied("You can't vote on your own post.")
        check_not_suspended(user)
        if value == Vote.DOWN and not self.is_answer:
            raise DownvoteRefused(DownvoteRefused.message)
        with transaction.atomic():
            # Lock the post row: a double click waits here, so it sees the first vote.
            Post.objects.select_for_update().filter(pk=self.pk).values_list("pk").first()
            vote = Vote.objects.filter(post=self, user=user).first()
            old = vote.value if vote else Vote.NONE
            new = Vote.NONE if value == old else value
            if vote and new == Vote.NONE:
                vote.delete()
            elif vote:
                Vote.objects.filter(pk=vote.pk).update(value=new)
            elif new != Vote.NONE:
                try:
                    with transaction.atomic():  # the unique constraint is the backstop
                        Vote.objects.create(post=self, user=user, value=new)
                except IntegrityError:
                    return new, Post.objects.values_list("score", flat=True).get(pk=self.pk)
            # F(): concurrent votes on the same post or author never overwrite each other.
            Post.objects.filter(pk=self.pk).update(score=F("score") + new - old)
            author_points, voter_points = self._vote_reputation(new)
            old_author_points, old_voter_points = self._vote_reputation(old)
            _add_reputation(self.author_id, author_points - old_author_points)
            _add_reputation(user.pk, voter_points - old_voter_points)
            score = Post.objects.values_list("score", flat=True).get(pk=self.pk)
        self.score = score
        announce(Post, self.pk)
        return new, score

    def _vote_reputation(self, value: int) -> tuple[int, int]:
        """(author's, voter's) reputation from one vote: a downvote costs the voter too
        (Stack Exchange's rule), so it is kept for answers that really mislead.

        An anonymous post moves no author reputation either way: a change on the author's
        profile right after a vote on it would tell who asked.
        """
        if value == Vote.UP:
            return (0 if self.is_anonymous else VOTE_REPUTATION[self.kind]), 0
        if value == Vote.DOWN:
            author_points = 0 if self.is_anonymous else DOWNVOTE_AUTHOR_REPUTATION
            return author_points, DOWNVOTE_VOTER_REPUTATION
        return 0, 0

    def add_answer(self, author, body: str) -> "Post":
        """Raises ``QuestionClosed`` when the question is closed (even a moment ago).

        An unverified member's answer is held: it counts (and tells anyone) once released.
        """
        from kb.moderation import check_not_suspended, new_content_state

        check_not_suspended(author)
        state = new_content_state(author)
        with transaction.atomic():
            open_question = Post.objects.filter(pk=self.pk, closed_at__isnull=True)
            if state["held_reason"]:
                still_open = open_question.select_for_update().exists()
            else:
                # F(): two answers posted at once both count. The closed_at filter makes the
                # count and the check one statement: an answer racing a close is refused.
                still_open = open_question.update(
                    answer_count=F("answer_count") + 1, last_activity_at=timezone.now()
                )
            if not still_open:
                raise QuestionClosed("This question is closed: it takes no new answers.")
            answer = Post.objects.create(
                kind=Post.Kind.ANSWER,
                parent=self,
                author=author,
                body=body,
                is_anonymous=self.hides(author.pk),
                **state,
            )
            if not answer.held_reason:
                tell_activity("answered", author, answer)
        announce(Post, self.pk, answer.pk)
        return answer

    def accept(self, answer: "Post", *, by) -> None:
        """Mark ``answer`` accepted (replacing any other): +15 to its author, moved on change.

        Raises ``AnswerGone`` when the question or the answer is deleted, or the answer is
        not one of this question's.
        """
        self._check_can_accept(by)
        with transaction.atomic():
            # Question row first, then the answer: soft_delete locks in the same order, so
            # an answer deleted while it is being accepted is seen deleted here (or, if the
            # accept wins, unaccepted by the delete), and concurrent accepts move the 15
            # points exactly once.
            current, answer_now = _lock_thread(self.pk, answer.pk)
            if (
                current.is_deleted
                or answer_now.is_deleted
                or not answer_now.is_answer
                or answer_now.parent_id != self.pk
            ):
                raise AnswerGone("Only a visible answer to this question can be accepted.")
            previous_id = current.accepted_answer_id
            if previous_id != answer.pk:
                if previous_id:
                    self._move_accept_reputation(previous_id, -1)
                now = timezone.now()
                Post.objects.filter(pk=self.pk).update(
                    accepted_answer=answer, accepted_at=now, last_activity_at=now
                )
                self._move_accept_reputation(answer.pk, +1)
                tell_activity("accepted", by, answer_now)
        self.accepted_answer_id = answer.pk
        announce(Post, self.pk, answer.pk, previous_id)

    def unaccept(self, *, by) -> None:
        self._check_can_accept(by)
        with transaction.atomic():
            current = Post.objects.select_for_update().get(pk=self.pk)
            previous_id = current.accepted_answer_id
            if previous_id:
                self._move_accept_reputation(previous_id, -1)
                Post.objects.filter(pk=self.pk).update(accepted_answer=None, accepted_at=None)
        self.accepted_answer_id = None
        announce(Post, self.pk, previous_id)

    def _check_can_accept(self, user) -> None:
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_accept

        if not can_accept(user, self):
            raise PermissionDenied("Only the asker can accept an answer.")

    def _move_accept_reputation(self, answer_id: int, sign: int) -> None:
        answer_author_id = Post.objects.values_list("author_id", flat=True).get(pk=answer_id)
        if answer_author_id != self.author_id:  # accepting your own answer earns nothing
            _add_reputation(answer_author_id, sign * ACCEPT_REPUTATION)

    def add_comment(self, author, body: str) -> "Comment":
        """An unverified member's comment is held: counted and told once released."""
        from kb.moderation import check_not_suspended, comment_hold_reason

        check_not_suspended(author)
        held_reason = comment_hold_reason(author)
        with transaction.atomic():
            thread = self.thread_question
            comment = Comment.objects.create(
                post=self,
                author=author,
                body=body,
                is_anonymous=thread is not None and thread.hides(author.pk),
                held_reason=held_reason,
                held_at=timezone.now() if held_reason else None,
            )
            if not held_reason:
                # F(): two comments posted at once both count.
                Post.objects.filter(pk=self.pk).update(comment_count=F("comment_count") + 1)
                tell_activity("commented", author, self, comment)
        announce(Post, self.pk)
        return comment

    # -- holding for review (kb/moderation.py decides when) ------------------------------

    def hold(self, reason: str) -> bool:
        """Hide the post pending review; False when it was held already."""
        with transaction.atomic():
            current = Post.objects.select_for_update().get(pk=self.pk)
            if current.held_reason:
                return False
            Post.objects.filter(pk=self.pk).update(held_reason=reason, held_at=timezone.now())
            if self.is_answer and not current.is_deleted:
                # F(): an answer posted meanwhile keeps the count exact.
                Post.objects.filter(pk=self.parent_id, answer_count__gt=0).update(
                    answer_count=F("answer_count") - 1
                )
        self.held_reason, self.held_at = reason, timezone.now()
        # Its answers leave search results with it, as when it is deleted.
        announce(Post, self.pk, self.parent_id)
        return True

    def release(self) -> bool:
        """Show a held post again; False when it was not held. A post held since it was
        written (unverified author) is news now: counted and told as if just posted."""
        with transaction.atomic():
            current = Post.objects.select_for_update().get(pk=self.pk)
            if not current.held_reason:
                return False
            first_shown = current.held_reason == HoldReason.UNVERIFIED
            Post.objects.filter(pk=self.pk).update(held_reason="", held_at=None)
            if self.is_answer and not current.is_deleted:
                activity = {"last_activity_at": timezone.now()} if first_shown else {}
                # F(): see hold().
                Post.objects.filter(pk=self.parent_id).update(
                    answer_count=F("answer_count") + 1, **activity
                )
            self.held_reason, self.held_at = "", None
            if first_shown and not current.is_deleted:
                tell_activity("answered" if self.is_answer else "asked", self.author, self)
        announce(Post, self.pk, self.parent_id)
        return True

    # -- closing (duplicate, off-topic) and reopening -----------------------------------

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_duplicate(self) -> bool:
        return self.close_reason == self.CloseReason.DUPLICATE

    def close_as_duplicate(self, original: "Post", *, by) -> "Post":
        """Close as a duplicate of ``original``, or of its own original when it is one.

        Returns the question it was closed against. Raises ``CloseRefused`` for itself, a
        deleted or non-question original, a cycle, or a question closed already.
        """
        self._check_can_close(by)
        with transaction.atomic():
            current = Post.objects.select_for_update().get(pk=self.pk)
            self._refuse_if_closed(current)
            target = _original_of(original)
            if target.pk == self.pk:
                raise CloseRefused(
                    "A question can't be a duplicate of itself."
                    if original.pk == self.pk
                    else f"“{original.title}” is itself a duplicate of this question."
                )
            PostLink.objects.update_or_create(
                from_post=self, to_post=target, defaults={"kind": PostLink.Kind.DUPLICATE}
            )
            # F(): two questions closed against the same original at once both count.
            Post.objects.filter(pk=target.pk).update(duplicate_count=F("duplicate_count") + 1)
            self._mark_closed(self.CloseReason.DUPLICATE, "", by)
        announce(Post, self.pk, target.pk)
        return target

    def close_as_off_topic(self, reason: str, *, by) -> None:
        reason = " ".join(reason.split())
        if not reason:
            raise CloseRefused("Say why the question is off-topic.")
        self._check_can_close(by)
        with transaction.atomic():
            self._refuse_if_closed(Post.objects.select_for_update().get(pk=self.pk))
            self._mark_closed(self.CloseReason.OFF_TOPIC, reason[:500], by)
        announce(Post, self.pk)

    def reopen(self, *, by) -> None:
        """Open a closed question again; a duplicate's link to its original goes."""
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_reopen

        if not can_reopen(by, self):
            raise PermissionDenied("Only moderators can reopen a question.")
        with transaction.atomic():
            current = Post.objects.select_for_update().get(pk=self.pk)
            originals = list(
                PostLink.objects.filter(from_post=self, kind=PostLink.Kind.DUPLICATE).values_list(
                    "to_post_id", flat=True
                )
            )
            if current.is_duplicate:
                PostLink.objects.filter(from_post=self, kind=PostLink.Kind.DUPLICATE).delete()
                Post.objects.filter(pk__in=originals, duplicate_count__gt=0).update(
                    duplicate_count=F("duplicate_count") - 1
                )
            self._set_closed(closed_at=None, closed_by=None, close_reason="", close_note="")
        announce(Post, self.pk, *originals)

    def _check_can_close(self, user) -> None:
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_close

        if not can_close(user, self):
            raise PermissionDenied(
                "Only moderators and members with "
                f"{settings.CLOSE_MIN_REPUTATION} reputation can close a question."
            )

    @staticmethod
    def _refuse_if_closed(current: "Post") -> None:
        if current.is_closed or current.is_deleted:
            raise CloseRefused("This question is closed already (or deleted): reopen it first.")

    def _mark_closed(self, reason: str, note: str, by) -> None:
        self._set_closed(
            closed_at=timezone.now(), closed_by=by, close_reason=reason, close_note=note
        )

    def _set_closed(self, **fields) -> None:
        # update(), not save(): saving re-renders the body, which closing does not change.
        Post.objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)

    # -- editing, soft delete, restore ---------------------------------------------------

    def tag_names(self) -> list[str]:
        return sorted(tag.name for tag in self.tags.all())

    def edit(
        self, editor, *, body: str, title: str = "", tags: list | None = None
    ) -> "Revision | None":
        """Save new text (and tags), keeping the old version as a Revision.

        Nothing changed (same title, body and tags): no revision, no "edited" mark; None.
        """
        from kb.moderation import check_not_suspended
        from kb.tags import get_or_create_tags

        check_not_suspended(editor)
        if self._edit_changes_nothing(body=body, title=title, tags=tags):
            return None
        html_before = self.body_html
        with transaction.atomic():
            revision = Revision.objects.create(
                post=self,
                editor=editor,
                title=self.title,
                body=self.body,
                tags=" ".join(self.tag_names()),
            )
            if not self.is_answer:
                self.title = title
            self.body = body
            self.edited_at = timezone.now()
            fields = ["title", "slug", "body", "body_html", "excerpt", "edited_at"]
            if editor.pk == self.author_id:  # the author's own edit vouches for the advice
                self.confirmed_at = self.edited_at
                fields.append("confirmed_at")
            self.save(update_fields=fields)
            if tags is not None and not self.is_answer:
                self.tags.set(get_or_create_tags(tags))
            if not (self.held_reason or self.is_deleted):  # hidden: it tells no one
                tell_activity("edited", editor, self, html_before=html_before)
        # Its answers show its title and tags in search: the search layer follows them.
        announce(Post, self.pk)
        return revision

    def _edit_changes_nothing(self, *, body: str, title: str, tags: list | None) -> bool:
        if body != self.body or (not self.is_answer and title != self.title):
            return False
        if tags is None or self.is_answer:
            return True
        return set(tags) == set(self.tag_names())

    def soft_delete(self, *, by) -> None:
        """Hide the post (kept in the database). An accepted answer is unaccepted first."""
        with transaction.atomic():
            if self.is_answer:
                # The same rows in the same order as accept(): question, then answer.
                question, current = _lock_thread(self.parent_id, self.pk)
            hidden = Post.objects.filter(pk=self.pk, is_deleted=False).update(
                is_deleted=True, deleted_at=timezone.now(), deleted_by=by
            )
            if hidden and self.is_answer:
                if question.accepted_answer_id == self.pk:
                    question._move_accept_reputation(self.pk, -1)
                    Post.objects.filter(pk=question.pk).update(accepted_answer=None)
                if not current.held_reason:  # a held answer was uncounted when held
                    # F(): an answer posted while this one is deleted keeps the count exact.
                    Post.objects.filter(pk=question.pk, answer_count__gt=0).update(
                        answer_count=F("answer_count") - 1
                    )
        if hidden:
            self.is_deleted = True
            # A deleted question's answers leave search results with it.
            announce(Post, self.pk, self.parent_id)

    def restore(self, *, by) -> None:
        """Staff only: show a soft-deleted post again (an answer counts again)."""
        from django.core.exceptions import PermissionDenied

        if not by.is_staff:
            raise PermissionDenied("Only staff can restore a deleted post.")
        with transaction.atomic():
            shown = Post.objects.filter(pk=self.pk, is_deleted=True).update(
                is_deleted=False, deleted_at=None, deleted_by=None
            )
            if shown and self.is_answer and not self._held_now():  # counted once released
                # F(): see soft_delete.
                Post.objects.filter(pk=self.parent_id).update(answer_count=F("answer_count") + 1)
        if shown:
            self.is_deleted = False
            announce(Post, self.pk, self.parent_id)

    # -- fresh advice, outcomes and "start here" answers (issue 13) ----------------------

    @property
    def advice_date(self):
        """When the advice was last vouched for: written, or edited or re-confirmed by its
        author (a moderator's edit fixes wording, not whether the advice still holds)."""
        return max(self.created_at, self.confirmed_at or self.created_at)

    @property
    def is_advice_dated(self) -> bool:
        """An answer or experience post old enough to say "advice from <year>"."""
        from kb.advice import stale_before

        return not self.is_question and self.advice_date < stale_before()

    def reconfirm(self, *, by) -> None:
        """The author's "still true": the advice counts as fresh from now."""
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_reconfirm

        if not can_reconfirm(by, self):
            raise PermissionDenied("Only the author can confirm their advice still holds.")
        self.confirmed_at = timezone.now()
        Post.objects.filter(pk=self.pk).update(confirmed_at=self.confirmed_at)
        announce(Post, self.pk, self.parent_id)

    def add_outcome(self, author, body: str) -> "Outcome":
        """The question's outcome (one per question): what was decided and how it went.

        Raises ``PermissionDenied`` unless ``author`` may report it, ``OutcomeExists`` when
        the question has one already (even one saved a moment ago).
        """
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_add_outcome

        if not can_add_outcome(author, self):
            raise PermissionDenied(
                "Only the asker (or the accepted answerer, when the asker allows it) can "
                "report the outcome."
            )
        try:
            with transaction.atomic():
                outcome = Outcome.objects.create(question=self, author=author, body=body)
                Post.objects.filter(pk=self.pk).update(outcome_reported_at=outcome.created_at)
        except IntegrityError:  # the one-per-question constraint: another was saved first
            raise OutcomeExists("This question has an outcome already: edit it instead.") from None
        self.outcome_reported_at = outcome.created_at
        announce(Post, self.pk)
        return outcome

    def allow_outcome_by_answerer(self, allowed: bool, *, by) -> None:
        """The asker's consent: the accepted answer's author may report the outcome too."""
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_set_outcome_consent

        if not can_set_outcome_consent(by, self):
            raise PermissionDenied("Only the asker decides who may report the outcome.")
        self.outcome_by_answerer = allowed
        Post.objects.filter(pk=self.pk).update(outcome_by_answerer=allowed)
        announce(Post, self.pk)

    def mark_canonical(self, tag, *, by) -> "CanonicalAnswer":
        """Make this answer "Start here for <tag>", replacing the tag's previous one.

        ``by=None`` is the site itself (``load_demo``): no member's permission applies.
        """
        from django.core.exceptions import PermissionDenied

        from kb.permissions import can_mark_canonical

        if by is not None and not can_mark_canonical(by, self):
            raise PermissionDenied(
                "Only moderators and members with "
                f"{settings.CANONICAL_MIN_REPUTATION} reputation can mark a start-here answer."
            )
        if not self.parent.tags.filter(pk=tag.pk).exists():
            raise CanonicalRefused(f"This answer's question is not tagged {tag.name}.")
        with transaction.atomic():
            previous = CanonicalAnswer.objects.select_for_update().filter(tag=tag).first()
            previous_question = previous.answer.parent_id if previous else None
            canonical, _ = CanonicalAnswer.objects.update_or_create(
                tag=tag, defaults={"answer": self, "marked_by": by, "marked_at": timezone.now()}
            )
        announce(Post, self.pk, self.parent_id, previous_question)
        return canonical


VOTE_REPUTATION = {
    Post.Kind.QUESTION: 5,
    Post.Kind.ANSWER: 10,
    Post.Kind.EXPERIENCE: 10,
}
ACCEPT_REPUTATION = 15
DOWNVOTE_AUTHOR_REPUTATION = -2
DOWNVOTE_VOTER_REPUTATION = -1


def _add_reputation(user_id: int, points: int) -> None:
    from accounts.models import User

    if points:
        User.objects.filter(pk=user_id).update(reputation=F("reputation") + points)


class QuestionClosed(ValueError):
    """The question is closed: it takes no new answers."""


class CloseRefused(ValueError):
    """The question can't be closed that way; the message says why (shown to the user)."""


MAX_DUPLICATE_CHAIN = 20


def _original_of(question: Post) -> Post:
    """The question a duplicate should point to: ``question``, or the end of its chain.

    Following the chain flattens duplicates of duplicates; a chain that comes back to a
    question already seen is a cycle, refused (as is a deleted, held or non-question post).
    """
    seen = set()
    current = question
    while True:
        if not current.is_question or current.is_deleted or current.held_reason:
            # The same words for a held question: its title must not show to the closer.
            raise CloseRefused("The original must be a public question (not deleted).")
        seen.add(current.pk)
        link = (
            PostLink.objects.filter(from_post=current, kind=PostLink.Kind.DUPLICATE)
            .select_related("to_post")
            .order_by("-created_at", "-id")
            .first()
        )
        if link is None or not current.is_duplicate:
            return current
        if link.to_post_id in seen or len(seen) >= MAX_DUPLICATE_CHAIN:
            return current  # a cycle left by imports: stop where we are
        current = link.to_post


class OutcomeExists(ValueError):
    """The question has its outcome already (one per question): it can be edited."""


class CanonicalRefused(ValueError):
    """The answer can't be the tag's start-here answer; the message says why."""


class DownvoteRefused(ValueError):
    """A downvote on a question or an experience post: only answers take them."""

    message = "Only answers can be downvoted."


class AnswerGone(ValueError):
    """The answer (or its question) was deleted, or is not an answer to this question."""


def _lock_thread(question_id: int, answer_id: int) -> tuple[Post, Post]:
    """Lock a question's row, then one answer's: the order every writer of both uses."""
    rows = Post.objects.select_for_update()
    return rows.get(pk=question_id), rows.get(pk=answer_id)


def _visible_comments(user=None):
    """Comments not deleted nor held; with ``user``, also their own held ones (staff: all)."""
    shown = Q(held_reason="")
    if user is not None and user.is_authenticated:
        shown = Q() if user.is_staff else shown | Q(author=user)
    return (
        Comment.objects.filter(shown, is_deleted=False)
        .select_related("author")
        .order_by("created_at", "id")
    )


def comments_prefetch(lookup: str = "comments", user=None) -> Prefetch:
    """Prefetch for ``post.shown_comments``: one query for the comments of all listed posts
    (with ``user``, their own held comments too: only for pages cached per member)."""
    return Prefetch(lookup, queryset=_visible_comments(user), to_attr="_shown_comments")


class Vote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    UP, DOWN, NONE = 1, -1, 0  # NONE is no row: ``Post.cast_vote`` withdraws the vote

    value = models.SmallIntegerField(default=UP)  # downvotes on answers only
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

    @classmethod
    def pressed_arrows(cls, user, post_ids) -> tuple[set[int], set[int]]:
        """(ids the user upvoted, ids they downvoted) among ``post_ids``: one query."""
        up, down = set(), set()
        if user.is_authenticated:
            rows = cls.objects.filter(user=user, post_id__in=post_ids)
            for post_id, value in rows.values_list("post_id", "value"):
                (up if value == cls.UP else down).add(post_id)
        return up, down


class Comment(ShownAuthorMixin, models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    is_deleted = models.BooleanField(default=False)
    # By an anonymous asker, in their question's thread (``Post.hides``).
    is_anonymous = models.BooleanField(default=False, editable=False)
    # Held like a post (HoldReason): hidden from everyone but its author and staff.
    held_reason = models.CharField(max_length=10, choices=HoldReason.choices, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=100, blank=True)
    source_score = models.IntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["post", "is_deleted", "held_reason", "created_at"], name="comment_post_idx"
            ),
            models.Index(fields=["held_reason", "-created_at"], name="comment_held_idx"),
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

    @property
    def is_held(self) -> bool:
        return bool(self.held_reason)

    def soft_delete(self) -> bool:
        """Hide the comment; False when it was hidden already (a second click counts once)."""
        with transaction.atomic():
            hidden = Comment.objects.filter(pk=self.pk, is_deleted=False).update(is_deleted=True)
            if hidden and not self._held_now():  # a held comment was uncounted already
                # F(): a delete racing a new comment keeps the count exact.
                Post.objects.filter(pk=self.post_id, comment_count__gt=0).update(
                    comment_count=F("comment_count") - 1
                )
        self.is_deleted = True
        if hidden:
            announce(Comment, self.post_id)
        return bool(hidden)

    def restore(self) -> bool:
        """Show a hidden comment again; False when it was shown already."""
        with transaction.atomic():
            shown = Comment.objects.filter(pk=self.pk, is_deleted=True).update(is_deleted=False)
            if shown and not self._held_now():
                # F(): see soft_delete.
                Post.objects.filter(pk=self.post_id).update(comment_count=F("comment_count") + 1)
        self.is_deleted = False
        if shown:
            announce(Comment, self.post_id)
        return bool(shown)

    def _held_now(self) -> bool:
        return bool(Comment.objects.filter(pk=self.pk).values_list("held_reason", flat=True).get())

    def hold(self, reason: str) -> bool:
        """Hide the comment pending review; False when it was held already."""
        with transaction.atomic():
            current = Comment.objects.select_for_update().get(pk=self.pk)
            if current.held_reason:
                return False
            Comment.objects.filter(pk=self.pk).update(held_reason=reason, held_at=timezone.now())
            if not current.is_deleted:
                # F(): see soft_delete.
                Post.objects.filter(pk=self.post_id, comment_count__gt=0).update(
                    comment_count=F("comment_count") - 1
                )
        self.held_reason = reason
        announce(Comment, self.post_id)
        return True

    def release(self) -> bool:
        """Show a held comment again (told to the post's author if it was never shown)."""
        with transaction.atomic():
            current = Comment.objects.select_for_update().get(pk=self.pk)
            if not current.held_reason:
                return False
            Comment.objects.filter(pk=self.pk).update(held_reason="", held_at=None)
            if not current.is_deleted:
                # F(): see soft_delete.
                Post.objects.filter(pk=self.post_id).update(comment_count=F("comment_count") + 1)
                if current.held_reason == HoldReason.UNVERIFIED:
                    tell_activity("commented", self.author, self.post, self)
        self.held_reason = ""
        announce(Comment, self.post_id)
        return True


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

    @property
    def shown_editor(self):
        """The editor as readers see them: ``None`` for the anonymous author's own edits
        (the template says "Anonymous member"); staff editing stay named."""
        return None if self.post.hides(self.editor_id) else self.editor


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
        # A bulk update: no per-row signal, so the pages and search learn it here.
        announce(TagSynonym, *post_ids)
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


class PostVector(models.Model):
    """A question's or experience post's sentence vector (kb/search/vectors.py keeps it).

    ``vector`` NULL is a tombstone: the post is deleted or gone. Tombstones stay, so every
    process's in-memory index sees the removal when it reads rows changed since its last look.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        EXPERIENCE = "experience", "Experience post"

    # No database constraint and DO_NOTHING: the row outlives a hard-deleted post until the
    # after-commit sync turns it into a tombstone; with CASCADE it would vanish unseen.
    post = models.OneToOneField(
        Post,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="vector_row",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    vector = models.BinaryField(null=True)  # float32 little-endian
    checksum = models.CharField(max_length=32, blank=True)  # model id + embedded text
    updated_at = models.DateTimeField(db_index=True)

    def __str__(self):
        state = "Vector" if self.vector is not None else "Tombstone"
        return f"{state} of post {self.post_id}"


# Outcomes and start-here answers (kb/advice_models.py); follows, bookmarks and
# notifications (kb/inbox_models.py); e-mail preferences and sent digests
# (kb/email_models.py); flags: registered with the kb app.
from kb.advice_models import CanonicalAnswer, Outcome  # noqa: E402
from kb.email_models import DigestSent, EmailPreference  # noqa: E402, F401
from kb.flag_models import Flag  # noqa: E402, F401
from kb.inbox_models import Bookmark, Notification, QuestionFollow, TagFollow  # noqa: E402, F401

# Career paths: experience posts' structured fields and role synonyms (kb/path_models.py).
from kb.path_models import CareerMove, RoleSynonym  # noqa: E402, F401
