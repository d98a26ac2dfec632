"""A corpus of malformed Reddit thread uploads: each one a name, its bytes, and a fragment of
the form error it must give. Built in code (a 2 MB nesting is a one-liner, not a file)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass


def minimal_thread() -> list:
    """The smallest valid thread: a self post, one answer, one reply to it."""
    reply = {
        "kind": "t1",
        "data": {
            "id": "c2",
            "author": "carol",
            "body": "A reply.",
            "created_utc": 1_700_000_200.0,
            "score": 1,
            "replies": "",
            "permalink": "/r/careers/comments/abc/t/c2/",
        },
    }
    answer = {
        "kind": "t1",
        "data": {
            "id": "c1",
            "author": "bob",
            "body": "An answer.",
            "created_utc": 1_700_000_100.0,
            "score": 3,
            "edited": False,
            "replies": {"kind": "Listing", "data": {"children": [reply]}},
            "permalink": "/r/careers/comments/abc/t/c1/",
        },
    }
    post = {
        "kind": "t3",
        "data": {
            "id": "abc",
            "title": "Should I change careers?",
            "selftext": "The post.",
            "author": "alice",
            "created_utc": 1_700_000_000.0,
            "score": 10,
            "is_self": True,
            "subreddit": "careers",
            "permalink": "/r/careers/comments/abc/should_i_change_careers/",
        },
    }
    return [
        {"kind": "Listing", "data": {"children": [post]}},
        {"kind": "Listing", "data": {"children": [answer]}},
    ]


def post_data(thread: list) -> dict:
    return thread[0]["data"]["children"][0]["data"]


def answer_data(thread: list) -> dict:
    return thread[1]["data"]["children"][0]["data"]


def reply_data(thread: list) -> dict:
    return answer_data(thread)["replies"]["data"]["children"][0]["data"]


def _changed(change: Callable[[list], object]) -> bytes:
    thread = copy.deepcopy(minimal_thread())
    change(thread)
    return json.dumps(thread).encode()


def _with_raw(field: str, raw: str, where: Callable[[list], dict] = post_data) -> bytes:
    """A thread whose ``field`` is the raw JSON text ``raw`` (NaN, 1e999, a 5,000-digit int)."""
    thread = minimal_thread()
    where(thread)[field] = "__RAW__"
    return json.dumps(thread).replace('"__RAW__"', raw).encode()


def _nested_replies(levels: int) -> bytes:
    """A realistic shape, just too deep: each reply holds the next one."""
    thread = minimal_thread()
    current = reply_data(thread)
    for level in range(levels):
        child = {
            "kind": "t1",
            "data": {
                "id": f"n{level}",
                "author": "deep",
                "body": "deeper",
                "created_utc": 1_700_000_300.0,
                "replies": "",
            },
        }
        current["replies"] = {"kind": "Listing", "data": {"children": [child]}}
        current = child["data"]
    return json.dumps(thread).encode()


def _many_comments(count: int) -> bytes:
    thread = minimal_thread()
    template = thread[1]["data"]["children"][0]
    children = []
    for number in range(count):
        child = copy.deepcopy(template)
        child["data"].update(id=f"m{number}", replies="")
        children.append(child)
    thread[1]["data"]["children"] = children
    return json.dumps(thread).encode()


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    message: str  # a fragment of the form error

    def __str__(self) -> str:
        return self.name


def _set(path: Callable[[list], dict], field: str, value: object):
    return lambda thread: path(thread).__setitem__(field, value)


VALID = json.dumps(minimal_thread()).encode()

CASES = [
    # Nesting: json's recursion limit, then ours (a realistic shape, only deeper).
    Case("nested-arrays", b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    Case("nested-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested more than"),
    Case("nested-replies", _nested_replies(120), "nested more than"),
    # Numbers.
    Case("nan-score", _with_raw("score", "NaN"), "NaN"),
    Case("infinite-score", _with_raw("score", "Infinity"), "Infinity"),
    Case("overflowing-float", _with_raw("edited", "1e999"), "1e999"),
    Case("5000-digit-integer", _with_raw("score", "9" * 5000), "5000 digits"),
    Case("score-beyond-int32", _with_raw("score", str(2**31)), "score is out of range"),
    Case("date-beyond-year-9999", _with_raw("created_utc", "1e15"), "created_utc"),
    Case("negative-date", _with_raw("created_utc", "-1e12"), "created_utc"),
    Case("edited-beyond-year-9999", _with_raw("edited", "1e17", answer_data), "edited"),
    # Wrong types at each level.
    Case("top-level-string", b'"a thread"', "expected a Reddit thread"),
    Case("top-level-null", b"null", "expected a Reddit thread"),
    Case(
        "listing-children-not-objects",
        _changed(lambda t: t[0]["data"].__setitem__("children", [[1, 2]])),
        "[0].data.children[0]",
    ),
    Case(
        "post-data-a-list",
        _changed(lambda t: t[0]["data"]["children"][0].__setitem__("data", [])),
        "[0].data.children[0].data",
    ),
    Case("title-an-object", _changed(_set(post_data, "title", {"a": 1})), "title"),
    Case("subreddit-a-number", _changed(_set(post_data, "subreddit", 42)), "subreddit"),
    Case("score-a-string", _changed(_set(post_data, "score", "many")), "score"),
    Case("score-a-boolean", _changed(_set(answer_data, "score", True)), "score"),
    Case("permalink-a-list", _changed(_set(answer_data, "permalink", ["/r/x"])), "permalink"),
    Case("body-a-number", _changed(_set(answer_data, "body", 12)), "body"),
    Case("author-an-object", _changed(_set(answer_data, "author", {"n": 1})), "author"),
    Case("id-a-list", _changed(_set(answer_data, "id", [1])), "id"),
    Case("replies-a-number", _changed(_set(answer_data, "replies", 5)), "replies"),
    Case(
        "reply-child-a-string",
        _changed(lambda t: answer_data(t)["replies"]["data"].__setitem__("children", ["x"])),
        "replies.data.children[0]",
    ),
    Case(
        "more-count-a-string",
        _changed(
            lambda t: t[1]["data"]["children"].append(
                {"kind": "more", "data": {"count": "lots", "children": []}}
            )
        ),
        "count",
    ),
    # Text the database cannot store, ids that are too long or repeated.
    Case("nul-in-id", _changed(_set(answer_data, "id", "c\u00001")), "id"),
    Case("id-too-long", _changed(_set(answer_data, "id", "c" * 200)), "id"),
    Case("subreddit-too-long", _changed(_set(post_data, "subreddit", "s" * 200)), "subreddit"),
    Case(
        "repeated-answer-id",
        _changed(
            lambda t: t[1]["data"]["children"].append(copy.deepcopy(t[1]["data"]["children"][0]))
        ),
        "t1_c1 appears twice",
    ),
    Case("reply-repeats-an-answer-id", _changed(_set(reply_data, "id", "c1")), "t1_c1"),
    # Links: only http(s) is stored as a source.
    Case(
        "javascript-permalink",
        _changed(_set(post_data, "permalink", "javascript:alert(1)")),
        "permalink",
    ),
    Case(
        "data-url-permalink",
        _changed(_set(answer_data, "permalink", "data:text/html,<script>alert(1)</script>")),
        "permalink",
    ),
    Case(
        "javascript-link-post",
        _changed(
            lambda t: post_data(t).update(is_self=False, url="javascript:alert(document.cookie)")
        ),
        "url",
    ),
    # Files that are not the thread's JSON at all.
    Case("truncated", VALID[: len(VALID) // 2], "not valid JSON"),
    Case("latin-1", VALID.replace(b"The post.", "Caf\u00e9 \u00e0 Paris".encode("latin-1")), "UTF"),
    Case("binary", bytes(range(256)) * 8, "not"),
    Case("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "not"),
    Case("whitespace-only", b" \n\t ", "empty"),
    Case("too-many-comments", _many_comments(60), "comments"),
    Case("text-too-long", _changed(_set(answer_data, "body", "x" * 2_000)), "characters"),
]
