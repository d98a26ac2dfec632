"""Write parsed threads with the models: one shared path for every importer.

Rows go in with ``bulk_create`` in batches, so ``Post.save()`` is not called: slugs and
bodies are made with the model's own rules (``slug_for``, ``render_body``, ``excerpt_of``: Markdown
rendered, Stack Exchange HTML sanitised). Imported scores go into ``source_score``: no
local votes are made, so local ``score`` stays 0. Accepted answers go through
``Post.accept``, as on the site (the answer's author gets the +15 that unaccepting would
take back). At the end one ``content_changed`` event names the new posts, for the page
cache and the search index. Idempotent: ``(source, source_id)`` rows that exist are
skipped. The caller owns the transaction (``transaction.atomic``), so a failure leaves
nothing behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from taggit.models import Tag, TaggedItem

from kb.events import announce
from kb.excerpts import excerpt_of
from kb.importers.base import (
    ImportedComment,
    ImportedLink,
    ImportedPost,
    ImportedUser,
    ImportFileError,
    Thread,
)
from kb.markdown import render_inline_markdown
from kb.models import AnswerGone, Comment, Post, PostLink, render_body, slug_for
from kb.tags import get_or_create_tags, resolve_synonyms

BATCH_SIZE = 500
# Above this many new posts the whole index is rebuilt after the commit, instead of
# remembering every new id (which would make memory grow with the dump).
REINDEX_ID_LIMIT = 5000
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@dataclass
class ImportReport:
    source: str
    questions: int = 0
    experiences: int = 0
    answers: int = 0
    comments: int = 0
    users: int = 0
    tags: int = 0
    links: int = 0
    accepted: int = 0
    already_imported: int = 0
    missing_comments: int = 0
    skipped_deleted: int = 0
    skipped_links: int = 0
    dry_run: bool = False
    first_post_id: int | None = None
    first_post_url: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self.questions + self.experiences + self.answers + self.comments

    def summary(self) -> str:
        counts = [
            (self.questions, "question"),
            (self.experiences, "experience post"),
            (self.answers, "answer"),
            (self.comments, "comment"),
            (self.users, "user"),
            (self.tags, "new tag"),
            (self.links, "link"),
            (self.accepted, "accepted answer"),
        ]
        parts = [f"{n} {noun}{'s' * (n != 1)}" for n, noun in counts if n]
        verb = "Would import" if self.dry_run else "Imported"
        if parts:
            lines = [f"{verb} {', '.join(parts)} from {self.source}."]
            if self.already_imported:
                lines.append(f"{self.already_imported} items were imported before and kept.")
        else:
            before = self.already_imported
            lines = [
                f"{verb} nothing new from {self.source}"
                + (f": all {before} items were imported before." if before else ".")
            ]
        if self.missing_comments:
            lines.append(f"{self.missing_comments} comments not in the file (Reddit 'more' stubs).")
        if self.skipped_deleted:
            lines.append(
                f"{self.skipped_deleted} deleted or removed comments without replies skipped."
            )
        if self.skipped_links:
            lines.append(f"{self.skipped_links} links to posts outside the dump skipped.")
        lines.extend(self.warnings)
        return "\n".join(lines)


class ImportWriter:
    """Writes batches of users, posts, comments and links for one source, then ``finish()``.

    ``source`` identifies the site (``reddit:funny``, ``stackexchange:conlang.stackexchange.com``)
    and, with each item's ``source_id``, makes re-imports find what exists.
    ``user_prefix`` starts every placeholder username; it contains "~", which sign-up
    usernames cannot, so a placeholder never takes a real person's name (or the reverse).
    """

    def __init__(self, *, source: str, user_prefix: str, users_from: str = "") -> None:
        self.source = source
        self.user_prefix = user_prefix
        self.users_from = users_from or source
        self.report = ImportReport(source=source)
        self._tags: dict[str, Tag] = {}
        self._tag_count_before = Tag.objects.count()
        self._new_post_ids: list[int] = []
        self._reindex_everything = False
        self._pending_accepts: dict[str, int] = {}  # answer source id -> question pk
        self._content_type = ContentType.objects.get_for_model(Post)

    # -- users ----------------------------------------------------------------------------

    def username(self, key: str) -> str:
        return (self.user_prefix + _USERNAME_UNSAFE.sub("~", key))[:150]

    def save_users(self, users: Iterable[ImportedUser]) -> dict[str, int]:
        """Placeholder users for these authors (created when new); returns key -> pk."""
        users = list(users)
        wanted = {self.username(user.key): user for user in users}
        User = get_user_model()
        found = dict(User.objects.filter(username__in=list(wanted)).values_list("username", "pk"))
        new_users = []
        for username, user in wanted.items():
            if username in found:
                continue
            placeholder = User(
                username=username,
                display_name=(user.name or user.key)[:60],
                is_imported=True,
                imported_from=self.users_from,
                is_active=False,
            )
            placeholder.set_unusable_password()
            new_users.append(placeholder)
        for created in User.objects.bulk_create(new_users, batch_size=BATCH_SIZE):
            found[created.username] = created.pk
        self.report.users += len(new_users)
        # Keys that make the same username ("Ann Lee", "Ann/Lee") share one placeholder.
        return {user.key: found[self.username(user.key)] for user in users}

    # -- posts ----------------------------------------------------------------------------

    def save_posts(self, posts: list[ImportedPost]) -> None:
        """One batch: questions/experiences before answers, so an answer finds its question."""
        posts = sorted(posts, key=lambda post: post.kind == "answer")
        existing = self._existing_post_ids([post.source_id for post in posts])
        new_posts = [post for post in posts if post.source_id not in existing]
        self.report.already_imported += len(posts) - len(new_posts)
        openers = [post for post in new_posts if post.kind != "answer"]
        answers = [post for post in new_posts if post.kind == "answer"]
        if openers:
            self._create_posts(openers, {})
        if answers:
            parents = self._existing_post_ids([post.parent_source_id for post in answers])
            for answer in answers:
                if answer.parent_source_id not in parents:
                    raise ImportFileError(
                        "", answer.where, f"answer's question {answer.parent_source_id} is absent"
                    )
            self._create_posts(answers, parents)
        self._remember_accepts(posts)

    def _create_posts(self, posts: list[ImportedPost], parents: dict[str, int]) -> None:
        authors = self.save_users(post.author for post in posts)
        rows = [self._post_row(post, authors, parents) for post in posts]
        created = Post.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self._tag_posts(posts, created)
        for row in created:
            setattr(
                self.report,
                _REPORT_FIELD[row.kind],
                getattr(self.report, _REPORT_FIELD[row.kind]) + 1,
            )
            if self.report.first_post_id is None and row.kind != Post.Kind.ANSWER:
                self.report.first_post_id = row.pk
                self.report.first_post_url = row.get_absolute_url()
        self._note_new_posts([row.pk for row in created])

    def _post_row(self, post: ImportedPost, authors: dict[str, int], parents: dict[str, int]):
        title = post.title[:300]
        body_html = render_body(post.body, post.body_format)
        return Post(
            kind=post.kind,
            title=title,
            slug=slug_for(title) if title else "",
            body=post.body,
            body_format=post.body_format,
            body_html=body_html,
            excerpt=excerpt_of(body_html),
            author_id=authors[post.author.key],
            parent_id=parents.get(post.parent_source_id) if post.kind == "answer" else None,
            created_at=post.created_at,
            edited_at=post.edited_at,
            last_activity_at=post.last_activity_at or post.edited_at or post.created_at,
            view_count=max(post.view_count, 0),
            source=self.source,
            source_id=post.source_id,
            source_url=post.url[:500],
            source_score=post.score,
            source_author=post.author.name[:150],
        )

    def _tag_posts(self, posts: list[ImportedPost], rows: list[Post]) -> None:
        names = {name for post in posts for name in post.tags}
        synonyms = dict(zip(sorted(names), resolve_synonyms(sorted(names)), strict=False))
        # resolve_synonyms drops repeats, so map name by name when two names merge.
        if len(synonyms) != len(names):
            synonyms = {name: resolve_synonyms([name])[0] for name in names}
        unknown = [synonyms[name] for name in names if synonyms[name] not in self._tags]
        for tag in get_or_create_tags(unknown):
            self._tags[tag.name] = tag
        items = []
        for post, row in zip(posts, rows, strict=True):
            tag_names = dict.fromkeys(synonyms[name] for name in post.tags)
            items += [
                TaggedItem(tag=self._tags[name], content_type=self._content_type, object_id=row.pk)
                for name in tag_names
            ]
        TaggedItem.objects.bulk_create(items, batch_size=BATCH_SIZE)

    def _remember_accepts(self, posts: list[ImportedPost]) -> None:
        questions = [post for post in posts if post.accepted_answer_source_id]
        if questions:
            pks = self._existing_post_ids([post.source_id for post in questions])
            for post in questions:
                self._pending_accepts[post.accepted_answer_source_id] = pks[post.source_id]
        self._apply_accepts()

    def _apply_accepts(self) -> None:
        """Set accepted answers whose answer exists by now (it may come in a later batch)."""
        if not self._pending_accepts:
            return
        answers = self._existing_post_ids(list(self._pending_accepts))
        wanted = {self._pending_accepts.pop(source_id): pk for source_id, pk in answers.items()}
        questions = Post.objects.filter(pk__in=wanted, accepted_answer__isnull=True)
        for question in questions.select_related("author"):
            answer = Post(pk=wanted[question.pk], kind=Post.Kind.ANSWER, parent_id=question.pk)
            # As if the asker accepted it here; accept() checks the answer under its lock.
            try:
                question.accept(answer, by=question.author)
            except AnswerGone:
                continue  # the dump names a post that is no answer of this question
            self.report.accepted += 1

    def _existing_post_ids(self, source_ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        ids = list(dict.fromkeys(source_ids))
        for chunk in _chunks(ids, BATCH_SIZE):
            found.update(
                Post.objects.filter(source=self.source, source_id__in=chunk).values_list(
                    "source_id", "pk"
                )
            )
        return found

    def _note_new_posts(self, pks: list[int]) -> None:
        if self._reindex_everything:
            return
        self._new_post_ids += pks
        if len(self._new_post_ids) > REINDEX_ID_LIMIT:
            self._reindex_everything = True
            self._new_post_ids = []

    def only_with_known_parents(self, answers: list[ImportedPost]) -> list[ImportedPost]:
        """The answers whose question is imported (``--limit`` leaves the others out)."""
        known = self._existing_post_ids([answer.parent_source_id for answer in answers])
        return [answer for answer in answers if answer.parent_source_id in known]

    def only_on_known_posts(self, comments: list[ImportedComment]) -> list[ImportedComment]:
        known = self._existing_post_ids([comment.post_source_id for comment in comments])
        return [comment for comment in comments if comment.post_source_id in known]

    # -- comments and links ---------------------------------------------------------------

    def save_comments(self, comments: list[ImportedComment]) -> None:
        existing = set(
            Comment.objects.filter(
                source=self.source, source_id__in=[comment.source_id for comment in comments]
            ).values_list("source_id", flat=True)
        )
        new_comments = [comment for comment in comments if comment.source_id not in existing]
        self.report.already_imported += len(comments) - len(new_comments)
        if not new_comments:
            return
        posts = self._existing_post_ids([comment.post_source_id for comment in new_comments])
        for comment in new_comments:
            if comment.post_source_id not in posts:
                raise ImportFileError(
                    "", comment.where, f"the comment's post {comment.post_source_id} is absent"
                )
        authors = self.save_users(comment.author for comment in new_comments)
        rows = [
            Comment(
                post_id=posts[comment.post_source_id],
                author_id=authors[comment.author.key],
                body=comment.body,
                body_html=render_inline_markdown(comment.body),
                created_at=comment.created_at,
                source=self.source,
                source_id=comment.source_id,
                source_score=comment.score,
            )
            for comment in new_comments
        ]
        Comment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.report.comments += len(rows)
        self._note_new_posts(sorted({row.post_id for row in rows}))

    def save_links(self, links: list[ImportedLink]) -> None:
        posts = self._existing_post_ids(
            [link.from_source_id for link in links] + [link.to_source_id for link in links]
        )
        pairs = {}
        for link in links:
            if link.from_source_id in posts and link.to_source_id in posts:
                pair = (posts[link.from_source_id], posts[link.to_source_id])
                if pair[0] != pair[1]:
                    pairs.setdefault(pair, link.kind)
            else:
                self.report.skipped_links += 1
        if not pairs:
            return
        existing = set(
            PostLink.objects.filter(from_post_id__in={a for a, _ in pairs}).values_list(
                "from_post_id", "to_post_id"
            )
        )
        rows = [
            PostLink(from_post_id=a, to_post_id=b, kind=kind)
            for (a, b), kind in pairs.items()
            if (a, b) not in existing
        ]
        PostLink.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.report.links += len(rows)

    # -- the end --------------------------------------------------------------------------

    def finish(self, *, drop_unused_users: bool = False) -> ImportReport:
        """Counters, accepted answers left over, search index and page cache (after commit)."""
        self._pending_accepts.clear()  # accepted answers missing from the dump stay unset
        self._recount()
        if drop_unused_users:
            self.report.users -= self._drop_unused_users()
        self.report.tags = Tag.objects.count() - self._tag_count_before
        self._schedule_search_update()
        return self.report

    def _recount(self) -> None:
        """answer_count and comment_count of this source's posts, counted by the database."""
        answers = (
            Post.objects.filter(parent=OuterRef("pk"), is_deleted=False, held_reason="")
            .order_by()
            .values("parent")
            .annotate(n=Count("pk"))
            .values("n")
        )
        comments = (
            Comment.objects.filter(post=OuterRef("pk"), is_deleted=False, held_reason="")
            .order_by()
            .values("post")
            .annotate(n=Count("pk"))
            .values("n")
        )
        zero = Value(0)
        Post.objects.filter(source=self.source).exclude(kind=Post.Kind.ANSWER).update(
            answer_count=Coalesce(Subquery(answers, output_field=IntegerField()), zero)
        )
        Post.objects.filter(source=self.source).update(
            comment_count=Coalesce(Subquery(comments, output_field=IntegerField()), zero)
        )

    def _drop_unused_users(self) -> int:
        """Stack Exchange dumps list every member; keep only those whose text we import."""
        User = get_user_model()
        unused = User.objects.filter(is_imported=True, imported_from=self.users_from).filter(
            ~Exists(Post.objects.filter(author=OuterRef("pk"))),
            ~Exists(Comment.objects.filter(author=OuterRef("pk"))),
        )
        _, per_model = unused.delete()
        return per_model.get(User._meta.label, 0)

    def _schedule_search_update(self) -> None:
        if self._reindex_everything:
            announce(Post, all_posts=True)
        elif self._new_post_ids or self.report.links:  # links alone change pages only
            announce(Post, *self._new_post_ids)


_REPORT_FIELD = {
    Post.Kind.QUESTION: "questions",
    Post.Kind.EXPERIENCE: "experiences",
    Post.Kind.ANSWER: "answers",
}


def save_threads(
    threads: Iterable[Thread], *, source: str, user_prefix: str, users_from: str = ""
) -> ImportReport:
    """Write whole threads (the Reddit path; small enough to hold in memory)."""
    writer = ImportWriter(source=source, user_prefix=user_prefix, users_from=users_from)
    for thread in threads:
        writer.save_posts([thread.question, *thread.answers])
        writer.save_comments(thread.comments)
        if thread.links:
            writer.save_links(thread.links)
        writer.report.missing_comments += thread.missing_comments
        writer.report.skipped_deleted += thread.skipped
    return writer.finish()


def _chunks(items: list, size: int):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
