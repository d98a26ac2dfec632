"""Upvotes: toggle, never your own post, reputation, JSON for fetch, and parallel clicks."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kb.models import Vote
from tests.factories import make_answer, make_experience, make_question, make_user

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _vote_url(post):
    return reverse("kb:post-vote", args=[post.pk])


def _rep(user):
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def test_upvoting_a_question_adds_a_vote_score_and_five_reputation(bob_client, alice):
    question = make_question(alice)
    response = bob_client.post(_vote_url(question))
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    question.refresh_from_db()
    assert question.score == 1
    assert Vote.objects.filter(post=question).count() == 1
    assert _rep(alice) == 5


@pytest.mark.parametrize(
    "make_post", [lambda a: make_answer(make_question(), author=a), make_experience]
)
def test_upvoting_an_answer_or_experience_post_gives_ten(bob_client, alice, make_post):
    post = make_post(alice)
    bob_client.post(_vote_url(post))
    assert _rep(alice) == 10


def test_retracting_a_vote_restores_score_and_reputation(bob_client, alice):
    question = make_question(alice)
    bob_client.post(_vote_url(question))
    bob_client.post(_vote_url(question))
    question.refresh_from_db()
    assert question.score == 0
    assert not Vote.objects.exists()
    assert _rep(alice) == 0


def test_vote_retract_sequences_keep_counters_exact(alice):
    answer = make_answer(make_question(), author=alice)
    voters = [make_user() for _ in range(4)]
    for round_ in range(3):
        for voter in voters[: round_ + 2]:
            answer.toggle_vote(voter)
    answer.refresh_from_db()
    assert answer.score == Vote.objects.filter(post=answer).count()
    assert _rep(alice) == 10 * answer.score


def test_json_vote_returns_state_and_score(bob_client, alice):
    question = make_question(alice)
    response = bob_client.post(_vote_url(question), **JSON)
    assert response.status_code == 200
    assert response.json() == {"voted": True, "vote": 1, "score": 1}
    assert bob_client.post(_vote_url(question), **JSON).json() == {
        "voted": False,
        "vote": 0,
        "score": 0,
    }


def test_voting_on_your_own_post_is_refused_and_changes_nothing(alice_client, alice):
    question = make_question(alice)
    response = alice_client.post(_vote_url(question), **JSON)
    assert response.status_code == 403
    assert response.json()["error"] == "You can't vote on your own post."
    response = alice_client.post(_vote_url(question), follow=True)
    assert "You can&#x27;t vote on your own post." in response.content.decode()
    question.refresh_from_db()
    assert question.score == 0
    assert not Vote.objects.exists()
    assert _rep(alice) == 0


def test_anonymous_vote_redirects_to_log_in_and_changes_nothing(client):
    question = make_question()
    response = client.post(_vote_url(question))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Vote.objects.exists()


def test_get_on_vote_url_is_405(bob_client):
    assert bob_client.get(_vote_url(make_question())).status_code == 405


def test_staff_can_vote_like_anyone(staff_client, alice):
    question = make_question(alice)
    response = staff_client.post(_vote_url(question), **JSON)
    assert response.json() == {"voted": True, "vote": 1, "score": 1}


def test_vote_on_deleted_post_is_404(bob_client):
    question = make_question(is_deleted=True)
    assert bob_client.post(_vote_url(question)).status_code == 404
    answer = make_answer(question)
    assert bob_client.post(_vote_url(answer)).status_code == 404
    assert not Vote.objects.exists()


def test_vote_on_unknown_post_is_404(bob_client):
    assert bob_client.post("/posts/987654/vote/").status_code == 404


def test_answer_vote_redirects_to_the_answer_anchor(bob_client):
    answer = make_answer(make_question())
    response = bob_client.post(_vote_url(answer))
    assert response["Location"].endswith(f"#answer-{answer.pk}")


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_and_retracts_never_lose_or_double_count():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serialises writers anyway")
    author = make_user("author")
    question = make_question(author)
    voters = [make_user(f"voter{i}") for i in range(10)]
    barrier = threading.Barrier(len(voters))
    errors = []

    def click(voter, times):
        client = Client()
        client.force_login(voter)
        barrier.wait()
        try:
            for _ in range(times):
                response = client.post(_vote_url(question), HTTP_ACCEPT="application/json")
                if response.status_code != 200:
                    errors.append(response.status_code)
        finally:
            connection.close()  # this thread's own connection

    # Odd voters click three times (ends voted), even voters twice (ends retracted).
    threads = [
        threading.Thread(target=click, args=(voter, 3 if i % 2 else 2))
        for i, voter in enumerate(voters)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    question.refresh_from_db()
    votes = Vote.objects.filter(post=question).count()
    assert votes == 5
    assert question.score == votes
    assert _rep(author) == 5 * votes


@pytest.mark.django_db(transaction=True)
def test_parallel_double_clicks_by_one_user_count_once_or_not_at_all():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    author, voter = make_user("author2"), make_user("voter")
    question = make_question(author)
    barrier = threading.Barrier(2)

    def click():
        client = Client()
        client.force_login(voter)
        barrier.wait()
        try:
            client.post(_vote_url(question), HTTP_ACCEPT="application/json")
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    question.refresh_from_db()
    votes = Vote.objects.filter(post=question).count()
    assert question.score == votes == 0  # vote then retract, in some order
    assert _rep(author) == 0
