"""The search page and the similar-questions endpoint, through URLs and middleware."""

import pytest
from django.urls import reverse

from tests.factories import make_answer, make_experience, make_question
from tests.search.test_query import NASTY

pytestmark = pytest.mark.django_db
URL = reverse("kb:search")


@pytest.fixture
def posts(indexed):
    with indexed():
        question = make_question(
            title="Salary negotiation at a startup",
            body="How do I ask for <b>more</b> equity?",
            tags=["salary", "startups"],
        )
        answer = make_answer(question, body="Anchor high; salary is only part of it.")
        other = make_question(title="Salary bands at big companies", tags=["salary", "big-tech"])
    return question, answer, other


def test_empty_query_shows_the_help(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "How to search" in response.content.decode()
    assert 'id="search-help"' in response.content.decode()


def test_results_show_count_time_snippet_and_links(client, posts):
    question, answer, _ = posts
    html = client.get(URL, {"q": "salary"}).content.decode()
    assert "2 results" in html  # the question and its answer are one thread
    assert "1 matching answer" in html
    assert " ms)" in html
    assert "<mark>Salary</mark>" in html
    assert f'href="{question.get_absolute_url()}"' in html
    answers = client.get(URL, {"q": "salary is:answer"}).content.decode()
    assert f"#answer-{answer.pk}" in answers
    assert "&lt;b&gt;more&lt;/b&gt;" in html or "<b>more</b>" not in html


def test_user_text_is_escaped(client, indexed):
    with indexed():
        make_question(title="XSS <script>alert(1)</script> salary", body="<img src=x onerror=1>")
    html = client.get(URL, {"q": "salary"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


def test_facets_link_to_a_narrowed_query(client, posts):
    response = client.get(URL, {"q": "salary"})
    html = response.content.decode()
    assert "Narrow by tag" in html
    assert "q=salary+%5Bstartups%5D" in html
    facets = {f["tag"]: f["count"] for f in response.context["facet_links"]}
    # The answer carries its question's tags.
    assert facets["startups"] == 2
    assert facets["salary"] == 3


def test_narrowing_by_a_facet(client, posts):
    question, _, _ = posts
    response = client.get(URL, {"q": "salary [startups]"})
    assert [hit.id for hit in response.context["results"].hits] == [question.pk]


@pytest.mark.parametrize("sort", ["relevance", "newest", "votes", "bogus"])
def test_sorts(client, posts, sort):
    response = client.get(URL, {"q": "salary", "sort": sort})
    assert response.status_code == 200
    assert response.context["results"].total == 2


def test_did_you_mean_links_to_the_corrected_query(client, posts):
    html = client.get(URL, {"q": "negotiaton"}).content.decode()
    assert "Did you mean" in html
    assert "q=negotiation" in html


def test_pagination_keeps_the_query(client, indexed):
    with indexed():
        for i in range(12):
            make_question(title=f"Internship question {i}")
    html = client.get(URL, {"q": "internship"}).content.decode()
    assert "q=internship&amp;sort=relevance&amp;page=2" in html
    page2 = client.get(URL, {"q": "internship", "page": "2"})
    assert len(page2.context["results"].hits) == 2
    assert client.get(URL, {"q": "internship", "page": "abc"}).status_code == 200
    assert client.get(URL, {"q": "internship", "page": "99999999"}).status_code == 200


@pytest.mark.parametrize("raw", NASTY)
def test_no_string_breaks_the_page(client, posts, raw):
    response = client.get(URL, {"q": raw})
    assert response.status_code == 200


def test_bad_operator_shows_a_message(client, posts):
    html = client.get(URL, {"q": "salary is:banana"}).content.decode()
    assert "is:question" in html


def test_a_broken_index_gives_a_clear_message(client, posts, monkeypatch):
    from kb.search.whoosh_backend import WhooshBackend

    def broken(*args, **kwargs):
        raise OSError("index gone")

    monkeypatch.setattr(WhooshBackend, "search", broken)
    response = client.get(URL, {"q": "salary"})
    assert response.status_code == 503
    assert "Search is unavailable" in response.content.decode()


def test_search_page_query_budget(client, posts, django_assert_max_num_queries):
    # The fourth: which results are questions closed as duplicates (kb.search, issue 12).
    with django_assert_max_num_queries(4):
        client.get(URL, {"q": "salary [salary]"})


def test_similar_questions_endpoint(client, posts):
    question, _, _ = posts
    response = client.get(reverse("kb:search-similar"), {"title": "negotiation at startup"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {
        "title": question.title,
        "url": question.get_absolute_url(),
        "score": 0,
        "answer_count": 1,
    }
    assert len(results) <= 5


@pytest.mark.parametrize("title", ["", "   ", "\x00", "a" * 5000, "the and of"])
def test_similar_questions_endpoint_with_odd_titles(client, posts, title):
    response = client.get(reverse("kb:search-similar"), {"title": title})
    assert response.status_code == 200
    assert response.json()["results"] == [] or title == "a" * 5000


def test_similar_questions_rejects_post(client):
    assert client.post(reverse("kb:search-similar")).status_code == 405


def test_question_page_shows_related_questions(client, indexed):
    with indexed():
        question = make_question(title="Data engineering interview questions", body="SQL, Spark.")
        related = make_question(title="Data engineering interview loop", body="Spark rounds.")
        gone = make_question(title="Data engineering interview prep", is_deleted=True)
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert "Related questions" in html
    assert f'href="{related.get_absolute_url()}"' in html
    assert gone.title not in html
    assert [d.id for d in response.context["related_questions"]] == [related.pk]


def test_ask_page_has_the_title_field_the_similar_questions_script_needs(client, alice):
    client.force_login(alice)
    html = client.get(reverse("kb:question-ask")).content.decode()
    assert 'id="id_title"' in html
    assert 'class="nav-search"' in html


def test_the_page_says_sentences_work_and_marks_what_meaning_found(client, meaning, indexed):
    with indexed():
        by_meaning = make_question(
            title="Is doing a doctorate worth it compared to getting a job?",
            body="I finished my master's and have a funded offer.",
        )
        by_words = make_question(title="When to start my career search", body="Timing.")
        story = make_experience(
            title="I stayed for a doctorate instead of taking a job", body="Looking back."
        )
    html = client.get(URL, {"q": "more years at university or start my career?"}).content.decode()
    assert "ask as you would ask a person" in " ".join(html.split())
    assert "Similar question" in _result_of(html, by_meaning)
    assert "Similar experience" in _result_of(html, story)
    assert "Similar" not in _result_of(html, by_words)


def _result_of(html, post):
    """The results-list item that links to this post."""
    after = html.split(f'href="{post.get_absolute_url()}"', 1)[1]
    return after[: after.index("</li>")]
