"""The experience post list: newest/top, tag filter, pages, query budget."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb.models import TagSynonym
from kb.tags import get_or_create_tags
from tests.factories import make_experience, make_question

pytestmark = pytest.mark.django_db


def _experience(title, days_ago=0, tags=(), **fields):
    post = make_experience(
        title=title, created_at=timezone.now() - timedelta(days=days_ago), **fields
    )
    post.tags.set(get_or_create_tags(tags))
    return post


def _titles(response):
    return [post.title for post in response.context["page"].object_list]


def test_lists_experience_posts_newest_first(client):
    _experience("My older story of a career move", days_ago=10)
    _experience("My newer story of a career move", days_ago=1)
    make_question(title="A question is not an experience post")
    _experience("A deleted story of a career move", is_deleted=True)
    response = client.get("/posts/")
    assert response.status_code == 200
    assert _titles(response) == [
        "My newer story of a career move",
        "My older story of a career move",
    ]
    html = response.content.decode()
    assert "<title>Experience posts · CareerKB</title>" in html
    assert 'href="/feeds/posts/"' in html


def test_top_sort(client):
    _experience("A story with few votes here", score=1)
    _experience("A story with many votes here", score=8, days_ago=30)
    assert _titles(client.get("/posts/?sort=top"))[0] == "A story with many votes here"


def test_tag_filter(client):
    _experience("A story about switching careers", tags=["career-switch"])
    _experience("A story about deployment work", tags=["deployment"])
    response = client.get("/posts/?tag=deployment&sort=top")
    assert _titles(response) == ["A story about deployment work"]
    html = response.content.decode()
    assert "Experience posts about deployment" in html
    assert 'href="/posts/?tag=deployment&amp;sort=newest"' in html


def test_tag_filter_synonym_redirects_and_unknown_is_404(client):
    TagSynonym.objects.create(source="ml-engineer", target=get_or_create_tags(["mle"])[0])
    response = client.get("/posts/?tag=ml-engineer&sort=top")
    assert response.status_code == 301
    assert response["Location"] == "/posts/?tag=mle&sort=top"
    assert client.get("/posts/?tag=nope").status_code == 404


def test_bad_page_is_handled(client):
    _experience("A single story for paging")
    assert client.get("/posts/?page=banana").status_code == 200


def test_query_count_is_constant(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    for number in range(3):
        _experience(f"Budget story {number}", tags=["career-switch", "skills"])
    client.get("/posts/?tag=skills")
    with django_assert_max_num_queries(6) as few:
        client.get("/posts/?tag=skills")
    for number in range(30):
        _experience(f"More budget story {number}", tags=["career-switch", "skills"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/posts/?tag=skills")
    assert len(response.context["page"].object_list) == 20


@pytest.mark.django_db
def test_post_list_links_to_writing_an_experience_post(client):
    html = client.get("/posts/").content.decode()
    assert 'href="/posts/new/">Share your story</a>' in html
