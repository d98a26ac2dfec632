"""Accepting an answer: asker or staff only, +15 moved on change, undone exactly."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kb.models import Post
from tests.factories import make_answer, make_question, make_user

pytestmark = pytest.mark.django_db


def _accept_url(answer):
    return reverse("kb:question-accept", args=[answer.parent_id, answer.pk])


def _unaccept_url(question):
    return reverse("kb:question-unaccept", args=[question.pk])


def _rep(user):
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def _accepted_id(question):
    return Post.objects.values_list("accepted_answer_id", flat=True).get(pk=question.pk)


@pytest.fixture
def thread(alice, bob):
    question = make_question(alice)
    return question, make_answer(question, author=bob)


def test_asker_accepts_an_answer_and_its_author_gains_fifteen(alice_client, thread, bob):
    question, answer = thread
    response = alice_client.post(_accept_url(answer))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{answer.pk}")
    assert _accepted_id(question) == answer.pk
    assert _rep(bob) == 15
    html = alice_client.get(question.get_absolute_url()).content.decode()
    assert f'class="post answer is-accepted" id="answer-{answer.pk}"' in html
    assert "Accepted answer" in html
    assert "Unaccept" in html


def test_changing_the_accepted_answer_moves_the_fifteen(alice_client, thread, bob):
    question, first = thread
    carol = make_user("carol")
    second = make_answer(question, author=carol)
    alice_client.post(_accept_url(first))
    alice_client.post(_accept_url(second))
    assert _accepted_id(question) == second.pk
    assert (_rep(bob), _rep(carol)) == (0, 15)


def test_accepting_the_same_answer_twice_counts_once(alice_client, thread, bob):
    _, answer = thread
    alice_client.post(_accept_url(answer))
    alice_client.post(_accept_url(answer))
    assert _rep(bob) == 15


def test_unaccept_reverses_exactly(alice_client, thread, bob):
    question, answer = thread
    alice_client.post(_accept_url(answer))
    response = alice_client.post(_unaccept_url(question))
    assert response.status_code == 302
    assert _accepted_id(question) is None
    assert _rep(bob) == 0
    alice_client.post(_unaccept_url(question))  # nothing accepted: no change
    assert _rep(bob) == 0


def test_accept_unaccept_and_votes_sequence_keeps_reputation_exact(alice_client, thread, bob):
    question, answer = thread
    voter = make_user()
    answer.toggle_vote(voter)
    alice_client.post(_accept_url(answer))
    answer.toggle_vote(voter)
    answer.toggle_vote(voter)
    alice_client.post(_unaccept_url(question))
    alice_client.post(_accept_url(answer))
    assert _rep(bob) == 10 + 15


def test_accepting_your_own_answer_earns_no_reputation(alice_client, alice):
    question = make_question(alice)
    own = make_answer(question, author=alice)
    alice_client.post(_accept_url(own))
    assert _accepted_id(question) == own.pk
    assert _rep(alice) == 0
    alice_client.post(_unaccept_url(question))
    assert _rep(alice) == 0


def test_staff_can_accept_and_unaccept(staff_client, thread, bob):
    question, answer = thread
    assert staff_client.post(_accept_url(answer)).status_code == 302
    assert _rep(bob) == 15
    assert staff_client.post(_unaccept_url(question)).status_code == 302
    assert _rep(bob) == 0


def test_other_user_gets_403_and_nothing_changes(client, thread, bob):
    question, answer = thread
    carol = make_user("carol")
    client.force_login(carol)
    assert client.post(_accept_url(answer)).status_code == 403
    Post.objects.filter(pk=question.pk).update(accepted_answer=answer)
    assert client.post(_unaccept_url(question)).status_code == 403
    assert _accepted_id(question) == answer.pk
    assert _rep(bob) == 0


def test_answer_author_cannot_accept_their_own_answer_to_someone_elses_question(bob_client, thread):
    question, answer = thread
    assert bob_client.post(_accept_url(answer)).status_code == 403
    assert _accepted_id(question) is None


def test_anonymous_is_sent_to_log_in(client, thread):
    question, answer = thread
    for url in (_accept_url(answer), _unaccept_url(question)):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert _accepted_id(question) is None


def test_get_on_accept_urls_is_405(alice_client, thread):
    question, answer = thread
    assert alice_client.get(_accept_url(answer)).status_code == 405
    assert alice_client.get(_unaccept_url(question)).status_code == 405


def test_an_answer_to_another_question_cannot_be_accepted(alice_client, alice):
    question = make_question(alice)
    elsewhere = make_answer(make_question())
    url = reverse("kb:question-accept", args=[question.pk, elsewhere.pk])
    assert alice_client.post(url).status_code == 404
    assert _accepted_id(question) is None


def test_a_deleted_answer_cannot_be_accepted(alice_client, alice):
    question = make_question(alice)
    answer = make_answer(question, is_deleted=True)
    assert alice_client.post(_accept_url(answer)).status_code == 404


RACE_RUNS = 30


def _race(*actions) -> None:
    """Run the actions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        barrier.wait()
        try:
            action()
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_accepting_while_the_author_deletes_never_leaves_a_deleted_answer_accepted():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serialises writers anyway")
    asker, answerer = make_user("asker"), make_user("answerer")
    asker_client, answerer_client = Client(), Client()
    asker_client.force_login(asker)
    answerer_client.force_login(answerer)
    bad_states, statuses = [], set()
    for run in range(RACE_RUNS):
        question = make_question(asker)
        answer = make_answer(question, author=answerer)

        def accept(question=question, answer=answer):
            statuses.add(asker_client.post(_accept_url(answer)).status_code)

        def delete(answer=answer):
            delete_url = reverse("kb:post-delete", args=[answer.pk])
            statuses.add(answerer_client.post(delete_url).status_code)

        _race(accept, delete)
        question.refresh_from_db()
        answer.refresh_from_db()
        accepted = question.accepted_answer_id == answer.pk
        if not answer.is_deleted or accepted:  # the delete always wins in the end
            bad_states.append((run, answer.is_deleted, accepted))
    assert statuses <= {302, 404}
    assert bad_states == []
    # Every accept that happened was undone by the delete: no +15 is left behind.
    assert _rep(answerer) == 0
