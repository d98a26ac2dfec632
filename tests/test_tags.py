"""Tags: the index with counts, filter and sorts; tag pages; staff-edited descriptions."""

import pytest
from taggit.models import Tag

from kb.models import TagInfo, TagSynonym
from kb.tags import get_or_create_tags
from tests.factories import make_experience, make_question

pytestmark = pytest.mark.django_db


def _tagged(post, *names):
    post.tags.set(get_or_create_tags(names))
    return post


# -- the tag index --------------------------------------------------------------------


def test_tag_list_shows_tags_of_visible_posts_with_counts(client):
    _tagged(make_question(), "skills", "c++")
    _tagged(make_question(), "skills")
    _tagged(make_experience(), "skills")
    _tagged(make_question(is_deleted=True), "spam-only")
    response = client.get("/tags/")
    assert response.status_code == 200
    counts = {tag.name: tag.n for tag in response.context["page"].object_list}
    assert counts == {"skills": 3, "c++": 1}
    html = response.content.decode()
    assert 'href="/tags/skills/">skills</a> <span class="tag-count">3 posts</span>' in html
    assert "spam-only" not in html
    assert "<title>Tags · CareerKB</title>" in html


def test_tag_list_sorts_by_popularity_or_name(client):
    _tagged(make_question(), "zeta", "alpha")
    _tagged(make_question(), "zeta")
    popular = [tag.name for tag in client.get("/tags/").context["page"].object_list]
    by_name = [tag.name for tag in client.get("/tags/?sort=name").context["page"].object_list]
    assert popular == ["zeta", "alpha"]
    assert by_name == ["alpha", "zeta"]


def test_tag_list_filter_box_works_without_javascript(client):
    _tagged(make_question(), "interviews", "skills", "internships")
    response = client.get("/tags/?q=INTER")
    names = [tag.name for tag in response.context["page"].object_list]
    assert sorted(names) == ["internships", "interviews"]
    html = response.content.decode()
    assert 'name="q" value="inter"' in html
    assert "match “inter”" in html


def test_tag_list_filter_without_match_says_so(client):
    _tagged(make_question(), "skills")
    html = client.get("/tags/?q=nothing").content.decode()
    assert "No tag matches “nothing”" in html


def test_tag_list_description_and_pages(client):
    tags = get_or_create_tags([f"tag-{number:02d}" for number in range(65)])
    question = make_question()
    question.tags.set(tags[:5])
    for start in range(5, 65, 5):
        make_question().tags.set(tags[start : start + 5])
    TagInfo.objects.create(tag=tags[0], description="All about the first tag.")
    first = client.get("/tags/?sort=name")
    assert len(first.context["page"].object_list) == 60
    assert "All about the first tag." in first.content.decode()
    assert len(client.get("/tags/?sort=name&page=2").context["page"].object_list) == 5
    assert client.get("/tags/?page=xyz").status_code == 200


def test_tag_list_query_count_is_constant(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    _tagged(make_question(), "one")
    client.get("/tags/")
    with django_assert_max_num_queries(3) as few:
        client.get("/tags/")
    for number in range(40):
        _tagged(make_question(), f"many-{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/tags/")


# -- one tag ----------------------------------------------------------------------------


def test_tag_page_shows_description_counts_questions_and_posts(client):
    question = _tagged(make_question(title="How do I learn modern C++ for robotics?"), "c++")
    _tagged(make_experience(title="My road from Fortran to modern C++"), "c++")
    _tagged(make_question(title="A deleted C++ question here", is_deleted=True), "c++")
    tag = question.tags.get()
    TagInfo.objects.create(tag=tag, description="Modern C++ for robotics & vision.")
    response = client.get("/tags/cpp/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Modern C++ for robotics &amp; vision." in html
    assert "1 question · 1 experience post" in html
    assert "How do I learn modern C++ for robotics?" in html
    assert "My road from Fortran to modern C++" in html
    assert "A deleted C++ question" not in html
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/tags/cpp/"' in html
    assert "<title>c++: questions and experience posts · CareerKB</title>" in html
    assert '<meta name="description" content="Modern C++ for robotics &amp; vision.">' in html


def test_tag_page_has_a_search_within_this_tag_box(client):
    _tagged(make_question(), "skills")
    html = client.get("/tags/skills/").content.decode()
    assert 'action="/search/"' in html
    assert 'name="q" value="[skills] "' in html


def test_tag_page_of_a_synonym_redirects(client):
    TagSynonym.objects.create(source="faang", target=get_or_create_tags(["big-tech"])[0])
    response = client.get("/tags/faang/")
    assert response.status_code == 301
    assert response["Location"] == "/tags/big-tech/"


def test_unknown_tag_page_is_a_friendly_404(client):
    response = client.get("/tags/nope/")
    assert response.status_code == 404
    assert "There is no tag “nope” yet" in response.content.decode()


def test_tag_page_query_count_is_constant(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    _tagged(make_question(), "skills")
    client.get("/tags/skills/")
    with django_assert_max_num_queries(6) as few:  # +1: the follower count
        client.get("/tags/skills/")
    for _ in range(20):
        _tagged(make_question(), "skills", "interviews")
        _tagged(make_experience(), "skills")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/tags/skills/")


# -- editing the description (staff) ------------------------------------------------------


@pytest.fixture
def skills(db):
    return _tagged(make_question(), "skills").tags.get()


def test_staff_sees_the_edit_form_others_do_not(client, staff, bob, skills):
    assert "Edit the description" not in client.get("/tags/skills/").content.decode()
    client.force_login(bob)
    assert "Edit the description" not in client.get("/tags/skills/").content.decode()
    client.force_login(staff)
    html = client.get("/tags/skills/").content.decode()
    assert "Edit the description" in html
    assert 'action="/tags/skills/edit/"' in html


def test_staff_saves_a_description(staff_client, staff, skills):
    response = staff_client.post("/tags/skills/edit/", {"description": "What employers test."})
    assert response.status_code == 302
    assert response["Location"] == "/tags/skills/"
    info = TagInfo.objects.get(tag=skills)
    assert info.description == "What employers test."
    assert info.updated_by == staff
    page = staff_client.get("/tags/skills/").content.decode()
    assert "What employers test." in page
    assert "is saved" in page


def test_staff_edits_an_existing_description(staff_client, skills):
    TagInfo.objects.create(tag=skills, description="Old text")
    staff_client.post("/tags/skills/edit/", {"description": "New text"})
    assert TagInfo.objects.get(tag=skills).description == "New text"


def test_too_long_description_rerenders_with_400(staff_client, skills):
    response = staff_client.post("/tags/skills/edit/", {"description": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert not TagInfo.objects.exists()


def test_anonymous_edit_redirects_to_log_in(client, skills):
    response = client.post("/tags/skills/edit/", {"description": "Hacked"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not TagInfo.objects.exists()


def test_member_edit_is_forbidden(bob_client, skills):
    response = bob_client.post("/tags/skills/edit/", {"description": "Hacked"})
    assert response.status_code == 403
    assert not TagInfo.objects.exists()


def test_get_on_edit_is_405(staff_client, skills):
    assert staff_client.get("/tags/skills/edit/").status_code == 405


def test_edit_of_unknown_tag_is_404(staff_client):
    assert staff_client.post("/tags/nope/edit/", {"description": "x"}).status_code == 404


def test_tag_list_loads_the_in_place_filter_script(client):
    _tagged(make_question(), "skills")
    html = client.get("/tags/").content.decode()
    assert '<script src="/static/js/tag_filter.js" defer></script>' in html
    assert 'data-tag-name="skills"' in html
    assert "data-tag-filter" in html


def test_hostile_tag_names_and_titles_are_escaped_everywhere(client):
    evil = Tag.objects.create(name='<script>alert(1)</script>"onmouseover="x', slug="evil")
    question = make_question(title="<img src=x onerror=alert(1)> Is this title escaped?")
    question.tags.set([evil])
    TagInfo.objects.create(tag=evil, description="<script>alert(2)</script>")
    for url in ["/", "/questions/", "/questions/tagged/evil/", "/tags/", "/tags/evil/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert '"onmouseover="' not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_tag_list_pages_keep_the_filter_encoded(client):
    tags = get_or_create_tags([f"c++{number}" for number in range(61)])
    for start in range(0, 61, 5):
        make_question().tags.set(tags[start : start + 5])
    html = client.get("/tags/?q=c%2B%2B").content.decode()
    assert 'href="?q=c%2B%2B&amp;sort=popular&amp;page=2"' in html


def test_tag_page_url_is_lower_case(client):
    _tagged(make_question(), "skills")
    response = client.get("/tags/Skills/")
    assert response.status_code == 301
    assert response["Location"] == "/tags/skills/"
