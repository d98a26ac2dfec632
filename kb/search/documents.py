"""What gets indexed from a Post: one engine-neutral ``SearchDocument`` per visible post."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from django.utils.html import strip_tags


@dataclass
class SearchDocument:
    id: int
    kind: str  # question | answer | experience
    title: str
    body: str  # plain text, no Markdown or HTML
    url: str
    tags: list[str] = field(default_factory=list)
    author: str = ""  # username, what user:name matches; "" for an anonymous post
    author_name: str = ""
    score: int = 0
    answer_count: int = 0
    accepted: bool = False  # question: has an accepted answer; answer: is the accepted one
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    parent_id: int | None = None
    parent_title: str = ""

    @property
    def display_title(self) -> str:
        return self.parent_title if self.kind == "answer" else self.title

    @property
    def text(self) -> str:
        """Everything searched, for checking phrases on the stored document."""
        return f"{self.title}\n{self.parent_title}\n{self.body}"

    @property
    def created_ts(self) -> int:
        return int(self.created_at.timestamp())

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes: check_index compares it."""
        data = asdict(self)
        data["created_at"] = self.created_ts
        return hashlib.sha1(repr(sorted(data.items())).encode()).hexdigest()[:16]


def document_from_row(row) -> SearchDocument:
    """A document from its fields in declaration order, as the engines store them.

    ``created_at`` may be a datetime or a Unix timestamp (what Whoosh stores).
    """
    (post_id, kind, title, body, url, tags, author, author_name, score, answer_count, accepted,
     created_at, parent_id, parent_title) = row  # fmt: skip
    if isinstance(created_at, int):
        created_at = datetime.fromtimestamp(created_at, tz=UTC)
    return SearchDocument(
        id=post_id,
        kind=kind,
        title=title,
        body=body,
        url=url,
        tags=list(tags),
        author=author,
        author_name=author_name,
        score=score,
        answer_count=answer_count,
        accepted=accepted,
        created_at=created_at,
        parent_id=parent_id,
        parent_title=parent_title,
    )


def plain_text(body_html: str) -> str:
    """The words a reader sees, from the sanitised HTML rendered on save."""
    return " ".join(html.unescape(strip_tags(body_html or "")).split())


def document_for(post) -> SearchDocument | None:
    """The document for ``post``, or None when it must not be found (deleted)."""
    if not post.is_public:
        return None
    parent = post.parent if post.parent_id else None
    if post.is_answer:
        accepted = parent is not None and parent.accepted_answer_id == post.pk
    else:
        accepted = post.accepted_answer_id is not None
    return SearchDocument(
        id=post.pk,
        kind=post.kind,
        title=post.title,
        body=_with_roles(_searchable_body(post), post),
        url=post.get_absolute_url(),
        # Answers carry their question's tags: [tag] finds the whole thread.
        tags=sorted(tag.name for tag in (parent or post).tags.all()),
        # An anonymous post is found by no user:name and names nobody in results.
        author="" if post.is_anonymous else post.author.username.lower(),
        author_name=post.shown_author_name,
        score=post.score,
        answer_count=post.answer_count,
        accepted=accepted,
        created_at=post.created_at,
        parent_id=post.parent_id,
        parent_title=parent.title if parent is not None else "",
    )


def _searchable_body(post) -> str:
    """The body's words; a question's reported outcome is part of what finds it."""
    body = plain_text(post.body_html)
    if post.is_question and post.outcome_reported_at:
        outcome = getattr(post, "outcome", None)
        if outcome is not None:
            body = f"{body}\n{plain_text(outcome.body_html)}"
    return body


def _with_roles(body: str, post) -> str:
    """The body, then the role names a reader would search by: an experience post's move
    (from, to, the steps) and the current role of the author of an answer or a story (not of
    an anonymous asker's answer: the role could name them)."""
    if post.is_question:
        return body
    move = getattr(post, "career_move", None) if post.is_experience else None
    author_role = "" if post.is_anonymous else post.author.current_role
    roles = [move.search_text() if move is not None else "", author_role]
    roles = " ".join(role for role in roles if role)
    return f"{body}\n{roles}" if roles else body


def indexable_posts(ids: Iterable[int] | None = None):
    """Posts with everything document_for reads, in a constant number of queries."""
    from kb.models import Post

    posts = Post.objects.select_related(
        "author", "parent", "career_move", "outcome"
    ).prefetch_related("tags", "parent__tags")
    if ids is not None:
        posts = posts.filter(pk__in=list(ids))
    return posts.order_by("pk")


def documents_for(posts) -> Iterator[SearchDocument]:
    for post in posts:
        document = document_for(post)
        if document is not None:
            yield document


def iter_all_documents(chunk_size: int = 1000) -> Iterator[SearchDocument]:
    """Every visible post's document, in chunks so 100k posts fit in memory."""
    from kb.models import Post

    last_id = 0
    while True:
        ids = list(
            Post.objects.public()
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield from documents_for(indexable_posts(ids))
        last_id = ids[-1]
