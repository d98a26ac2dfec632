"""Read a Stack Exchange data dump folder, one row at a time, into importer dataclasses.

Pure parsing, no database. ``Posts.xml``, ``Comments.xml``, ``Users.xml`` and (when
present) ``PostLinks.xml`` are streamed with ElementTree's pull parser, fed line by line
(the dumps hold one ``<row/>`` per line), so memory stays flat and every error names the
file and the line. Each row is cleared once read. Format facts: a UTF-8 byte-order mark,
absent columns omitted, UTC dates without a zone, HTML bodies, plain-text comments, tags
as ``<a><b>`` (older dumps) or ``|a|b|`` (2024 on).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from kb.importers.base import (
    ImportedComment,
    ImportedLink,
    ImportedPost,
    ImportedUser,
    ImportFileError,
    normalise_tags,
)

QUESTION, ANSWER = "1", "2"
LINK_KINDS = {"1": "related", "3": "duplicate"}
LICENCE_URL = "https://stackoverflow.com/help/licensing"
_ANGLE_TAGS = re.compile(r"<([^<>]+)>")


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
            return int(value)
        except ValueError:
            raise self.fail(f"{name} is not a number: {value!r}") from None

    def date(self, name: str, *, required: bool = True) -> datetime | None:
        value = self.require(name) if required else self.attrs.get(name)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError:
            raise self.fail(f"{name} is not a date: {value!r}") from None


def iter_rows(path: Path) -> Iterator[Row]:
    """Stream the rows of one dump file in constant memory."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFileError(path, "", f"cannot read the file ({error.strerror})") from None
    parser = ET.XMLPullParser(events=("start", "end"))
    root = None
    line = 0
    with handle:
        for line, text in enumerate(handle, start=1):
            try:
                parser.feed(text)
                events = list(parser.read_events())
            except ET.ParseError as error:
                raise ImportFileError(
                    path, f"line {line}", f"not well-formed XML ({error})"
                ) from None
            for event, element in events:
                if event == "start":
                    root = element if root is None else root
                    continue
                if element.tag == "row":
                    yield Row(dict(element.attrib), path, line)
                    # Drop the element from the tree: memory stays flat however long the file.
                    element.clear()
                    if root is not None:
                        root.clear()
        try:
            parser.close()
        except ET.ParseError as error:
            raise ImportFileError(
                path, f"line {line}", f"the XML ends too early ({error})"
            ) from None


class Dump:
    """A dump folder. ``site_url`` (``https://workplace.stackexchange.com``) makes links."""

    def __init__(self, folder: str | Path, *, site_url: str = "") -> None:
        self.folder = Path(folder)
        self.site_url = site_url.rstrip("/")
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
        for row in iter_rows(self.file("Posts.xml")):
            if on_row:
                on_row(row)
            if row.require("PostTypeId") == kind:
                yield self._question(row) if kind == QUESTION else self._answer(row)

    def _question(self, row: Row) -> ImportedPost:
        post = self._post(row, "question")
        post.title = row.require("Title")
        post.tags = normalise_tags(parse_tags(row.get("Tags")))
        post.accepted_answer_source_id = row.get("AcceptedAnswerId")
        post.view_count = row.integer("ViewCount", 0)
        post.url = f"{self.site_url}/q/{post.source_id}" if self.site_url else ""
        return post

    def _answer(self, row: Row) -> ImportedPost:
        post = self._post(row, "answer")
        post.parent_source_id = row.require("ParentId")
        post.url = f"{self.site_url}/a/{post.source_id}" if self.site_url else ""
        return post

    def _post(self, row: Row, kind: str) -> ImportedPost:
        return ImportedPost(
            source_id=row.require("Id"),
            kind=kind,
            body=row.require("Body"),
            body_format="html",
            author=_author(row, "OwnerUserId", "OwnerDisplayName"),
            created_at=row.date("CreationDate"),
            edited_at=row.date("LastEditDate", required=False),
            last_activity_at=row.date("LastActivityDate", required=False),
            score=row.integer("Score", 0),
            where=row.where,
        )

    def comments(self) -> Iterator[ImportedComment]:
        for row in iter_rows(self.file("Comments.xml")):
            yield ImportedComment(
                source_id=row.require("Id"),
                post_source_id=row.require("PostId"),
                body=row.require("Text"),
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
