"""The question list: sorts, tag filters (one, several, synonyms, unknown), pages, query budget."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb.models import Post, TagSynonym
from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_experience, make_question

pytestmark = pytest.mark.django_db


def _question(title, days_ago=0, tags=(), **fields):
    created = timezone.now() - timedelta(days=days_ago)
    question = make_question(title=title, created_at=created, last_activity_at=created, **fields)
    if tags:
        question.tags.set(get_or_create_tags(tags))
    return question


def _titles(response) -> list[str]:
    return [post.title for post in response.context["page"].object_list]


def test_newest_is_the_default_sort(client):
    _question("An older question about careers", days_ago=3)
    _question("A newer question about careers", days_ago=1)
    response = client.get("/questions/")
    assert response.status_code == 200
    assert _titles(response) == [
        "A newer question about careers",
        "An older question about careers",
    ]
    assert "<title>Newest questions · CareerKB</title>" in response.content.decode()


def test_top_sorts_by_score(client):
    _question("A low scoring question here", score=1)
    _question("A high scoring question here", score=9, days_ago=5)
    response = client.get("/questions/?sort=top")
    assert _titles(response) == ["A high scoring question here", "A low scoring question here"]


def test_unanswered_shows_only_questions_without_answers(client):
    answered = _question("A question that has an answer")
    make_answer(answered)
    _question("A question nobody answered yet")
    response = client.get("/questions/?sort=unanswered")
    assert _titles(response) == ["A question nobody answered yet"]
    assert "without an answer" in response.content.decode()


def test_active_sorts_by_last_activity(client):
    old = _question("Old question with fresh activity", days_ago=30)
    _question("Newer question but quiet", days_ago=2)
    Post.objects.filter(pk=old.pk).update(last_activity_at=timezone.now())
    response = client.get("/questions/?sort=active")
    assert _titles(response)[0] == "Old question with fresh activity"
    assert "active" in response.content.decode()


def test_unknown_sort_falls_back_to_newest(client):
    _question("A question for the sort fallback")
    response = client.get("/questions/?sort=<script>")
    assert response.status_code == 200
    assert response.context["sort"] == "newest"
    assert "<script>" not in response.content.decode()


def test_deleted_questions_and_experiences_are_not_listed(client):
    _question("A visible question on the list")
    _question("A deleted question on the list", is_deleted=True)
    make_experience(title="An experience post is not a question")
    assert _titles(client.get("/questions/")) == ["A visible question on the list"]


def test_summary_shows_stats_excerpt_tags_author_and_date(client, alice):
    question = _question(
        "How do I show the summary fields?",
        tags=["c++", "skills"],
        author=alice,
        body="Some **bold** advice & more text <b>raw</b>\n\n```\ncode()\n```",
        score=7,
        view_count=1234,
    )
    answer = make_answer(question)
    Post.objects.filter(pk=question.pk).update(accepted_answer=answer)
    html = client.get("/questions/").content.decode()
    assert "<strong>7</strong> votes" in html
    assert "1,234 views" in html
    assert 'class="stat-answers has-answers accepted"' in html
    assert "one accepted" in html
    assert "Some bold advice &amp; more text" in html  # plain text, escaped once
    assert "<strong>bold</strong>" not in html
    assert 'href="/questions/tagged/cpp/"' in html
    assert ">c++</a>" in html
    assert "Alice Author" in html
    assert "<time datetime=" in html


def test_plain_excerpt_is_truncated():
    from kb.excerpts import plain_excerpt

    excerpt = plain_excerpt("<p>" + "word " * 200 + "</p>", length=50)
    assert len(excerpt) <= 50
    assert excerpt.endswith("…")
    assert plain_excerpt("<p>cut here</p><a hr") == "cut here"


def test_one_tag_filters_questions(client):
    _question("A question tagged with skills", tags=["skills"])
    _question("A question tagged with cpp only", tags=["c++"])
    response = client.get("/questions/tagged/skills/")
    assert response.status_code == 200
    assert _titles(response) == ["A question tagged with skills"]
    html = response.content.decode()
    assert "<title>Questions tagged skills · CareerKB</title>" in html
    assert 'href="/feeds/tags/skills/"' in html


def test_several_tags_with_plus_require_all_of_them(client):
    _question("A question with cpp and skills", tags=["c++", "skills"])
    _question("A question with cpp alone here", tags=["c++"])
    _question("A question with skills alone here", tags=["skills"])
    response = client.get("/questions/tagged/cpp+skills/")
    assert response.status_code == 200
    assert _titles(response) == ["A question with cpp and skills"]
    assert "with all of these tags" in response.content.decode()


def test_tag_filter_combines_with_sort(client):
    _question("Unanswered tagged question here", tags=["skills"])
    answered = _question("Answered tagged question here", tags=["skills"])
    make_answer(answered)
    response = client.get("/questions/tagged/skills/?sort=unanswered")
    assert _titles(response) == ["Unanswered tagged question here"]


def test_a_synonym_redirects_permanently_to_the_main_tag(client):
    target = get_or_create_tags(["big-tech"])[0]
    TagSynonym.objects.create(source="faang", target=target)
    response = client.get("/questions/tagged/faang/?sort=top")
    assert response.status_code == 301
    assert response["Location"] == "/questions/tagged/big-tech/?sort=top"


def test_a_synonym_among_several_tags_redirects_to_the_canonical_set(client):
    target = get_or_create_tags(["big-tech"])[0]
    get_or_create_tags(["skills"])
    TagSynonym.objects.create(source="faang", target=target)
    response = client.get("/questions/tagged/skills+faang/")
    assert response.status_code == 301
    assert response["Location"] == "/questions/tagged/skills+big-tech/"


def test_unknown_tag_gives_a_friendly_404(client):
    response = client.get("/questions/tagged/no-such-tag/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no tag “no-such-tag” yet" in html
    assert 'class="site-header"' in html


def test_too_many_tags_is_a_404(client):
    assert client.get("/questions/tagged/a+b+c+d+e+f/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1.5", ""])
def test_bad_page_numbers_never_fail(client, page):
    for number in range(3):
        _question(f"Question number {number} for paging")
    response = client.get(f"/questions/?page={page}")
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_pages_hold_twenty_questions_and_link_to_the_next(client):
    for number in range(25):
        _question(f"Paginated question number {number}", days_ago=number)
    first = client.get("/questions/?sort=top")
    assert len(first.context["page"].object_list) == 20
    html = first.content.decode()
    assert 'href="?sort=top&amp;page=2"' in html
    second = client.get("/questions/?sort=top&page=2")
    assert len(second.context["page"].object_list) == 5
    assert "(page 2)" in second.content.decode()


def test_empty_list_invites_a_question(client):
    html = client.get("/questions/").content.decode()
    assert "No questions here yet" in html


def _fill(count):
    tags = get_or_create_tags(["skills", "c++"])
    for number in range(count):
        question = _question(f"Query budget question number {number}", days_ago=number)
        question.tags.set(tags)
        make_answer(question)


@pytest.mark.parametrize(
    "url",
    [
        "/questions/",
        "/questions/?sort=top",
        "/questions/?sort=unanswered",
        "/questions/?sort=active",
        "/questions/tagged/skills/",
        "/questions/tagged/cpp+skills/",
    ],
)
def test_query_count_does_not_grow_with_the_page_size(
    client, url, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    _fill(3)
    client.get(url)  # warm the content-type cache
    with django_assert_max_num_queries(5) as few:
        client.get(url)
    _fill(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 20 or "unanswered" in url


def test_logged_in_list_stays_within_budget(alice_client, django_assert_max_num_queries):
    _fill(30)
    alice_client.get("/questions/")
    with django_assert_max_num_queries(7):
        assert alice_client.get("/questions/").status_code == 200


@pytest.mark.parametrize(
    ("path", "canonical"),
    [("Skills", "skills"), ("skills+skills", "skills"), ("cpp+Skills", "cpp+skills")],
)
def test_tag_urls_redirect_to_one_canonical_spelling(client, path, canonical):
    get_or_create_tags(["skills", "c++"])
    response = client.get(f"/questions/tagged/{path}/")
    assert response.status_code == 301
    assert response["Location"] == f"/questions/tagged/{canonical}/"


def test_excerpt_skips_headings_tables_and_code():
    from kb.excerpts import plain_excerpt

    html = (
        "<h2>Lessons</h2><p>First para.</p><table><tr><td>1-4</td></tr></table>"
        "<ul><li>one</li><li>two</li></ul><pre><code>x = 1</code></pre><p>End"
    )
    assert plain_excerpt(html) == "First para. one two End"
    assert plain_excerpt("<p>Intro</p><table><tr><td>cut off") == "Intro"
