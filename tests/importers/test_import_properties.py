"""Property tests (hypothesis) of the importers: whatever the file holds, the parsers return
a thread or raise ``ImportFileError``, the writer saves it or raises ``ImportFileError``
having written nothing, and the import page answers 302 or 400, never 5xx.

Example counts (``examples(N)``) are per run; derandomised in CI (tests/conftest.py).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from kb.importers import reddit
from kb.importers.base import ImportFileError
from kb.importers.run import import_reddit_thread, import_stackexchange_dump
from kb.importers.stackexchange import Dump
from tests.hypothesis_support import (
    database_state,
    examples,
    json_values,
    odd_strings,
    rolled_back,
)
from tests.importers.malformed import minimal_thread

# -- Reddit ---------------------------------------------------------------------------------


def _paths(value, prefix=()):
    """Every place in a JSON value, as a tuple of keys and indexes."""
    yield prefix
    if isinstance(value, (dict, list)):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _paths(child, (*prefix, key))


def _at(value, path):
    for key in path:
        value = value[key]
    return value


def _same_kind(value) -> st.SearchStrategy:
    """Another value of the same JSON type, often a plausible one: the thread keeps its
    shape and usually parses, so the writer sees odd but well-typed threads."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, (int, float)):
        plausible = st.integers(0, 2_000_000_000)
        return st.one_of(plausible, plausible, st.integers(), st.floats(-1e12, 1e12))
    return st.one_of(
        st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True), st.text(max_size=40), odd_strings
    )


@st.composite
def mutated_threads(draw, *, shape_kept: bool = False) -> list:
    """A valid thread with one to four places changed. Most changes keep the Reddit shape
    (another value of the same type), so the writer sees odd but well-typed threads; the
    others replace, delete or repeat any part, for the parser's checks."""
    thread = minimal_thread()
    actions = ["same-kind"] if shape_kept else ["same-kind"] * 3 + ["replace", "delete", "repeat"]
    for _ in range(draw(st.integers(1, 4))):
        places = [path for path in _paths(thread) if path]
        if not places:  # the whole file became one scalar
            break
        # "kind" names the structure ("Listing", "t1"): changing it is not a same-kind change.
        leaves = [
            path
            for path in places
            if path[-1] != "kind" and not isinstance(_at(thread, path), (dict, list))
        ]
        action = draw(st.sampled_from(actions))
        path = draw(st.sampled_from(leaves if action == "same-kind" and leaves else places))
        parent, key = _at(thread, path[:-1]), path[-1]
        if action == "same-kind":
            parent[key] = draw(_same_kind(parent[key]))
        elif action == "delete":
            del parent[key]
        elif action == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = draw(json_values)
    return thread


def _parse(content: bytes):
    try:
        thread = reddit.parse_bytes(content, name="thread.json")
    except ImportFileError as error:
        event(f"refused: {_problem(error)}")
        return None
    event("parsed")
    return thread


def _problem(error: ImportFileError) -> str:
    """The kind of problem, without the values, so that statistics group them."""
    return error.problem.split(":")[0].split(",")[0][:40]


@examples(300)
@given(json_values)
def test_reddit_parser_any_json_value(value):
    _parse(json.dumps(value).encode())


@examples(300)
@given(mutated_threads())
def test_reddit_parser_any_mutation_of_a_thread(thread):
    _parse(json.dumps(thread).encode())


@examples(200)
@given(st.binary(max_size=300))
def test_reddit_parser_any_bytes(content):
    _parse(content)


@pytest.mark.django_db
@examples(150)
@given(st.one_of(mutated_threads(shape_kept=True), mutated_threads()))
def test_reddit_writer_saves_whatever_the_parser_accepts(thread):
    parsed = _parse(json.dumps(thread).encode())
    if parsed is None:
        return
    with rolled_back():
        before = database_state()
        try:
            import_reddit_thread(parsed)
        except ImportFileError as error:
            event(f"not saved: {_problem(error)}")
            assert database_state() == before
        else:
            event("saved")


@pytest.fixture
def import_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.django_db
@examples(60)
@given(
    content=st.one_of(
        st.one_of(mutated_threads(shape_kept=True), mutated_threads()).map(
            lambda thread: json.dumps(thread).encode()
        ),
        st.binary(max_size=200),
    ),
    tags=st.text(max_size=40),
)
def test_import_page_answers_302_or_400_and_a_400_writes_nothing(import_client, content, tags):
    with rolled_back():
        before = database_state()
        upload = SimpleUploadedFile("thread.json", content, content_type="application/json")

        response = import_client.post(reverse("kb:import"), {"file": upload, "tags": tags})

        event(f"status {response.status_code}")
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert database_state() == before


# -- Stack Exchange -------------------------------------------------------------------------


def _one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws. (Not ``== 0``: hypothesis favours the bounds.)"""
    return st.integers(1, n).map(lambda drawn: drawn == n // 2)


def _mostly(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``common`` nine times in ten: most dumps get past the first row."""
    return _one_in(10).flatmap(lambda is_rare: rare if is_rare else common)


_ids = st.integers(-2, 12).map(str)
_dates = _mostly(
    st.datetimes(datetime(2008, 1, 1), datetime(2030, 1, 1)).map(datetime.isoformat),
    st.one_of(
        st.datetimes().map(datetime.isoformat),
        st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2020-02-30"]),
        st.text(max_size=20),
    ),
)
# quoteattr escapes markup, not the control characters XML cannot hold: those are rare.
_xml_text = _mostly(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40), st.text(max_size=40)
)
# Names without an account are keys: some of these make the same username.
_names = st.one_of(st.sampled_from(["Ann Lee", "Ann/Lee", "Ann~Lee"]), _xml_text)
_numbers = _mostly(st.integers(-100, 10_000).map(str), st.one_of(st.integers().map(str), _xml_text))
_POST_ATTRIBUTES = {
    "Id": _ids,
    "PostTypeId": st.sampled_from(["1", "1", "2", "2", "5", "x"]),
    "ParentId": _ids,
    "AcceptedAnswerId": _ids,
    "CreationDate": _dates,
    "LastEditDate": _dates,
    "Score": _numbers,
    "ViewCount": _numbers,
    "Title": _xml_text,
    "Body": _xml_text,
    "Tags": _xml_text,
    "OwnerUserId": _ids,
    "OwnerDisplayName": _names,
}
_COMMENT_ATTRIBUTES = {
    "Id": _ids,
    "PostId": _ids,
    "Score": _numbers,
    "Text": _xml_text,
    "CreationDate": _dates,
    "UserId": _ids,
    "UserDisplayName": _names,
}
_USER_ATTRIBUTES = {"Id": _ids, "DisplayName": _xml_text}


@st.composite
def _row(draw, attributes: dict, required: tuple[str, ...]) -> str:
    """A ``<row/>``: its required attributes (one time in thirty, one missing) and some
    others, each drawn."""
    optional = sorted(set(attributes) - set(required))
    names = list(required)
    if optional:
        names += draw(st.lists(st.sampled_from(optional), unique=True))
    if draw(_one_in(30)):
        names.remove(draw(st.sampled_from(required)))
    pairs = " ".join(f"{name}={quoteattr(draw(attributes[name]))}" for name in names)
    return f"  <row {pairs} />"


@st.composite
def _dump_file(draw, root: str, attributes: dict, required: tuple[str, ...]) -> str:
    """A dump file of a few rows; one time in eight with any line at all among them."""
    rows = draw(st.lists(_row(attributes, required), max_size=6))
    if draw(_one_in(8)):
        rows.insert(draw(st.integers(0, len(rows))), draw(st.text(max_size=40)))
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f"<{root}>", *rows, f"</{root}>"]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    # Lone surrogates pass as bytes the XML parser must refuse, like any other bad byte.
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


@pytest.mark.django_db
@examples(150)
@given(
    posts=_dump_file(
        "posts", _POST_ATTRIBUTES, ("Id", "PostTypeId", "CreationDate", "Title", "Body")
    ),
    comments=_dump_file("comments", _COMMENT_ATTRIBUTES, ("Id", "PostId", "CreationDate", "Text")),
    users=_dump_file("users", _USER_ATTRIBUTES, ("Id", "DisplayName")),
)
def test_stackexchange_import_of_any_xmlish_dump_succeeds_or_fails_cleanly(
    tmp_path, posts, comments, users
):
    for name, text in (("Posts", posts), ("Comments", comments), ("Users", users)):
        _write(tmp_path / f"{name}.xml", text)
    with rolled_back():
        before = database_state()
        try:
            report = import_stackexchange_dump(Dump(tmp_path), site_name="site.example")
        except ImportFileError as error:
            event(f"refused: {_problem(error)}")
            assert database_state() == before
        else:
            event(f"imported {min(report.created, 3)}{'+' * (report.created >= 3)} items")
