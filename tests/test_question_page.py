"""The question page: canonical URL, answers in order, comments, votes state, query budget."""

import pytest
from django.urls import reverse

from kb.models import Post, Vote
from tests.factories import make_answer, make_comment, make_experience, make_question, make_user

pytestmark = pytest.mark.django_db


def test_question_page_shows_title_body_tags_author_and_answers(client, alice):
    question = make_question(alice, body="I want **perception** work.", tags=["skills"])
    make_answer(question, body="Build a small robot and write up what you measured.")
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert question.title in html
    assert "<strong>perception</strong>" in html
    assert 'rel="tag">skills</a>' in html
    assert "Alice Author" in html
    assert "Build a small robot" in html
    assert "1 answer" in html


def test_missing_slug_redirects_permanently_to_canonical_url(client):
    question = make_question()
    response = client.get(f"/questions/{question.pk}/")
    assert response.status_code == 301
    assert response["Location"] == question.get_absolute_url()


def test_wrong_slug_redirects_permanently_to_canonical_url(client):
    question = make_question()
    response = client.get(f"/questions/{question.pk}/not-the-title/")
    assert response.status_code == 301
    assert response["Location"] == question.get_absolute_url()


def test_unknown_question_is_404(client, db):
    assert client.get("/questions/999999/anything/").status_code == 404


def test_an_answer_id_is_not_a_question_page(client):
    answer = make_answer(make_question())
    assert client.get(f"/questions/{answer.pk}/x/").status_code == 404


def test_each_view_increments_the_view_count(client, alice):
    question = make_question()
    client.force_login(alice)
    client.get(question.get_absolute_url())
    response = client.get(question.get_absolute_url())
    question.refresh_from_db()
    assert question.view_count == 2
    assert "Viewed 2 times" in response.content.decode()


def test_answers_are_ordered_accepted_first_then_score_then_oldest(client):
    question = make_question()
    oldest_low = make_answer(question, body="Oldest answer with the lowest score here.", score=1)
    top = make_answer(question, body="Top answer with the highest score of them all.", score=9)
    newer_low = make_answer(question, body="Newer answer with the same lowest score.", score=1)
    accepted = make_answer(question, body="Accepted answer with no votes at all yet.", score=0)
    Post.objects.filter(pk=question.pk).update(accepted_answer=accepted)
    html = client.get(question.get_absolute_url()).content.decode()
    positions = [html.index(f'id="answer-{a.pk}"') for a in (accepted, top, oldest_low, newer_low)]
    assert positions == sorted(positions)
    assert f'class="post answer is-accepted" id="answer-{accepted.pk}"' in html
    assert html.count("is-accepted") == 1


def test_deleted_answers_are_not_shown(client):
    question = make_question()
    make_answer(question, body="This answer was removed for being spam, sorry.", is_deleted=True)
    assert "removed for being spam" not in client.get(question.get_absolute_url()).content.decode()


def test_deleted_question_is_404_for_everyone_but_staff(client, alice, staff):
    question = make_question(alice, is_deleted=True)
    assert client.get(question.get_absolute_url()).status_code == 404
    client.force_login(alice)
    assert client.get(question.get_absolute_url()).status_code == 404
    client.force_login(staff)
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    assert "deleted-banner" in response.content.decode()


def test_comments_show_under_question_and_answer_but_not_deleted_ones(client):
    question = make_question()
    answer = make_answer(question)
    make_comment(question, body="A comment on the *question* itself.")
    make_comment(answer, body="A comment on the answer, quite useful.")
    gone = make_comment(answer, body="A deleted comment nobody should see.")
    gone.soft_delete()
    html = client.get(question.get_absolute_url()).content.decode()
    assert "A comment on the <em>question</em> itself." in html
    assert "A comment on the answer" in html
    assert "nobody should see" not in html


def test_anonymous_sees_log_in_links_instead_of_forms(client):
    question = make_question()
    make_answer(question)
    html = client.get(question.get_absolute_url()).content.decode()
    assert "Log in to answer" in html
    assert "/accounts/login/?next=" in html
    assert "js-vote" not in html
    assert "Add a comment" not in html
    assert "Accept this answer" not in html


def test_logged_in_reader_sees_vote_state_and_answer_form(client, alice, bob):
    question = make_question(alice)
    answer = make_answer(question, author=alice)
    Vote.objects.create(post=answer, user=bob)
    client.force_login(bob)
    html = client.get(question.get_absolute_url()).content.decode()
    assert html.count('aria-pressed="true"') == 1
    assert html.count('aria-pressed="false"') == 2  # the question's up, the answer's down
    assert 'name="body"' in html
    assert "Post your answer" in html
    assert "Accept this answer" not in html  # bob did not ask


def test_asker_and_staff_see_accept_buttons(client, alice, staff):
    question = make_question(alice)
    make_answer(question)
    for user in (alice, staff):
        client.force_login(user)
        assert "Accept this answer" in client.get(question.get_absolute_url()).content.decode()


def test_edited_question_links_its_revisions(client):
    from django.utils import timezone

    question = make_question(edited_at=timezone.now())
    html = client.get(question.get_absolute_url()).content.decode()
    assert f'href="/posts/{question.pk}/revisions/"' in html


def test_sidebar_lists_experience_posts_sharing_a_tag(client):
    question = make_question(tags=["career-switch"])
    shared = make_experience(title="From mechanical engineering to vision", tags=["career-switch"])
    other = make_experience(title="Unrelated story about gardening", tags=["gardening"])
    html = client.get(question.get_absolute_url()).content.decode()
    assert shared.title in html
    assert other.title not in html


def _thread(n_answers: int) -> Post:
    question = make_question(tags=["skills", "cpp"])
    make_comment(question)
    for _ in range(n_answers):
        answer = make_answer(question, author=make_user())
        make_comment(answer)
        make_comment(answer)
    return question


@pytest.mark.parametrize("n_answers", [2, 20])
def test_question_page_query_count_is_constant(
    client, bob, n_answers, django_assert_max_num_queries
):
    question = _thread(n_answers)
    make_experience(tags=["skills"])
    client.force_login(bob)
    with django_assert_max_num_queries(13):  # +1: follow, bookmark and bell state
        response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="comment-body"') == 1 + 2 * n_answers


# -- answering ---------------------------------------------------------------------------

ANSWER = "I did the PhD and then moved to a product team; here is what I learned."


def _answer_url(question):
    return reverse("kb:answer-create", args=[question.pk])


def test_posting_an_answer_saves_it_and_bumps_the_question_counters(bob_client, bob):
    question = make_question()
    before = question.last_activity_at
    response = bob_client.post(_answer_url(question), {"body": ANSWER})
    answer = Post.objects.answers().get()
    assert response.status_code == 302
    assert response["Location"] == f"{question.get_absolute_url()}#answer-{answer.pk}"
    assert answer.author == bob
    assert answer.parent == question
    question.refresh_from_db()
    assert question.answer_count == 1
    assert question.last_activity_at > before
    assert (
        ANSWER.replace("'", "&#x27;")
        in bob_client.get(question.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write the text"), ("Too short.", "at least 30"), ("x" * 30_001, "Keep it to 30,000")],
)
def test_invalid_answer_re_renders_the_page_with_error_and_text(bob_client, body, message):
    question = make_question()
    response = bob_client.post(_answer_url(question), {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert question.title in html
    assert message in html.split('id="field-body"')[1]
    assert body[:100] in html
    assert not Post.objects.answers().exists()
    question.refresh_from_db()
    assert question.answer_count == 0


def test_anonymous_answer_goes_to_log_in(client):
    question = make_question()
    response = client.post(_answer_url(question), {"body": ANSWER})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Post.objects.answers().exists()


def test_get_on_answer_url_is_405(bob_client):
    assert bob_client.get(_answer_url(make_question())).status_code == 405


def test_no_answers_to_a_deleted_question(bob_client, staff_client):
    question = make_question(is_deleted=True)
    assert bob_client.post(_answer_url(question), {"body": ANSWER}).status_code == 404
    assert not Post.objects.answers().exists()


def test_answer_body_is_sanitised(bob_client):
    question = make_question()
    bob_client.post(_answer_url(question), {"body": ANSWER + " <script>alert(1)</script>"})
    html = bob_client.get(question.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html


def test_anonymous_question_page_is_cached_until_a_write(client, bob):
    question = make_question()
    assert client.get(question.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(question.get_absolute_url())["X-Page-Cache"] == "hit"
    question.add_comment(bob, "A fresh comment that must show at once.")
    response = client.get(question.get_absolute_url())
    assert "A fresh comment that must show at once." in response.content.decode()


def test_search_trouble_never_breaks_the_question_page(client, monkeypatch):
    from kb import search

    def broken(post, n=5):
        raise RuntimeError("index is gone")

    monkeypatch.setattr(search, "related_questions", broken, raising=False)
    question = make_question()
    assert client.get(question.get_absolute_url()).status_code == 200


def test_meta_description_is_escaped_once(client):
    question = make_question(body="Offer of 50k & equity; **bold** choice, and x < y " * 2)
    html = client.get(question.get_absolute_url()).content.decode()
    assert 'content="Offer of 50k &amp; equity; bold choice, and x &lt; y' in html
    assert "&amp;amp;" not in html
