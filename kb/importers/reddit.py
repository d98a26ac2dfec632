"""Parse the JSON Reddit serves for a thread (``/comments/<id>/.json``) into a ``Thread``.

Pure parsing, no database. The file is a two-element array of Listings: the ``t3`` post,
then ``t1`` comments nested through ``replies`` and mixed with ``more`` stubs (comments
the file does not contain; counted, not fetched). Top-level comments become answers (or
comments on an experience post); deeper replies become comments on their answer, flattened
in order, those below the first level starting with "in reply to <author>".

Text is unescaped once: files fetched without ``raw_json=1`` escape ``& < >`` as entities;
raw files are left alone, so a literal "&amp;" someone typed stays as it is.

Every value is checked before use (type, range, length; links only http(s)), so any file,
however malformed, either parses or raises ``ImportFileError`` naming the element: never
another exception, and nothing reaches the database that it would refuse.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from kb.importers.base import (
    ImportedComment,
    ImportedPost,
    ImportedUser,
    ImportFileError,
    Thread,
    normalise_tags,
)
from kb.importers.limits import ImportLimits, import_limits

SOURCE = "reddit"
REDDIT_URL = "https://www.reddit.com"
DELETED_BODIES = {"[deleted]", "[removed]"}
DELETED_AUTHOR = ImportedUser(key="[deleted]", name="[deleted]")
MAX_ID_LENGTH = 90  # with its "t1_" prefix it fits Post.source_id (100)
MAX_NAME_LENGTH = 80  # a subreddit or author; "reddit:" + subreddit fits Post.source (100)
MAX_URL_LENGTH = 500  # Post.source_url
MAX_DIGITS = 30  # longer number literals are refused before int() parses them
INT32 = (-(2**31), 2**31 - 1)  # IntegerField on every database
EARLIEST, LATEST = 0, 32_503_680_000  # Unix times from 1970 to the year 3000
_ID = re.compile(r"[A-Za-z0-9_]+")
_RAW_MARKUP = re.compile(r"[<>]|&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)", re.IGNORECASE)
_ESCAPED = re.compile(r"&(?:amp|lt|gt);")
_SURROGATE = re.compile("[\ud800-\udfff]")
_is_http_url = URLValidator(schemes=["http", "https"])


def parse_file(path: str | Path, *, as_experience: bool = False, tags: list[str] | None = None):
    """Read a thread file; raises ``ImportFileError`` naming the file and the line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(path, "", f"cannot read the file ({error})") from None
    return parse_bytes(data, name=str(path), as_experience=as_experience, tags=tags)


def parse_bytes(
    data: bytes,
    *,
    name: str = "<upload>",
    as_experience: bool = False,
    tags: list[str] | None = None,
) -> Thread:
    """A file's bytes: UTF-8 (or UTF-16/32 with their byte-order mark, as JSON allows)."""
    return parse_text(decode(data, name), name=name, as_experience=as_experience, tags=tags)


def decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise ImportFileError(name, "", "the file is empty")
    encoding = json.detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        label = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        raise ImportFileError(
            name,
            f"byte {error.start}",
            f"not {label} text (byte 0x{data[error.start]:02x}): is it the thread's JSON?",
        ) from None
    return text.removeprefix("\ufeff")


def parse_text(
    text: str, *, name: str = "<upload>", as_experience: bool = False, tags: list[str] | None = None
) -> Thread:
    limits = import_limits()
    data = _load_json(text, name, limits)
    return _Parser(name, data, limits, as_experience=as_experience, tags=tags).thread()


class _NumberError(ValueError):
    """A number literal no field can hold: NaN, Infinity, 1e999, a 5,000-digit integer."""


def _load_json(text: str, name: str, limits: ImportLimits) -> Any:
    too_deep = ImportFileError(name, "", f"the JSON is nested more than {limits.depth} levels deep")
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_integer, parse_float=_finite_float
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ImportFileError(name, where, f"not valid JSON ({error.msg})") from None
    except _NumberError as error:
        raise ImportFileError(name, "", str(error)) from None
    except RecursionError:
        raise too_deep from None
    if _deeper_than(data, limits.depth):
        raise too_deep
    return data


def _refuse_constant(literal: str) -> float:
    raise _NumberError(f"{literal} is not a number a field can hold")


def _integer(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _NumberError(f"a number with {digits} digits ({literal[:12]}…) is out of range")
    return int(literal)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NumberError(f"the number {literal[:40]} is out of range")
    return value


def _deeper_than(data: Any, limit: int) -> bool:
    """Iterative, so the check itself cannot run out of stack."""
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        for child in value.values() if isinstance(value, dict) else value:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


class _Parser:
    def __init__(
        self,
        name: str,
        data: Any,
        limits: ImportLimits,
        *,
        as_experience: bool,
        tags: list[str] | None,
    ):
        self.name = name
        self.data = data
        self.limits = limits
        self.as_experience = as_experience
        self.tags = tags
        self.unescape = _needs_unescaping(data)
        self.seen_ids: set[str] = set()

    def fail(self, where: str, problem: str) -> ImportFileError:
        return ImportFileError(self.name, where, problem)

    def thread(self) -> Thread:
        post_listing, comment_listing = self._listings()
        children = post_listing["data"]["children"]
        first = children[0] if children else None
        if not isinstance(first, dict) or first.get("kind") != "t3":
            raise self.fail("[0].data.children[0]", "expected the thread's t3 post")
        where = "[0].data.children[0].data"
        post = self._object(first.get("data"), where)
        question = self._question(post, where)
        site = self._string(post, "subreddit", where, max_length=MAX_NAME_LENGTH)
        thread = Thread(question=question, site=site)
        for index, child in enumerate(comment_listing["data"]["children"]):
            self._top_level(thread, child, f"[1].data.children[{index}]")
        items = len(thread.answers) + len(thread.comments)
        if items > self.limits.items:
            raise self.fail(
                "", f"{items} answers and comments; the limit is {self.limits.items} per thread"
            )
        question.last_activity_at = max(
            [question.created_at]
            + [post.created_at for post in thread.answers]
            + [comment.created_at for comment in thread.comments]
        )
        return thread

    def _listings(self) -> tuple[dict, dict]:
        data = self.data
        ok = isinstance(data, list) and len(data) == 2
        ok = ok and all(
            isinstance(item, dict)
            and item.get("kind") == "Listing"
            and isinstance(item.get("data"), dict)
            and isinstance(item["data"].get("children"), list)
            for item in data
        )
        if not ok:
            raise self.fail("top level", "expected a Reddit thread: a JSON array of two Listings")
        return data[0], data[1]

    def _question(self, data: dict, where: str) -> ImportedPost:
        title = self._text(data, "title", where, required=True)
        body = self._text(data, "selftext", where)
        if body in DELETED_BODIES:
            body = f"*The original post was {body.strip('[]')}.*"
        is_self = data.get("is_self", True)
        if is_self is False:
            url = self._url(data, "url", where)
            if url:
                link = f"<{url}>"
                body = f"{link}\n\n{body}" if body else link
        subreddit = self._string(data, "subreddit", where, max_length=MAX_NAME_LENGTH)
        flair = self._string(data, "link_flair_text", where, max_length=self.limits.text_chars)
        return ImportedPost(
            source_id=self._source_id("t3", data, where),
            kind="experience" if self.as_experience else "question",
            title=title[:300],
            body=body or title,
            author=self._author(data, where),
            created_at=self._time(data, "created_utc", where, required=True),
            edited_at=self._edited(data, where),
            score=self._int(data, "score", where),
            url=self._url(data, "permalink", where),
            tags=normalise_tags(self.tags if self.tags else [subreddit, flair]),
            where=where,
        )

    def _top_level(self, thread: Thread, child: Any, where: str) -> None:
        child = self._object(child, where)
        if child.get("kind") == "more":
            thread.missing_comments += self._more_count(child, where)
            return
        if child.get("kind") != "t1":
            raise self.fail(where, f"expected a t1 comment or a more stub, got {_kind(child)}")
        data_where = f"{where}.data"
        data = self._object(child.get("data"), data_where)
        replies: list[tuple[dict, str, str]] = []  # (data, where, replied-to author)
        self._collect_replies(thread, data, where, replies)
        body = self._text(data, "body", data_where, required=True)
        if body in DELETED_BODIES and not replies:
            thread.skipped += 1
            return
        author = self._author(data, data_where)
        parent_id = thread.question.source_id
        if self.as_experience:
            thread.comments.append(self._comment(data, data_where, parent_id, body))
            post_id = parent_id
        else:
            answer = ImportedPost(
                source_id=self._source_id("t1", data, data_where),
                kind="answer",
                body=body,
                author=author,
                created_at=self._time(data, "created_utc", data_where, required=True),
                edited_at=self._edited(data, data_where),
                score=self._int(data, "score", data_where),
                url=self._url(data, "permalink", data_where)
                or _comment_url(thread.question.url, data),
                parent_source_id=parent_id,
                where=data_where,
            )
            thread.answers.append(answer)
            post_id = answer.source_id
        for reply, reply_where, replied_to in replies:
            reply_body = self._text(reply, "body", reply_where)
            if self.as_experience and not replied_to:  # on the post itself: say to whom
                replied_to = author.name
            if replied_to:
                reply_body = f"in reply to {replied_to}: {reply_body}"
            thread.comments.append(self._comment(reply, reply_where, post_id, reply_body))

    def _collect_replies(self, thread: Thread, data: dict, where: str, out: list, depth=1) -> None:
        """Depth-first, in order: the flattened replies under one top-level comment.

        Recursion is bounded: the file's nesting depth was checked when it was read.
        """
        replies = data.get("replies")
        if not replies:
            return
        replies_where = f"{where}.data.replies"
        if not (
            isinstance(replies, dict)
            and isinstance(replies.get("data"), dict)
            and isinstance(replies["data"].get("children"), list)
        ):
            raise self.fail(replies_where, "expected a Listing or an empty string")
        for index, child in enumerate(replies["data"]["children"]):
            child_where = f"{replies_where}.data.children[{index}]"
            child = self._object(child, child_where)
            if child.get("kind") == "more":
                thread.missing_comments += self._more_count(child, child_where)
                continue
            if child.get("kind") != "t1":
                raise self.fail(child_where, f"expected a t1 comment, got {_kind(child)}")
            reply_where = f"{child_where}.data"
            reply = self._object(child.get("data"), reply_where)
            body = self._text(reply, "body", reply_where, required=True)
            nested: list = []
            self._collect_replies(thread, reply, child_where, nested, depth + 1)
            if body in DELETED_BODIES and not nested:
                thread.skipped += 1
                continue
            replied_to = self._author(data, where).name if depth > 1 else ""
            out.append((reply, reply_where, replied_to))
            out.extend(nested)

    def _comment(self, data: dict, where: str, post_id: str, body: str) -> ImportedComment:
        return ImportedComment(
            source_id=self._source_id("t1", data, where),
            post_source_id=post_id,
            body=body,
            author=self._author(data, where),
            created_at=self._time(data, "created_utc", where, required=True),
            score=self._int(data, "score", where),
            where=where,
        )

    # -- checked values -------------------------------------------------------------------

    def _object(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {_type_name(value)}")
        return value

    def _string(self, data: dict, key: str, where: str, *, max_length: int) -> str:
        """An optional string field (absent or null: empty), cleaned for the database."""
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(where, f"{key} should be a string, got {_type_name(value)}")
        value = _storable(value)
        if len(value) > max_length:
            raise self.fail(
                where, f"{key} is {len(value):,} characters long; the limit is {max_length:,}"
            )
        return value

    def _text(self, data: dict, key: str, where: str, *, required: bool = False) -> str:
        """A title or body: unescaped when the file escapes its entities."""
        if required and key not in data:
            raise self.fail(where, f"missing field {key!r}")
        text = self._string(data, key, where, max_length=self.limits.text_chars)
        if self.unescape:
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return text

    def _source_id(self, prefix: str, data: dict, where: str) -> str:
        if "id" not in data:
            raise self.fail(where, "missing field 'id'")
        value = data["id"]
        if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > MAX_ID_LENGTH:
            raise self.fail(
                where, f"id should be a Reddit id (letters and digits), got {value!r:.60}"
            )
        source_id = f"{prefix}_{value}"
        if source_id in self.seen_ids:
            raise self.fail(where, f"{source_id} appears twice in the file")
        self.seen_ids.add(source_id)
        return source_id

    def _author(self, data: dict, where: str) -> ImportedUser:
        name = self._string(data, "author", where, max_length=MAX_NAME_LENGTH) or "[deleted]"
        return DELETED_AUTHOR if name == "[deleted]" else ImportedUser(key=name, name=name)

    def _int(self, data: dict, key: str, where: str) -> int:
        """An optional whole number (absent or null: 0) that an IntegerField holds."""
        value = data.get(key)
        if value is None:
            return 0
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, f"{key} should be a whole number, got {value!r:.60}")
        if not INT32[0] <= value <= INT32[1]:
            raise self.fail(where, f"{key} is out of range: {value}")
        return value

    def _time(self, data: dict, key: str, where: str, *, required: bool = False):
        if key not in data or data[key] is None:
            if required:
                raise self.fail(where, f"missing field {key!r}")
            return None
        value = data[key]
        try:
            seconds = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            seconds = math.nan
        if not EARLIEST <= seconds <= LATEST:  # NaN fails both comparisons
            raise self.fail(where, f"{key} is not a timestamp from 1970 to 3000: {value!r:.60}")
        return datetime.fromtimestamp(seconds, tz=UTC)

    def _edited(self, data: dict, where: str) -> datetime | None:
        """``false`` (or absent), or when it was edited."""
        edited = data.get("edited")
        if edited is None or isinstance(edited, bool):
            return None
        return self._time(data, "edited", where)

    def _url(self, data: dict, key: str, where: str) -> str:
        """A Reddit path or an http(s) URL; nothing else is ever stored or linked."""
        value = self._string(data, key, where, max_length=MAX_URL_LENGTH)
        if not value:
            return ""
        url = REDDIT_URL + value if value.startswith("/") else value
        try:
            _is_http_url(url)
        except ValidationError:
            raise self.fail(
                where, f"{key} is not a Reddit path or an http(s) URL: {value!r:.80}"
            ) from None
        if len(url) > MAX_URL_LENGTH:
            raise self.fail(where, f"{key} is longer than {MAX_URL_LENGTH} characters")
        return url

    def _more_count(self, child: dict, where: str) -> int:
        data = self._object(child.get("data", {}), f"{where}.data")
        count = self._int(data, "count", f"{where}.data")
        ids = data.get("children") or []
        if not isinstance(ids, list):
            raise self.fail(f"{where}.data", "children should be a list of ids")
        # A "continue this thread" stub (id "_") lists no ids but hides at least one reply.
        return max(count, len(ids), 1)


def _comment_url(thread_url: str, data: dict) -> str:
    """Older payloads lack a comment permalink: the thread's URL plus the comment id."""
    if not thread_url or not data.get("id"):
        return ""
    return f"{thread_url.rstrip('/')}/{data['id']}/"


def _storable(text: str) -> str:
    """What every database stores: no NUL (PostgreSQL refuses it), no lone surrogate."""
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _kind(child: dict) -> str:
    return repr(child.get("kind"))[:40]


def _needs_unescaping(data: Any) -> bool:
    """True for files fetched without raw_json=1: entities present and no raw markup at all."""
    texts = list(_texts(data))
    if any(_RAW_MARKUP.search(text) for text in texts):
        return False
    return any(_ESCAPED.search(text) for text in texts)


def _texts(data: Any):
    """Every title, selftext and body string, walked without recursion."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in ("title", "selftext", "body"):
                if isinstance(value.get(key), str):
                    yield value[key]
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))
