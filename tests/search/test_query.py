"""The query language parses any string into the engine-neutral form, never raising."""

import pytest

from kb.search.query import MAX_QUERY_LENGTH, parse
from kb.tags import get_or_create_tags

NASTY = [
    "",
    " ",
    '"',
    '"""',
    '"unbalanced phrase',
    "-",
    "--",
    "- -",
    "[",
    "]",
    "[]",
    "[unclosed",
    "tag:",
    "is:",
    "is:banana",
    "user:",
    "score:",
    "score:abc",
    "score:99999999999999999999",
    "answers:-3",
    "accepted:maybe",
    ":",
    "::::",
    "a" * 2000,
    "word " * 400,
    "\x00",
    "salary\x00negotiation",
    "\u202e\u200b\ufeff",
    "😀 🚀 emoji only",
    "ünïcödé façade naïve",
    "中文 搜索",
    "'; DROP TABLE kb_post; --",
    "1' OR '1'='1",
    "%_%",
    "\\",
    "title:(foo OR bar) AND body:baz~2^3",
    "foo* ?bar [a TO z] {x TO y}",
    "NOT AND OR",
    "<script>alert(1)</script>",
    "&amp; &lt;",
    "(((((",
    '-[python] -"x y" -z',
    "c++ c# .net node.js",
    "tag:" + "x" * 100,
    "user:" + "é" * 200,
    "\n\t\r",
]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", NASTY)
def test_any_string_parses(raw):
    query = parse(raw)
    assert len(query.raw) <= MAX_QUERY_LENGTH
    assert "\x00" not in query.raw
    assert all("\x00" not in word for word in query.words)


def _parse(raw):
    return parse(raw, resolve_tags=False)


def test_words_are_lower_case_and_stop_words_dropped():
    assert _parse("Salary THE negotiation").words == ["salary", "negotiation"]


def test_only_stop_words_are_kept_so_the_query_is_not_empty():
    assert _parse("the").words == ["the"]


def test_phrases_and_unbalanced_quotes():
    query = _parse('"machine learning" jobs "computer vision')
    assert query.phrases == [["machine", "learning"], ["computer", "vision"]]
    assert query.words == ["jobs"]
    assert any("quote" in message for message in query.messages)


def test_exclusions():
    query = _parse('python -java -"cover letter" -[recruiting]')
    assert query.words == ["python"]
    assert query.excluded_words == ["java"]
    assert query.excluded_phrases == [["cover", "letter"]]
    assert query.excluded_tags == ["recruiting"]


def test_tags_both_spellings():
    assert _parse("[Python] tag:career-switch").tags == ["python", "career-switch"]


@pytest.mark.django_db
def test_tag_synonyms_are_resolved():
    from kb.models import TagSynonym

    (target,) = get_or_create_tags(["big-tech"])
    TagSynonym.objects.create(source="faang", target=target)
    assert parse("[faang] offers").tags == ["big-tech"]


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("is:question", "question"), ("is:answer", "answer"), ("is:post", "experience")],
)
def test_kinds(raw, kind):
    assert _parse(raw).kind == kind


def test_filters():
    query = _parse("user:Alice score:5 answers:0 accepted:yes")
    assert (query.user, query.min_score, query.answers, query.accepted) == ("Alice", 5, 0, True)
    assert _parse("accepted:no").accepted is False
    assert _parse("answers:3").answers == 3


@pytest.mark.parametrize("raw", ["is:banana", "score:lots", "accepted:maybe", "user:<b>"])
def test_bad_operator_values_give_a_message(raw):
    query = _parse(raw)
    assert query.messages
    assert not query.has_filters


def test_unknown_operator_is_searched_as_words():
    assert _parse("salary:high").words == ["salary", "high"]


def test_hyphenated_words_are_words_and_only_quotes_make_a_phrase():
    query = _parse("full-stack or node.js for self-driving?")
    assert query.words == ["full", "stack", "node", "js", "self", "driving"]
    assert query.phrases == []
    assert query.is_free_text
    assert _parse('"full-stack"').phrases == [["full", "stack"]]


def test_contractions_are_words_not_phrases():
    # In a sentence, "didn't" and "I've" are question words: no phrase every post must hold.
    query = _parse("why I didn't finish my PhD, and what I\u2019ve learned since")
    assert query.words == ["finish", "phd", "learned", "since"]
    assert query.phrases == []
    assert query.is_free_text
    assert _parse("my company's stock").words == ["company", "stock"]
    assert _parse("bird's-eye-view").words == ["bird", "eye", "view"]


def test_long_query_is_cut_with_a_message():
    query = _parse("word " * 1000)
    assert len(query.raw) <= MAX_QUERY_LENGTH
    assert query.messages


def test_with_tag_adds_a_tag_once():
    query = _parse("salary")
    assert query.with_tag("big-tech") == "salary [big-tech]"
    assert _parse("salary [big-tech]").with_tag("big-tech") == "salary [big-tech]"


def test_slang_gives_the_sentence_encoder_a_hint():
    from kb.search import _free_text

    query = _parse("is grad school worth it [phd-vs-product] is:question")
    assert query.meaning_hints == ["phd"]
    assert _free_text(query) == "is grad school worth it (phd)"
    assert _parse("should I do a phd").meaning_hints == ["doctorate"]
    assert _parse("startup or big company").meaning_hints == ["startups"]
    assert _parse("salary negotiation").meaning_hints == ["compensation"]
    assert _free_text(_parse("negotiation tips")) == "negotiation tips"


def test_how_to_become_is_a_question_not_a_topic():
    assert _parse("how to become a computer vision engineer").words == [
        "computer",
        "vision",
        "engineer",
    ]
