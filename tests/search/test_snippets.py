"""Highlighted snippets (kb.search.text.highlight): every engine's results use them."""

import pytest

from kb.search.text import highlight


@pytest.mark.parametrize(
    ("text", "term", "marked"),
    [
        ("Negotiating a raise", "negotiation", "Negotiating"),
        ("Is a career change possible at 40?", "possibility", "possible"),
        ("The possibility of a remote job", "possible", "possibility"),
        ("Hoping for an offer", "hope", "Hoping"),
        ("Happiness at work", "happy", "Happiness"),
        ("Why do I cry after interviews", "crying", "cry"),
    ],
)
def test_words_are_found_by_their_stem(text, term, marked):
    assert f"<mark>{marked}</mark>" in highlight(text, [term])


def test_words_that_only_start_alike_are_not_marked():
    assert "<mark>" not in highlight("Hopper and hoplite", ["hope"])


def test_user_text_is_escaped_and_only_mark_is_added():
    html = highlight('<script>alert("salary")</script> salary & <b>bonus</b>', ["salary"])
    assert html.count("<mark>") == 2
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html


def test_snippet_is_the_window_with_most_hits():
    text = "filler " * 100 + "salary bands and salary reviews " + "filler " * 100
    html = highlight(text, ["salary"], length=120)
    assert html.startswith("…")
    assert html.endswith("…")
    assert html.count("<mark>salary</mark>") == 2
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 122


def test_whole_text_when_length_is_none():
    title = "Salary " + "x" * 500
    assert highlight(title, ["salary"], length=None) == "<mark>Salary</mark> " + "x" * 500
