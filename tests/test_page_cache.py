"""Whole-page cache of anonymous GETs: hits, what is never cached, and never stale after writes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse

from kb import cache as page_cache
from kb.models import Comment, Post, TagInfo, TagSynonym, Vote
from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_comment, make_question, make_user

pytestmark = pytest.mark.django_db
CACHED_URLS = ["/", "/questions/", "/questions/?sort=top", "/posts/", "/tags/", "/tags/skills/"]


@pytest.fixture
def question(db):
    question = make_question(title="The cached question about careers")
    question.tags.set(get_or_create_tags(["skills"]))
    return question


def _state(response):
    return response.get(page_cache.CACHE_HEADER)


@pytest.mark.parametrize("url", CACHED_URLS)
def test_second_anonymous_get_is_served_from_the_cache(client, question, url):
    first = client.get(url)
    second = client.get(url)
    assert (_state(first), _state(second)) == ("miss", "hit")
    assert second.content == first.content
    assert second.status_code == 200
    assert "Cookie" in second["Vary"]


def test_a_cache_hit_runs_no_query(client, question, django_assert_num_queries):
    client.get("/questions/")
    with django_assert_num_queries(0):
        assert _state(client.get("/questions/")) == "hit"


def test_query_string_is_part_of_the_key(client, question):
    client.get("/questions/")
    assert _state(client.get("/questions/?sort=top")) == "miss"


def test_logged_in_pages_are_never_cached(alice_client, question):
    first = alice_client.get("/questions/")
    second = alice_client.get("/questions/")
    assert _state(first) is None
    assert _state(second) is None
    assert "Alice Author" in second.content.decode()


def test_a_logged_in_render_never_leaks_to_anonymous_visitors(client, alice, question):
    client.force_login(alice)
    client.get("/")
    client.logout()
    html = client.get("/").content.decode()
    assert "Alice Author" not in html
    assert "Log in" in html


def test_pending_messages_bypass_the_cache(client, alice, password, question):
    client.get("/")
    assert _state(client.get("/")) == "hit"
    client.post("/accounts/login/", {"username": "alice", "password": password})
    client.post("/accounts/logout/")  # leaves "You are logged out" for the next page
    page = client.get("/")
    assert _state(page) is None
    assert "You are logged out" in page.content.decode()
    assert "You are logged out" not in client.get("/").content.decode()


def test_404_and_redirects_are_not_cached(client, question):
    client.get("/questions/tagged/nope/")
    assert _state(client.get("/questions/tagged/nope/")) is None
    TagSynonym.objects.create(source="faang", target=get_or_create_tags(["big-tech"])[0])
    assert client.get("/questions/tagged/faang/").status_code == 301
    assert _state(client.get("/questions/tagged/faang/")) is None


def test_responses_setting_cookies_are_not_cached(rf, settings):
    settings.PAGE_CACHE_SECONDS = 60

    @page_cache.cache_anonymous_page
    def view(request):
        response = HttpResponse("with a cookie")
        response.set_cookie("tracking", "1")
        return response

    request = rf.get("/cookie/")
    request.user = AnonymousUser()
    assert _state(view(request)) is None
    assert _state(view(request)) is None


def test_cache_can_be_switched_off(client, settings, question):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert _state(client.get("/")) is None


# -- never stale ------------------------------------------------------------------------------


def _cached_then(client, url, write):
    """Cache ``url``, run ``write``, and return the next anonymous response."""
    client.get(url)
    assert _state(client.get(url)) == "hit"
    write()
    response = client.get(url)
    assert _state(response) == "miss", "a write must make the cached page unreachable"
    return response.content.decode()


def test_a_new_question_shows_at_once(client, question):
    html = _cached_then(
        client, "/questions/", lambda: make_question(title="A brand new question right now")
    )
    assert "A brand new question right now" in html


def test_an_edit_shows_at_once(client, question):
    def edit():
        question.edit(
            question.author, title="The edited title of the cached question", body=question.body
        )

    assert "The edited title of the cached question" in _cached_then(client, "/", edit)


def test_a_vote_shows_at_once(client, question):
    def vote():
        Vote.objects.create(post=question, user=make_user())
        Post.objects.filter(pk=question.pk).update(score=F("score") + 1)

    assert "<strong>1</strong> vote" in _cached_then(client, "/questions/", vote)


def test_an_answer_and_a_comment_show_at_once(client, question):
    html = _cached_then(client, "/questions/", lambda: make_answer(question))
    assert "<strong>1</strong> answer" in html
    _cached_then(client, "/questions/", lambda: make_comment(question))
    assert Comment.objects.count() == 1


def test_a_deletion_shows_at_once(client, question):
    assert "The cached question" not in _cached_then(client, "/questions/", question.delete)


def test_retagging_shows_at_once(client, question):
    def retag():
        question.tags.set(get_or_create_tags(["interviews"]))

    html = _cached_then(client, "/tags/", retag)
    assert "interviews" in html


def test_a_tag_description_shows_at_once(client, question):
    tag = question.tags.get()
    html = _cached_then(
        client,
        "/tags/skills/",
        lambda: TagInfo.objects.create(tag=tag, description="Fresh description here"),
    )
    assert "Fresh description here" in html


def test_a_bulk_update_needs_and_gets_an_explicit_bump(client, question):
    def soft_delete():
        Post.objects.filter(pk=question.pk).update(is_deleted=True)
        page_cache.bump_content_version()

    assert "The cached question" not in _cached_then(client, "/questions/", soft_delete)


def test_a_profile_change_shows_at_once(client, question):
    def rename():
        question.author.display_name = "Renamed Person"
        question.author.save()

    assert "Renamed Person" in _cached_then(client, "/questions/", rename)


def test_a_log_in_does_not_empty_the_cache(client, alice, password, question):
    client.get("/")
    other = type(client)()
    other.post("/accounts/login/", {"username": "alice", "password": password})
    assert _state(client.get("/")) == "hit"


def test_bump_happens_again_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        before = page_cache.content_version()
        page_cache.bump_content_version()
        during = page_cache.content_version()
    assert len(callbacks) == 1
    assert before < during < page_cache.content_version()


def test_a_lost_version_key_never_repeats_an_old_version():
    first = page_cache.content_version()
    page_cache.bump_content_version()
    cache.delete(page_cache.CONTENT_VERSION_KEY)
    assert page_cache.content_version() > first + 1
    cache.delete(page_cache.CONTENT_VERSION_KEY)
    page_cache.bump_content_version()  # incr on a missing key starts afresh
    assert page_cache.content_version() > first


def test_logged_in_pages_reuse_the_cached_aggregates(
    alice_client, question, django_assert_max_num_queries
):
    alice_client.get("/")
    with django_assert_max_num_queries(6) as warm:
        alice_client.get("/")
    assert not any("COUNT" in query["sql"] for query in warm.captured_queries)


def test_cached_aggregates_follow_writes(alice_client, question):
    assert alice_client.get("/").context["counts"]["question"] == 1
    make_question()
    assert alice_client.get("/").context["counts"]["question"] == 2
    tag_names = [tag.name for tag in alice_client.get("/").context["popular_tags"]]
    assert tag_names == ["skills"]
    make_question().tags.set(get_or_create_tags(["interviews"]))
    tag_names = [tag.name for tag in alice_client.get("/").context["popular_tags"]]
    assert tag_names == ["interviews", "skills"]


def test_pages_with_a_csrf_token_or_a_changed_session_are_not_cached(rf, settings):
    from django.middleware.csrf import get_token

    settings.PAGE_CACHE_SECONDS = 60

    @page_cache.cache_anonymous_page
    def form_page(request):
        return HttpResponse(f"<form>{get_token(request)}</form>")

    @page_cache.cache_anonymous_page
    def session_page(request):
        request.session["seen"] = True
        return HttpResponse("remembered")

    for view in (form_page, session_page):
        request = rf.get(f"/{view.__name__}/")
        request.user = AnonymousUser()
        request.session = SessionStore()
        assert _state(view(request)) is None
        assert _state(view(request)) is None
