"""Read a Stack Exchange data dump folder, one row at a time, into importer dataclasses.

Pure parsing, no database. ``Posts.xml``, ``Comments.xml``, ``Users.xml`` and (when
present) ``PostLinks.xml`` are streamed with defusedxml's parser, fed line by line (the
dumps hold one ``<row/>`` per line), so every error names the file and the line; only each
row's attributes are kept (no tree), so memory stays flat. A DTD is refused outright: no
entity can expand and no external file is read. Format facts: a UTF-8 byte-order mark,
absent columns omitted, UTC dates without a zone, HTML bodies, plain-text comments, tags
as ``<a><b>`` (older dumps) or ``|a|b|`` (2024 on).

Every value is checked before use (ids, whole numbers an IntegerField holds, dates from
1970 to 2999, text lengths), so a malformed dump raises ``ImportFileError`` naming the
file, line and row, and nothing reaches the database that it would refuse.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from kb.importers.base import (
    ImportedComment,
    ImportedLink,
    ImportedPost,
    ImportedUser,
    ImportFileError,
    normalise_tags,
)
from kb.importers.limits import import_limits

QUESTION, ANSWER = "1", "2"
LINK_KINDS = {"1": "related", "3": "duplicate"}
LICENCE_URL = "https://stackoverflow.com/help/licensing"
_ANGLE_TAGS = re.compile(r"<([^<>]+)>")
MAX_ID_LENGTH = 100  # Post.source_id, Comment.source_id
INT32 = (-(2**31), 2**31 - 1)  # IntegerField on every database
FIRST_YEAR, LAST_YEAR = 1970, 2999
# A repeated Id is refused when it comes within this many questions, answers or comments
# of the first: more than one batch of the writer (500), whose rows would collide;
# further apart, the writer finds the first one written and skips the repeat, as on a
# re-import. (Remembering every Id would make memory grow with the dump.)
REPEAT_WINDOW = 2000
_is_https_site = URLValidator(schemes=["https"])
T = TypeVar("T", ImportedPost, ImportedComment)


class Row:
    """One ``<row/>``: its attributes and where it was, for error messages."""

    __slots__ = ("attrs", "line", "path")

    def __init__(self, attrs: dict[str, str], path: Path, line: int) -> None:
        self.attrs = attrs
        self.path = path
        self.line = line

    @property
    def where(self) -> str:
        row_id = self.attrs.get("Id")
        return f"{self.path}, line {self.line}" + (f" (row Id={row_id})" if row_id else "")

    def fail(self, problem: str) -> ImportFileError:
        return ImportFileError("", self.where, problem)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def require(self, name: str) -> str:
        try:
            return self.attrs[name]
        except KeyError:
            raise self.fail(f"missing attribute {name}") from None

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.attrs.get(name)
        if value is None:
            if default is None:
                raise self.fail(f"missing attribute {name}")
            return default
        try:
            number = int(value)
        except ValueError:
            raise self.fail(f"{name} is not a number: {value!r:.60}") from None
        if not INT32[0] <= number <= INT32[1]:
            raise self.fail(f"{name} is out of range: {value:.60}")
        return number

    def identifier(self, name: str, *, required: bool = True) -> str:
        value = self.require(name) if required else self.get(name)
        if (required and not value) or len(value) > MAX_ID_LENGTH:
            raise self.fail(f"{name} should be an id of 1 to {MAX_ID_LENGTH} characters")
        return value

    def text(self, name: str, max_chars: int, *, required: bool = True) -> str:
        value = self.require(name) if required else self.get(name)
        if len(value) > max_chars:
            raise self.fail(f"{name} is {len(value):,} characters long; the limit is {max_chars:,}")
        return value

    def date(self, name: str, *, required: bool = True) -> datetime | None:
        value = self.require(name) if required else self.attrs.get(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{name} is not a date: {value!r:.60}") from None
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise self.fail(f"{name} has a year outside {FIRST_YEAR}-{LAST_YEAR}: {value!r:.60}")
        # Dumps give UTC without a zone; a date with a zone is converted, not relabelled.
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class _RowAttributes:
    """Parser target that keeps the attributes of each ``<row>`` and builds no tree."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "row":
            self.rows.append(dict(attrib))

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


def iter_rows(path: Path) -> Iterator[Row]:
    """Stream the rows of one dump file in constant memory."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFileError(path, "", f"cannot read the file ({error.strerror})") from None
    target = _RowAttributes()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    line = 0
    with handle:
        for line, text in enumerate(handle, start=1):
            _feed(parser, text, path, line)
            rows, target.rows = target.rows, []
            for attrs in rows:
                yield Row(attrs, path, line)
        _feed(parser, None, path, line)


def _feed(parser: DefusedXMLParser, text: bytes | None, path: Path, line: int) -> None:
    """One line into the parser (``None``: the end of the file), errors named."""
    where = f"line {line}"
    try:
        if text is None:
            parser.close()
        else:
            parser.feed(text)
    except ET.ParseError as error:
        problem = "the XML ends too early" if text is None else "not well-formed XML"
        raise ImportFileError(path, where, f"{problem} ({error})") from None
    except DefusedXmlException:
        raise ImportFileError(
            path, where, "a DTD (<!DOCTYPE ...>) is not allowed in a dump file"
        ) from None
    except LookupError as error:  # an encoding="..." that Python does not know
        raise ImportFileError(path, where, f"not readable XML ({error})") from None


def _without_repeats(items: Iterator[T]) -> Iterator[T]:
    """Posts or comments as they come, refusing an Id repeated within ``REPEAT_WINDOW``."""
    recent: deque[str] = deque(maxlen=REPEAT_WINDOW)
    seen: set[str] = set()
    for item in items:
        if item.source_id in seen:
            raise ImportFileError("", item.where, f"Id {item.source_id} appears twice in the file")
        if len(recent) == recent.maxlen:
            seen.discard(recent[0])
        recent.append(item.source_id)
        seen.add(item.source_id)
        yield item


class Dump:
    """A dump folder. ``site_url`` (``https://workplace.stackexchange.com``) makes links."""

    def __init__(self, folder: str | Path, *, site_url: str = "") -> None:
        self.folder = Path(folder)
        self.site_url = site_url.rstrip("/")
        self.max_chars = import_limits().text_chars
        if self.site_url:
            try:
                _is_https_site(self.site_url)
            except ValidationError:
                raise ImportFileError(
                    "", "", f"the site {site_url!r:.80} is not an https:// address"
                ) from None
        if not self.folder.is_dir():
            raise ImportFileError(self.folder, "", "not a folder")
        for name in ("Posts.xml", "Comments.xml", "Users.xml"):
            if not (self.folder / name).is_file():
                raise ImportFileError(self.folder / name, "", "missing from the dump folder")

    def file(self, name: str) -> Path:
        return self.folder / name

    def count_rows(self, name: str) -> int:
        """Rows in a file, by counting lines that start a row (for the progress bar)."""
        path = self.file(name)
        if not path.is_file():
            return 0
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.lstrip().startswith(b"<row"))

    def users(self) -> Iterator[ImportedUser]:
        for row in iter_rows(self.file("Users.xml")):
            yield ImportedUser(key=row.require("Id"), name=row.require("DisplayName"))

    def posts(
        self, kind: str, on_row: Callable[[Row], None] | None = None
    ) -> Iterator[ImportedPost]:
        """Questions (``kind`` "1") or answers ("2"); other post types are passed over."""
        return _without_repeats(self._posts(kind, on_row))

    def _posts(self, kind: str, on_row: Callable[[Row], None] | None) -> Iterator[ImportedPost]:
        for row in iter_rows(self.file("Posts.xml")):
            if on_row:
                on_row(row)
            if row.require("PostTypeId") == kind:
                yield self._question(row) if kind == QUESTION else self._answer(row)

    def _question(self, row: Row) -> ImportedPost:
        post = self._post(row, "question")
        post.title = row.text("Title", self.max_chars)
        post.tags = normalise_tags(parse_tags(row.get("Tags")))
        post.accepted_answer_source_id = row.identifier("AcceptedAnswerId", required=False)
        post.view_count = row.integer("ViewCount", 0)
        post.url = f"{self.site_url}/q/{post.source_id}" if self.site_url else ""
        return post

    def _answer(self, row: Row) -> ImportedPost:
        post = self._post(row, "answer")
        post.parent_source_id = row.identifier("ParentId")
        post.url = f"{self.site_url}/a/{post.source_id}" if self.site_url else ""
        return post

    def _post(self, row: Row, kind: str) -> ImportedPost:
        return ImportedPost(
            source_id=row.identifier("Id"),
            kind=kind,
            body=row.text("Body", self.max_chars),
            body_format="html",
            author=_author(row, "OwnerUserId", "OwnerDisplayName"),
            created_at=row.date("CreationDate"),
            edited_at=row.date("LastEditDate", required=False),
            last_activity_at=row.date("LastActivityDate", required=False),
            score=row.integer("Score", 0),
            where=row.where,
        )

    def comments(self) -> Iterator[ImportedComment]:
        return _without_repeats(self._comments())

    def _comments(self) -> Iterator[ImportedComment]:
        for row in iter_rows(self.file("Comments.xml")):
            yield ImportedComment(
                source_id=row.identifier("Id"),
                post_source_id=row.identifier("PostId"),
                body=row.text("Text", self.max_chars),
                author=_author(row, "UserId", "UserDisplayName"),
                created_at=row.date("CreationDate"),
                score=row.integer("Score", 0),
                where=row.where,
            )

    def links(self) -> Iterator[ImportedLink]:
        path = self.file("PostLinks.xml")
        if not path.is_file():
            return
        for row in iter_rows(path):
            kind = LINK_KINDS.get(row.require("LinkTypeId"))
            if kind:
                yield ImportedLink(
                    from_source_id=row.require("PostId"),
                    to_source_id=row.require("RelatedPostId"),
                    kind=kind,
                    where=row.where,
                )


def parse_tags(raw: str) -> list[str]:
    """Both forms: ``<career><salary>`` and ``|career|salary|``."""
    if not raw:
        return []
    if raw.startswith("<"):
        return _ANGLE_TAGS.findall(raw)
    return [name for name in raw.split("|") if name]


def _author(row: Row, id_attribute: str, name_attribute: str) -> ImportedUser:
    """Users come by id, or (deleted accounts, anonymous posts) by display name only."""
    user_id = row.get(id_attribute)
    name = row.get(name_attribute)
    if user_id:
        return ImportedUser(key=user_id, name=name or f"user{user_id}")
    if name:
        return ImportedUser(key=f"name:{name}", name=name)
    return ImportedUser(key="name:anonymous", name="anonymous")
