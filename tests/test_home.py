"""The home page: hero, top and newest questions, experience posts, popular tags."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_experience, make_question

pytestmark = pytest.mark.django_db


def _tagged(post, *names):
    post.tags.set(get_or_create_tags(names))
    return post


def test_empty_home_welcomes_and_invites_a_first_question(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Career questions, answered by people who made the move." in html
    assert "Be the first to ask" in html
    assert '<a class="button button-primary" href="/questions/ask/">Ask a question</a>' in html


def test_home_lists_top_and_newest_questions(client):
    now = timezone.now()
    top = make_question(
        title="The top question with many votes", score=12, created_at=now - timedelta(days=90)
    )
    new = make_question(title="A brand new question without votes", created_at=now)
    response = client.get("/")
    assert response.context["top_questions"][0] == top
    assert response.context["newest_questions"][0] == new
    html = response.content.decode()
    assert "Top questions" in html
    assert "Newest questions" in html
    assert top.get_absolute_url() in html


def test_home_shows_recent_experience_posts_and_popular_tags(client):
    _tagged(make_experience(title="How I moved from CAD to computer vision"), "career-switch")
    for number in range(3):
        _tagged(make_question(title=f"Question about skills, number {number}"), "skills", "c++")
    html = client.get("/").content.decode()
    assert "How I moved from CAD to computer vision" in html
    assert '<a class="tag" href="/tags/skills/">skills</a><span class="tag-count">3</span>' in html
    assert 'href="/tags/cpp/">c++</a>' in html
    assert '<span class="tag-count">1</span>' in html  # career-switch


def test_home_hides_deleted_posts(client):
    make_question(title="A deleted question about spam", is_deleted=True)
    make_experience(title="A deleted experience post here", is_deleted=True)
    html = client.get("/").content.decode()
    assert "A deleted question" not in html
    assert "A deleted experience" not in html


def test_home_counts_and_meta(client):
    question = make_question()
    make_answer(question)
    html = client.get("/").content.decode()
    assert "<strong>1</strong> question ·" in html
    assert "<strong>1</strong> answer ·" in html
    assert '<meta name="description" content="Ask career questions' in html
    assert 'type="application/rss+xml"' in html


def test_home_query_count_is_constant(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0

    def fill(count):
        for _ in range(count):
            _tagged(make_question(), "skills", "interviews")
            _tagged(make_experience(), "career-switch")

    fill(2)
    client.get("/")
    with django_assert_max_num_queries(7) as few:
        client.get("/")
    fill(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert len(response.context["top_questions"]) == 8
