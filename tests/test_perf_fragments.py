"""Members' pages stay fast without going stale: the excerpt is stored on save, and the lists,
the question's thread and its sidebar are cached under the content version (kb/cache.py)."""

import re
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.cache import bump_content_version
from kb.excerpts import EXCERPT_SOURCE_CHARS, plain_excerpt
from kb.models import Post
from tests.factories import make_answer, make_question
from tests.importers.helpers import CONLANG, CONLANG_SITE

pytestmark = pytest.mark.django_db

MARKDOWN_BODY = (
    "## A heading that lists leave out\n\nI have an offer from a **startup** & one from "
    "Big Tech; which one teaches more? " + "Context words keep coming. " * 60
)
IMPORTED_HTML_BODY = (
    "<p>Imported from Stack Exchange: <em>which</em> skills &amp; tools?</p>"
    "<pre><code>print('code is skipped')</code></pre><ul><li>first</li><li>second</li></ul>"
    + "<p>More text here.</p>"
    * 80
)


def _computed_per_request(post: Post) -> str:
    """What the list pages computed on every request before the excerpt was stored."""
    return plain_excerpt(post.body_html[:EXCERPT_SOURCE_CHARS])


def test_stored_excerpt_equals_the_one_computed_per_request_for_markdown():
    question = make_question(body=MARKDOWN_BODY)
    question.refresh_from_db()
    assert question.excerpt == _computed_per_request(question)
    assert question.excerpt.startswith("I have an offer from a startup & one from Big Tech")


def test_stored_excerpt_equals_the_one_computed_per_request_for_html(alice):
    post = Post.objects.create(
        kind=Post.Kind.QUESTION,
        title="Imported",
        body=IMPORTED_HTML_BODY,
        body_format="html",
        author=alice,
    )
    post.refresh_from_db()
    assert post.excerpt == _computed_per_request(post)
    assert post.excerpt.startswith("Imported from Stack Exchange: which skills & tools? first")


def test_imported_posts_get_the_stored_excerpt():
    call_command(
        "import_stackexchange", str(CONLANG), "--site-name", CONLANG_SITE, stdout=StringIO()
    )
    imported = Post.objects.exclude(source="")
    assert imported.count() > 100
    for post in imported:
        assert post.excerpt == _computed_per_request(post), post.source_id
    assert imported.exclude(excerpt="").count() == imported.count()


def test_an_edit_stores_the_new_excerpt(alice):
    question = make_question(alice, body=MARKDOWN_BODY)
    question.edit(alice, body="Now the body says something else entirely, and **briefly**.")
    question.refresh_from_db()
    assert question.excerpt == "Now the body says something else entirely, and briefly."
    assert question.excerpt == _computed_per_request(question)


def test_the_migration_fills_excerpts_of_existing_posts():
    markdown = make_question(body=MARKDOWN_BODY)
    imported = make_question(body=IMPORTED_HTML_BODY)
    Post.objects.filter(pk=imported.pk).update(
        body=IMPORTED_HTML_BODY, body_format="html", body_html=IMPORTED_HTML_BODY
    )
    Post.objects.update(excerpt="")
    migration = import_module("kb.migrations.0010_perf_post_excerpt")
    migration.fill_excerpts(apps, None)
    for post in (markdown, imported):
        post.refresh_from_db()
        assert post.excerpt
        assert post.excerpt == _computed_per_request(post)


def test_list_pages_show_the_stored_excerpt(client):
    question = make_question(body=MARKDOWN_BODY, tags=["startups"])
    for url in ("/", "/questions/", "/tags/startups/"):
        html = client.get(url).content.decode()
        assert question.excerpt[:60].replace("&", "&amp;") in html, url


@pytest.mark.parametrize(
    "url", ["/", "/questions/", "/questions/?sort=top", "/tags/startups/", "question"]
)
def test_a_logged_in_page_shows_a_new_question_vote_and_answer_at_once(bob_client, alice, url):
    question = make_question(alice, title="First question about startups", tags=["startups"])
    page = question.get_absolute_url() if url == "question" else url
    bob_client.get(page)  # fills the cached fragments

    bob_client.post(reverse("kb:post-vote", args=[question.pk]))
    answer_url = reverse("kb:answer-create", args=[question.pk])
    bob_client.post(answer_url, {"body": "Join the startup: you will own more, sooner."})
    make_question(alice, title="A second question, asked just now", tags=["startups"])

    html = bob_client.get(page).content.decode()
    if url == "question":
        assert "Join the startup: you will own more, sooner." in html
        assert 'aria-pressed="true"' in html  # Bob's vote shows as his
    else:
        assert "A second question, asked just now" in html
        assert "<strong>1</strong> vote" in html
        assert "<strong>1</strong> answer" in html


@pytest.mark.parametrize("url", ["/", "/questions/", "/tags/startups/", "question"])
def test_a_cached_logged_in_page_runs_fewer_queries_and_shows_the_same(alice_client, url):
    question = make_question(title="A question the cache must keep", tags=["startups"])
    make_answer(question, body="An answer that must show from the cache too.")
    page = question.get_absolute_url() if url == "question" else url
    alice_client.get(page)  # renders and caches the fragments
    with CaptureQueriesContext(connection) as cached:
        from_cache = alice_client.get(page).content.decode()
    bump_content_version()
    with CaptureQueriesContext(connection) as fresh:
        rendered = alice_client.get(page).content.decode()
    assert len(cached) < len(fresh)
    for html in (from_cache, rendered):
        assert "A question the cache must keep" in html
        if url == "question":
            assert "An answer that must show from the cache too." in html


def _csrf_secrets_in(html: str) -> set[str]:
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return {_unmask_cipher_token(token) for token in tokens}


def test_the_thread_is_cached_per_visitor_never_shared(alice, bob):
    question = make_question(alice)
    answer = make_answer(question, bob, body="Bob's answer, which only Bob may edit or delete.")
    pages = {}
    for user in (bob, alice):
        visitor = Client()
        visitor.force_login(user)
        html = visitor.get(question.get_absolute_url()).content.decode()
        # Every form on the page carries this visitor's own CSRF secret.
        assert _csrf_secrets_in(html) == {visitor.cookies["csrftoken"].value}
        pages[user.username] = html
    answer_edit = reverse("kb:post-edit", args=[answer.pk])
    question_edit = reverse("kb:post-edit", args=[question.pk])
    assert answer_edit in pages["bob"]
    assert question_edit not in pages["bob"]
    assert question_edit in pages["alice"]
    assert answer_edit not in pages["alice"]


def test_a_member_without_a_csrf_cookie_gets_one_with_a_cached_thread(client, bob):
    question = make_question()
    client.force_login(bob)
    client.get(question.get_absolute_url())
    del client.cookies["csrftoken"]
    response = client.get(question.get_absolute_url())
    assert "csrftoken" in response.cookies


def _logged_in(user) -> Client:
    member = Client()
    member.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return member


@pytest.mark.django_db
def test_a_members_own_lists_are_never_served_from_another_members_cache(alice, bob):
    from kb.inbox_models import Bookmark

    kept = make_question(title="A question only Alice bookmarked, about robotics")
    Bookmark.objects.create(user=alice, question=kept)
    url = reverse("kb:question-list") + "?show=bookmarks"
    assert kept.title in _logged_in(alice).get(url).content.decode()
    for_bob = _logged_in(bob).get(url).content.decode()
    assert kept.title not in for_bob
    assert "No bookmarks here yet" in for_bob


@pytest.mark.django_db
def test_the_question_list_shows_member_tabs_to_members_only(alice):
    url = reverse("kb:question-list")
    make_question()
    assert 'aria-label="Your questions"' in _logged_in(alice).get(url).content.decode()
    assert 'aria-label="Your questions"' not in Client().get(url).content.decode()
