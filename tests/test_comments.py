"""Comments: 15-600 characters, inline Markdown, on every kind of post; soft delete."""

import pytest
from django.urls import reverse

from kb.models import Comment, Post
from tests.factories import make_answer, make_comment, make_experience, make_question

pytestmark = pytest.mark.django_db

GOOD = "Which city were you in when you applied?"


def _create_url(post):
    return reverse("kb:comment-create", args=[post.pk])


def _delete_url(comment):
    return reverse("kb:comment-delete", args=[comment.pk])


def _comment_count(post):
    return Post.objects.values_list("comment_count", flat=True).get(pk=post.pk)


@pytest.mark.parametrize(
    "make_post",
    [make_question, lambda: make_answer(make_question()), make_experience],
    ids=["question", "answer", "experience"],
)
def test_comment_on_each_kind_of_post(bob_client, bob, make_post):
    post = make_post()
    response = bob_client.post(_create_url(post), {"body": GOOD + " *Really* curious."})
    assert response.status_code == 302
    comment = Comment.objects.get(post=post)
    assert comment.author == bob
    assert "<em>Really</em>" in comment.body_html
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert _comment_count(post) == 1


def test_comment_shows_on_the_question_page(bob_client):
    question = make_question()
    bob_client.post(_create_url(question), {"body": GOOD})
    assert GOOD in bob_client.get(question.get_absolute_url()).content.decode()


def test_comment_markdown_is_inline_only(bob_client):
    question = make_question()
    bob_client.post(_create_url(question), {"body": "# Heading\n\nsecond paragraph text here"})
    html = Comment.objects.get().body_html
    assert "<h1" not in html
    assert "<p>" not in html


@pytest.mark.parametrize(
    ("body", "message"),
    [("too short", "at least 15"), ("x" * 601, "Keep it to 600"), ("", "Write a comment")],
)
def test_invalid_comment_is_refused_with_a_message(bob_client, body, message):
    question = make_question()
    response = bob_client.post(_create_url(question), {"body": body}, follow=True)
    assert message in response.content.decode()
    assert not Comment.objects.exists()
    assert _comment_count(question) == 0


def test_invalid_comment_as_json_is_400(bob_client):
    response = bob_client.post(
        _create_url(make_question()), {"body": "short"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "at least 15" in response.json()["error"]


def test_comment_length_limits_are_inclusive(bob_client):
    question = make_question()
    bob_client.post(_create_url(question), {"body": "x" * 15})
    bob_client.post(_create_url(question), {"body": "y" * 600})
    assert Comment.objects.count() == 2


def test_anonymous_comment_goes_to_log_in(client):
    question = make_question()
    response = client.post(_create_url(question), {"body": GOOD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Comment.objects.exists()


def test_get_on_comment_urls_is_405(bob_client):
    comment = make_comment(make_question())
    assert bob_client.get(_create_url(comment.post)).status_code == 405
    assert bob_client.get(_delete_url(comment)).status_code == 405


def test_comment_on_deleted_post_is_404(bob_client):
    question = make_question(is_deleted=True)
    assert bob_client.post(_create_url(question), {"body": GOOD}).status_code == 404
    assert not Comment.objects.exists()


def _posted_comment(post, author):
    return post.add_comment(author, GOOD)


def test_author_deletes_own_comment_softly(client, alice):
    question = make_question()
    comment = _posted_comment(question, alice)
    client.force_login(alice)
    response = client.post(_delete_url(comment))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted
    assert _comment_count(question) == 0
    assert GOOD not in client.get(question.get_absolute_url()).content.decode()


def test_staff_deletes_any_comment(staff_client, alice):
    question = make_question()
    comment = _posted_comment(question, alice)
    assert staff_client.post(_delete_url(comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted


def test_other_user_cannot_delete_a_comment(bob_client, alice):
    question = make_question()
    comment = _posted_comment(question, alice)
    assert bob_client.post(_delete_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_deleted
    assert _comment_count(question) == 1


def test_anonymous_delete_goes_to_log_in(client, alice):
    comment = _posted_comment(make_question(), alice)
    response = client.post(_delete_url(comment))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    comment.refresh_from_db()
    assert not comment.is_deleted


def test_deleting_twice_decrements_the_count_once(client, alice):
    question = make_question()
    comment = _posted_comment(question, alice)
    _posted_comment(question, alice)
    client.force_login(alice)
    client.post(_delete_url(comment))
    assert client.post(_delete_url(comment)).status_code == 404
    assert _comment_count(question) == 1


def test_delete_button_only_for_author_and_staff(client, alice, bob, staff):
    question = make_question()
    comment = _posted_comment(question, alice)
    for user, expected in ((alice, True), (bob, False), (staff, True)):
        client.force_login(user)
        html = client.get(question.get_absolute_url()).content.decode()
        assert (_delete_url(comment) in html) is expected


def test_comment_as_json_returns_rendered_html_and_author(bob_client, bob):
    question = make_question()
    response = bob_client.post(
        _create_url(question),
        {"body": "Have you tried *stereo* first?"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["html"] == "Have you tried <em>stereo</em> first?"
    assert data["author"] == bob.name
    assert data["author_url"] == bob.get_absolute_url()
    assert Comment.objects.get(pk=data["id"]).post == question
    assert _comment_count(question) == 1
