"""Parse the JSON Reddit serves for a thread (``/comments/<id>/.json``) into a ``Thread``.

Pure parsing, no database. The file is a two-element array of Listings: the ``t3`` post,
then ``t1`` comments nested through ``replies`` and mixed with ``more`` stubs (comments
the file does not contain; counted, not fetched). Top-level comments become answers (or
comments on an experience post); deeper replies become comments on their answer, flattened
in order, those below the first level starting with "in reply to <author>".

Text is unescaped once: files fetched without ``raw_json=1`` escape ``& < >`` as entities;
raw files are left alone, so a literal "&amp;" someone typed stays as it is.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb.importers.base import (
    ImportedComment,
    ImportedPost,
    ImportedUser,
    ImportFileError,
    Thread,
    normalise_tags,
)

SOURCE = "reddit"
DELETED_BODIES = {"[deleted]", "[removed]"}
DELETED_AUTHOR = ImportedUser(key="[deleted]", name="[deleted]")
_RAW_MARKUP = re.compile(r"[<>]|&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)", re.IGNORECASE)
_ESCAPED = re.compile(r"&(?:amp|lt|gt);")


def parse_file(path: str | Path, *, as_experience: bool = False, tags: list[str] | None = None):
    """Read a thread file; raises ``ImportFileError`` naming the file and the line."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(path, "", f"cannot read the file ({error})") from None
    return parse_text(text, name=str(path), as_experience=as_experience, tags=tags)


def parse_text(
    text: str, *, name: str = "<upload>", as_experience: bool = False, tags: list[str] | None = None
) -> Thread:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ImportFileError(name, where, f"not valid JSON ({error.msg})") from None
    return _Parser(name, data, as_experience=as_experience, tags=tags).thread()


class _Parser:
    def __init__(self, name: str, data: Any, *, as_experience: bool, tags: list[str] | None):
        self.name = name
        self.data = data
        self.as_experience = as_experience
        self.tags = tags
        self.unescape = _needs_unescaping(data)

    def fail(self, where: str, problem: str) -> ImportFileError:
        return ImportFileError(self.name, where, problem)

    def thread(self) -> Thread:
        post_listing, comment_listing = self._listings()
        children = post_listing["data"]["children"]
        if not children or children[0].get("kind") != "t3":
            raise self.fail("[0].data.children[0]", "expected the thread's t3 post")
        question = self._question(children[0].get("data") or {})
        thread = Thread(question=question, site=children[0]["data"].get("subreddit") or "")
        for index, child in enumerate(comment_listing["data"]["children"]):
            where = f"[1].data.children[{index}]"
            self._top_level(thread, child, where)
        last = max(
            [question.created_at]
            + [post.created_at for post in thread.answers]
            + [comment.created_at for comment in thread.comments]
        )
        question.last_activity_at = last
        return thread

    def _listings(self) -> tuple[dict, dict]:
        data = self.data
        ok = isinstance(data, list) and len(data) == 2
        ok = ok and all(
            isinstance(item, dict)
            and item.get("kind") == "Listing"
            and isinstance((item.get("data") or {}).get("children"), list)
            for item in data
        )
        if not ok:
            raise self.fail("top level", "expected a Reddit thread: a JSON array of two Listings")
        return data[0], data[1]

    def _question(self, data: dict) -> ImportedPost:
        where = "[0].data.children[0].data"
        title = self._text(self._require(data, "title", where))
        body = self._text(data.get("selftext") or "")
        if body in DELETED_BODIES:
            body = f"*The original post was {body.strip('[]')}.*"
        url = data.get("url") or ""
        if not data.get("is_self", True) and url:
            link = f"<{url}>"
            body = f"{link}\n\n{body}" if body else link
        subreddit = data.get("subreddit") or ""
        tags = self.tags if self.tags else [subreddit, data.get("link_flair_text") or ""]
        return ImportedPost(
            source_id=f"t3_{self._require(data, 'id', where)}",
            kind="experience" if self.as_experience else "question",
            title=title[:300],
            body=body or title,
            author=self._author(data),
            created_at=self._time(data, where),
            edited_at=self._edited(data),
            score=int(data.get("score") or 0),
            url=_permalink(data),
            tags=normalise_tags(tags),
        )

    def _top_level(self, thread: Thread, child: dict, where: str) -> None:
        if child.get("kind") == "more":
            thread.missing_comments += _more_count(child)
            return
        if child.get("kind") != "t1":
            raise self.fail(
                where, f"expected a t1 comment or a more stub, got {child.get('kind')!r}"
            )
        data = child.get("data") or {}
        replies: list[tuple[dict, str, str]] = []  # (data, where, replied-to author)
        self._collect_replies(thread, data, where, replies)
        body = self._text(self._require(data, "body", f"{where}.data"))
        if body in DELETED_BODIES and not replies:
            thread.skipped += 1
            return
        author = self._author(data)
        parent_id = thread.question.source_id
        if self.as_experience:
            thread.comments.append(self._comment(data, where, parent_id, body))
            post_id = parent_id
        else:
            answer = ImportedPost(
                source_id=f"t1_{self._require(data, 'id', where + '.data')}",
                kind="answer",
                body=body,
                author=author,
                created_at=self._time(data, where),
                edited_at=self._edited(data),
                score=int(data.get("score") or 0),
                url=_permalink(data) or _comment_url(thread.question.url, data),
                parent_source_id=parent_id,
            )
            thread.answers.append(answer)
            post_id = answer.source_id
        for reply, reply_where, replied_to in replies:
            reply_body = self._text(reply["body"])
            if self.as_experience and not replied_to:  # on the post itself: say to whom
                replied_to = author.name
            if replied_to:
                reply_body = f"in reply to {replied_to}: {reply_body}"
            thread.comments.append(self._comment(reply, reply_where, post_id, reply_body))

    def _collect_replies(self, thread: Thread, data: dict, where: str, out: list, depth=1) -> None:
        """Depth-first, in order: the flattened replies under one top-level comment."""
        replies = data.get("replies")
        if not replies:
            return
        if not isinstance(replies, dict) or not isinstance(
            (replies.get("data") or {}).get("children"), list
        ):
            raise self.fail(f"{where}.data.replies", "expected a Listing or an empty string")
        for index, child in enumerate(replies["data"]["children"]):
            child_where = f"{where}.data.replies.data.children[{index}]"
            if child.get("kind") == "more":
                thread.missing_comments += _more_count(child)
                continue
            if child.get("kind") != "t1":
                raise self.fail(child_where, f"expected a t1 comment, got {child.get('kind')!r}")
            reply = child.get("data") or {}
            body = self._text(self._require(reply, "body", child_where + ".data"))
            nested: list = []
            self._collect_replies(thread, reply, child_where, nested, depth + 1)
            if body in DELETED_BODIES and not nested:
                thread.skipped += 1
                continue
            replied_to = self._author(data).name if depth > 1 else ""
            out.append((reply, child_where, replied_to))
            out.extend(nested)

    def _comment(self, data: dict, where: str, post_id: str, body: str) -> ImportedComment:
        return ImportedComment(
            source_id=f"t1_{self._require(data, 'id', where + '.data')}",
            post_source_id=post_id,
            body=body,
            author=self._author(data),
            created_at=self._time(data, where),
            score=int(data.get("score") or 0),
        )

    def _author(self, data: dict) -> ImportedUser:
        name = data.get("author") or "[deleted]"
        return DELETED_AUTHOR if name == "[deleted]" else ImportedUser(key=name, name=name)

    def _time(self, data: dict, where: str) -> datetime:
        value = self._require(data, "created_utc", where)
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(where, f"created_utc is not a timestamp: {value!r}") from None

    def _edited(self, data: dict) -> datetime | None:
        edited = data.get("edited")
        if isinstance(edited, (int, float)) and not isinstance(edited, bool) and edited:
            return datetime.fromtimestamp(float(edited), tz=UTC)
        return None

    def _require(self, data: dict, key: str, where: str) -> Any:
        if not isinstance(data, dict) or key not in data:
            raise self.fail(where, f"missing field {key!r}")
        return data[key]

    def _text(self, value: Any) -> str:
        text = str(value or "")
        if self.unescape:
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return text


def _permalink(data: dict) -> str:
    permalink = data.get("permalink") or ""
    return f"https://www.reddit.com{permalink}" if permalink.startswith("/") else permalink


def _comment_url(thread_url: str, data: dict) -> str:
    """Older payloads lack a comment permalink: the thread's URL plus the comment id."""
    if not thread_url or not data.get("id"):
        return ""
    return f"{thread_url.rstrip('/')}/{data['id']}/"


def _more_count(child: dict) -> int:
    data = child.get("data") or {}
    # A "continue this thread" stub (id "_") lists no ids but hides at least one reply.
    return max(int(data.get("count") or 0), len(data.get("children") or []), 1)


def _needs_unescaping(data: Any) -> bool:
    """True for files fetched without raw_json=1: entities present and no raw markup at all."""
    texts = list(_texts(data))
    if any(_RAW_MARKUP.search(text) for text in texts):
        return False
    return any(_ESCAPED.search(text) for text in texts)


def _texts(data: Any):
    if isinstance(data, dict):
        for key in ("title", "selftext", "body"):
            if isinstance(data.get(key), str):
                yield data[key]
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _texts(value)
