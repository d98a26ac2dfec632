"""Plain dataclasses the parsers produce and the writer consumes, plus the one error type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kb.tags import MAX_TAGS, normalise_tag_name


class ImportFileError(Exception):
    """A file that cannot be imported: the message names the file and the line or element."""

    def __init__(self, path: object, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        location = ", ".join(part for part in (self.path, where) if part)
        super().__init__(f"{location}: {problem}" if location else problem)


@dataclass
class ImportedUser:
    key: str  # unique within the source: a Reddit name, a Stack Exchange user id or name
    name: str  # what the page shows


@dataclass
class ImportedPost:
    source_id: str
    kind: str  # "question" | "answer" | "experience"
    body: str
    author: ImportedUser
    created_at: datetime
    title: str = ""
    body_format: str = "markdown"  # "markdown" | "html"
    score: int = 0
    url: str = ""
    tags: list[str] = field(default_factory=list)
    parent_source_id: str = ""
    accepted_answer_source_id: str = ""
    edited_at: datetime | None = None
    last_activity_at: datetime | None = None
    view_count: int = 0
    where: str = ""  # the line or element it came from, for error messages


@dataclass
class ImportedComment:
    source_id: str
    post_source_id: str
    body: str
    author: ImportedUser
    created_at: datetime
    score: int = 0
    where: str = ""


@dataclass
class ImportedLink:
    from_source_id: str
    to_source_id: str
    kind: str  # "duplicate" | "related"
    where: str = ""


@dataclass
class Thread:
    """One imported discussion: the opening post, its answers and comments."""

    question: ImportedPost
    answers: list[ImportedPost] = field(default_factory=list)
    comments: list[ImportedComment] = field(default_factory=list)
    links: list[ImportedLink] = field(default_factory=list)
    site: str = ""  # the subreddit a Reddit thread came from
    missing_comments: int = 0  # Reddit "more" stubs: comments the file does not contain
    skipped: int = 0  # deleted or removed comments without replies

    @property
    def users(self) -> list[ImportedUser]:
        posts = [self.question, *self.answers]
        found = {item.author.key: item.author for item in [*posts, *self.comments]}
        return list(found.values())


def normalise_tags(names: list[str]) -> list[str]:
    """Imported tag names made valid (``kb.tags.normalise_tag_name``), repeats out, 5 at most."""
    cleaned = []
    for name in names:
        tag = normalise_tag_name(name)
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:MAX_TAGS]
