"""Property tests (hypothesis) of every user-facing form and the search query parser.

Whatever a person types or pastes, a form answers 2xx, 3xx or 4xx, never 5xx, and a 4xx
saves nothing; any string parses as a search query and the search page shows it (200).
These assert only that: what the forms accept is tested beside each form.

Example counts (``examples(N)``) are per run; derandomised in CI (tests/conftest.py).
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from kb.search.query import MAX_QUERY_LENGTH, MAX_TAGS, MAX_WORDS, parse
from tests.factories import make_question
from tests.hypothesis_support import database_state, examples, rolled_back, typed_text

pytestmark = pytest.mark.django_db
TAG_NAME = re.compile(r"[a-z0-9+#.-]{1,35}")

# Mostly arbitrary text; sometimes text long enough to pass the length checks, so the
# paths that save are drawn too.
titles = st.one_of(typed_text, typed_text.map(lambda text: "How do I move into data work " + text))
bodies = st.one_of(
    typed_text,
    typed_text.map(lambda text: "I have been a mechanical engineer for six years now. " + text),
)
comments = st.one_of(
    typed_text, typed_text.map(lambda text: "Thanks, this helped me a lot. " + text)
)
_tag_words = st.one_of(
    st.sampled_from(["career", "machine learning", "Career Switch", "c++", "phd", ".net"]),
    st.text(max_size=20),
)
tags = st.one_of(
    typed_text,
    st.lists(_tag_words, max_size=7).flatmap(
        lambda words: st.sampled_from([", ".join(words), " ".join(words)])
    ),
)


def _post_refuses_cleanly(client, url: str, data: dict):
    """POST ``data``: never a 5xx, and nothing written when the answer is a 4xx."""
    with rolled_back():
        before = database_state()
        response = client.post(url, data)
        event(f"status {response.status_code}")
        assert response.status_code < 500
        if response.status_code >= 400:
            assert database_state() == before
        return response


@pytest.fixture
def question(bob):
    return make_question(bob, title="Is a bootcamp worth it after a physics degree?")


@examples(40)
@given(title=titles, body=bodies, tags=tags)
def test_ask_form(alice_client, title, body, tags):
    data = {"title": title, "body": body, "tags": tags}
    _post_refuses_cleanly(alice_client, reverse("kb:question-ask"), data)


@examples(30)
@given(title=titles, body=bodies, tags=tags)
def test_experience_post_form(alice_client, title, body, tags):
    data = {"title": title, "body": body, "tags": tags}
    _post_refuses_cleanly(alice_client, reverse("kb:post-create"), data)


@examples(30)
@given(body=bodies)
def test_answer_form(alice_client, question, body):
    _post_refuses_cleanly(
        alice_client, reverse("kb:answer-create", args=[question.pk]), {"body": body}
    )


@examples(40)
@given(title=titles, body=bodies, tags=tags, preview=st.booleans())
def test_edit_form(bob_client, question, title, body, tags, preview):
    data = {"title": title, "body": body, "tags": tags, **({"preview": "1"} if preview else {})}
    _post_refuses_cleanly(bob_client, reverse("kb:post-edit", args=[question.pk]), data)


@examples(30)
@given(body=comments, as_json=st.booleans())
def test_comment_form(alice_client, question, body, as_json):
    url = reverse("kb:comment-create", args=[question.pk])
    headers = {"Accept": "application/json"} if as_json else {}
    with rolled_back():
        before = database_state()
        response = alice_client.post(url, {"body": body}, headers=headers)
        event(f"status {response.status_code}")
        assert response.status_code < 500
        if response.status_code >= 400:
            assert database_state() == before


@examples(30)
@given(
    username=st.one_of(typed_text, st.from_regex(r"[a-z][a-z0-9_]{2,20}", fullmatch=True)),
    email=st.one_of(typed_text, st.emails()),
    display_name=typed_text,
    password=st.one_of(typed_text, typed_text.map(lambda text: "Plenty-of-entropy-" + text)),
)
def test_sign_up_form(client, username, email, display_name, password):
    client.logout()
    data = {
        "username": username,
        "email": email,
        "display_name": display_name,
        "password1": password,
        "password2": password,
    }
    _post_refuses_cleanly(client, reverse("accounts:signup"), data)


@examples(30)
@given(display_name=typed_text, headline=typed_text, bio=typed_text, email=typed_text)
def test_profile_form(alice_client, display_name, headline, bio, email):
    data = {"display_name": display_name, "headline": headline, "bio": bio, "email": email}
    _post_refuses_cleanly(alice_client, reverse("accounts:edit-profile"), data)


@examples(30)
@given(body=typed_text)
def test_markdown_preview(alice_client, body):
    _post_refuses_cleanly(alice_client, reverse("kb:markdown-preview"), {"body": body})


# -- search ---------------------------------------------------------------------------------

# The query language's own characters, so operators, quotes and brackets meet often.
_query_pieces = st.sampled_from(
    [
        '"',
        "[",
        "]",
        "-",
        "+",
        ":",
        "is:",
        "tag:",
        "user:",
        "score:",
        "answers:",
        "accepted:",
        "career",
        "phd",
        " ",
        "'s",
        "\x00",
        "\u200b",
        "İ",
        "ß",
    ]
)
queries = st.one_of(
    st.text(), st.lists(st.one_of(_query_pieces, st.text(max_size=5)), max_size=12).map("".join)
)


@examples(500)
@given(queries)
def test_any_string_parses_as_a_search_query(raw):
    parsed = parse(raw)

    assert len(parsed.raw) <= MAX_QUERY_LENGTH
    assert not any(unicodedata.category(char) == "Cc" for char in parsed.raw)
    assert len(parsed.words) <= MAX_WORDS
    assert len(parsed.tags) <= MAX_TAGS
    assert all(TAG_NAME.fullmatch(tag) for tag in parsed.tags + parsed.excluded_tags)
    parse(parsed.with_tag("career"))  # a facet link parses too


@examples(60)
@given(queries.map(lambda raw: raw.encode("utf-8", "replace").decode("utf-8")))
def test_any_query_on_the_search_page_is_a_200(client, question, raw):
    response = client.get(reverse("kb:search"), {"q": raw})

    assert response.status_code == 200
