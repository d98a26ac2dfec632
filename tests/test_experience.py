"""Experience posts: writing one, its page, votes and comments like answers."""

import pytest
from django.urls import reverse

from kb.models import Post, Vote
from tests.factories import make_comment, make_experience, make_question, make_user

pytestmark = pytest.mark.django_db

STORY = "I spent eighteen months moving from mechanical design into perception work. " * 2


def _create(client, **data):
    fields = {"title": "From mechanical engineering to perception", "body": STORY, "tags": "cv"}
    fields.update(data)
    return client.post(reverse("kb:post-create"), fields)


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("kb:post-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_form_page_has_fields_and_preview(alice_client):
    html = alice_client.get(reverse("kb:post-create")).content.decode()
    assert 'name="title"' in html
    assert 'name="body"' in html
    assert 'name="tags"' in html
    assert 'name="preview"' in html


def test_create_redirects_to_the_post_page(alice, alice_client):
    response = _create(alice_client, tags="computer-vision, career-switch")
    post = Post.objects.get()
    assert post.kind == Post.Kind.EXPERIENCE
    assert post.author == alice
    assert response.status_code == 302
    assert response["Location"] == reverse("kb:post-detail", args=[post.pk, post.slug])
    assert post.tag_names() == ["career-switch", "computer-vision"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Too short"}, "Write at least 15 characters"),
        ({"body": "Short story."}, "Write at least 30 characters"),
        ({"tags": ""}, "Add at least one tag"),
        ({"tags": "a b c d e f"}, "5"),
        ({"tags": "bad<tag>"}, "tag"),
    ],
)
def test_invalid_input_is_400_with_message_and_keeps_input(alice_client, data, message):
    response = _create(alice_client, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert STORY.strip()[:40] in html or "Short story." in html
    assert not Post.objects.exists()


def test_preview_renders_without_saving(alice_client):
    response = _create(alice_client, body="## What worked\n\n" + STORY, preview="1")
    assert response.status_code == 200
    assert "<h2>What worked</h2>" in response.content.decode()
    assert not Post.objects.exists()


def test_page_shows_post_tags_author_and_comments(client, alice):
    post = make_experience(author=alice, tags=["career-switch"])
    make_comment(post, body="Thanks for writing up the *timeline*.")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert post.title in html
    assert "career-switch" in html
    assert "Alice Author" in html
    assert "<em>timeline</em>" in html
    assert Post.objects.get(pk=post.pk).view_count == 1


def test_wrong_or_missing_slug_redirects_permanently(client):
    post = make_experience()
    for url in (f"/posts/{post.pk}/", f"/posts/{post.pk}/wrong-slug/"):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == post.get_absolute_url()


def test_deleted_post_is_404_except_for_staff(client, staff, alice):
    post = make_experience(author=alice)
    post.soft_delete(by=alice)
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(staff)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "This post is deleted" in response.content.decode()


def test_question_is_not_served_at_post_url(client):
    question = make_question()
    assert client.get(f"/posts/{question.pk}/{question.slug}/").status_code == 404


def test_vote_on_experience_gives_ten_reputation(bob_client, alice):
    post = make_experience(author=alice)
    response = bob_client.post(reverse("kb:post-vote", args=[post.pk]))
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    alice.refresh_from_db()
    post.refresh_from_db()
    assert (post.score, alice.reputation, Vote.objects.count()) == (1, 10, 1)


def test_comment_on_experience(bob_client, alice):
    post = make_experience(author=alice)
    response = bob_client.post(
        reverse("kb:comment-create", args=[post.pk]), {"body": "Which course helped the most?"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.comment_count == 1


def test_sidebar_links_questions_sharing_tags(client):
    post = make_experience(tags=["career-switch"])
    question = make_question(
        title="Switching into CV at thirty, realistic?", tags=["career-switch"]
    )
    make_question(title="Unrelated question about salaries here", tags=["salary"])
    html = client.get(post.get_absolute_url()).content.decode()
    assert question.title in html
    assert "Unrelated question about salaries" not in html


def test_question_page_links_experience_posts_sharing_tags(client):
    question = make_question(tags=["career-switch"])
    post = make_experience(title="My switch from teaching to vision", tags=["career-switch"])
    make_experience(title="A story about something else entirely", tags=["salary"])
    html = client.get(question.get_absolute_url()).content.decode()
    assert post.title in html
    assert "something else entirely" not in html


def test_page_query_count_is_constant(client, django_assert_max_num_queries):
    post = make_experience(tags=["cv", "career-switch"])
    for _ in range(8):
        make_comment(post, author=make_user())
    client.force_login(make_user())
    with django_assert_max_num_queries(12):
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200


def test_meta_description_is_escaped_once(client):
    post = make_experience(body="Salary went from 50k & up; **bold** move, and x < y " * 2)
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'content="Salary went from 50k &amp; up; bold move, and x &lt; y' in html
    assert "&amp;amp;" not in html
    assert "&amp;lt;" not in html
