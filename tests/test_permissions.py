"""Every state-changing URL x persona: anonymous -> log-in, other user -> 403 where ownership
applies, author and staff -> success; GET -> 405; a refusal changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kb.models import Comment, Post, Revision, Vote
from tests.factories import make_answer, make_comment, make_experience, make_question, make_user

BODY = "A long enough body for any of the forms in this test, thirty plus."
QUESTION_DATA = {"title": "A question title long enough", "body": BODY, "tags": "skills"}


@dataclass
class Action:
    name: str
    url: Callable[[dict], str]
    data: Callable[[dict], dict] = lambda s: {}
    owner: str | None = None  # the scenario key whose author owns the object; None: any member
    author_refused: bool = False  # voting on your own post, restoring without staff
    staff_only: bool = False


ACTIONS = [
    Action("ask", lambda s: reverse("kb:question-ask"), lambda s: QUESTION_DATA),
    Action("post-create", lambda s: reverse("kb:post-create"), lambda s: QUESTION_DATA),
    Action("preview", lambda s: reverse("kb:markdown-preview"), lambda s: {"body": "*hi*"}),
    Action(
        "answer",
        lambda s: reverse("kb:answer-create", args=[s["question"].pk]),
        lambda s: {"body": BODY},
    ),
    Action(
        "comment",
        lambda s: reverse("kb:comment-create", args=[s["answer"].pk]),
        lambda s: {"body": "A comment long enough."},
    ),
    Action(
        "vote",
        lambda s: reverse("kb:post-vote", args=[s["answer"].pk]),
        owner="answer",
        author_refused=True,
    ),
    Action(
        "accept",
        lambda s: reverse("kb:question-accept", args=[s["question"].pk, s["answer"].pk]),
        owner="question",
    ),
    Action(
        "unaccept",
        lambda s: reverse("kb:question-unaccept", args=[s["accepted"].pk]),
        owner="accepted",
    ),
    Action(
        "comment-delete",
        lambda s: reverse("kb:comment-delete", args=[s["comment"].pk]),
        owner="comment",
    ),
    Action(
        "edit",
        lambda s: reverse("kb:post-edit", args=[s["question"].pk]),
        lambda s: {**QUESTION_DATA, "body": BODY + " edited"},
        owner="question",
    ),
    Action(
        "edit-answer",
        lambda s: reverse("kb:post-edit", args=[s["answer"].pk]),
        lambda s: {"body": BODY + " edited"},
        owner="answer",
    ),
    Action(
        "edit-experience",
        lambda s: reverse("kb:post-edit", args=[s["experience"].pk]),
        lambda s: {**QUESTION_DATA, "body": BODY + " edited"},
        owner="experience",
    ),
    Action(
        "delete", lambda s: reverse("kb:post-delete", args=[s["question"].pk]), owner="question"
    ),
    Action(
        "delete-answer", lambda s: reverse("kb:post-delete", args=[s["answer"].pk]), owner="answer"
    ),
    Action(
        "delete-experience",
        lambda s: reverse("kb:post-delete", args=[s["experience"].pk]),
        owner="experience",
    ),
    Action(
        "restore",
        lambda s: reverse("kb:post-restore", args=[s["deleted"].pk]),
        owner="deleted",
        author_refused=True,
        staff_only=True,
    ),
]
POST_ONLY = [
    a
    for a in ACTIONS
    if a.name not in {"ask", "post-create", "edit", "edit-answer", "edit-experience"}
]


@pytest.fixture
def scenario(db):
    alice, bob = make_user("asker"), make_user("answerer")
    question = make_question(author=alice, tags=["skills"])
    answer = make_answer(question, author=bob)
    accepted = make_question(author=alice, tags=["skills"])
    accepted.accept(make_answer(accepted, author=bob), by=alice)
    deleted = make_question(author=alice)
    deleted.soft_delete(by=alice)
    return {
        "question": question,
        "answer": answer,
        "accepted": accepted,
        "comment": make_comment(question, author=bob),
        "experience": make_experience(author=bob, tags=["skills"]),
        "deleted": deleted,
        "other": make_user("stranger"),
        "staff": make_user("moderator", is_staff=True),
    }


def _snapshot():
    return (
        list(Post.objects.order_by("pk").values()),
        list(Vote.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(Revision.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values_list("pk", "reputation")),
    )


def _owner(scenario, action):
    return scenario[action.owner].author


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_anonymous_is_sent_to_log_in_and_nothing_changes(scenario, action):
    before = _snapshot()
    response = _client_for(None).post(action.url(scenario), action.data(scenario))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert _snapshot() == before


OWNED = [a for a in ACTIONS if a.owner and a.name != "vote"]  # anyone but the author votes


@pytest.mark.parametrize("action", OWNED, ids=lambda a: a.name)
def test_other_user_is_refused_where_ownership_applies(scenario, action):
    before = _snapshot()
    response = _client_for(scenario["other"]).post(action.url(scenario), action.data(scenario))
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_author_succeeds_unless_refused_by_rule(scenario, action):
    user = _owner(scenario, action) if action.owner else scenario["other"]
    before = _snapshot()
    response = _client_for(user).post(action.url(scenario), action.data(scenario))
    if action.author_refused:
        assert response.status_code in (302, 403)
        if response.status_code == 302:  # the vote refusal is a message on the post's page
            assert response["Location"] == scenario[action.owner].get_absolute_url()
        assert _snapshot() == before
        return
    assert response.status_code in (200, 201, 302)
    if action.name != "preview":
        assert _snapshot() != before


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_staff_succeeds(scenario, action):
    before = _snapshot()
    response = _client_for(scenario["staff"]).post(action.url(scenario), action.data(scenario))
    assert response.status_code in (200, 201, 302)
    if action.name != "preview":
        assert _snapshot() != before


def test_vote_refused_on_own_post_as_json_is_403(scenario):
    client = _client_for(scenario["answer"].author)
    before = _snapshot()
    response = client.post(
        reverse("kb:post-vote", args=[scenario["answer"].pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert "own post" in response.json()["error"]
    assert _snapshot() == before


def test_other_user_vote_succeeds(scenario):
    response = _client_for(scenario["other"]).post(
        reverse("kb:post-vote", args=[scenario["answer"].pk])
    )
    assert response.status_code == 302
    assert Vote.objects.filter(user=scenario["other"], post=scenario["answer"]).exists()


@pytest.mark.parametrize("action", POST_ONLY, ids=lambda a: a.name)
def test_get_on_post_only_url_is_405(scenario, action):
    before = _snapshot()
    response = _client_for(scenario["staff"]).get(action.url(scenario))
    assert response.status_code == 405
    assert _snapshot() == before


def test_actions_on_deleted_question_are_404_for_members(scenario):
    deleted = scenario["deleted"]
    client = _client_for(scenario["other"])
    before = _snapshot()
    for url, data in (
        (reverse("kb:answer-create", args=[deleted.pk]), {"body": BODY}),
        (reverse("kb:post-vote", args=[deleted.pk]), {}),
        (reverse("kb:comment-create", args=[deleted.pk]), {"body": "A comment long enough."}),
    ):
        assert client.post(url, data).status_code == 404
    assert _snapshot() == before


# -- counters and reputation stay exact through sequences ---------------------------------


def _reputation(user):
    user.refresh_from_db()
    return user.reputation


def test_counters_exact_after_vote_retract_accept_unaccept_delete_sequence(db):
    asker, answerer, voter1, voter2, staff = (
        make_user(),
        make_user(),
        make_user(),
        make_user(),
        make_user(is_staff=True),
    )
    question = make_question(author=asker)
    answer = make_answer(question, author=answerer)
    other_answer = make_answer(question, author=voter1)

    question.toggle_vote(voter1)
    question.toggle_vote(voter2)
    question.toggle_vote(voter2)  # retract
    answer.toggle_vote(voter1)
    answer.toggle_vote(voter2)
    assert _reputation(asker) == 5
    assert _reputation(answerer) == 20

    question.accept(answer, by=asker)
    assert _reputation(answerer) == 35
    question.accept(other_answer, by=asker)  # change: the 15 points move
    assert _reputation(answerer) == 20
    assert _reputation(voter1) == 15
    question.unaccept(by=staff)
    assert _reputation(voter1) == 0
    question.accept(answer, by=asker)
    answer.toggle_vote(voter1)  # retract
    assert _reputation(answerer) == 25

    answer.soft_delete(by=answerer)  # an accepted answer: unaccepted, 15 back
    question.refresh_from_db()
    assert question.accepted_answer_id is None
    assert question.answer_count == 1
    assert _reputation(answerer) == 10
    answer.restore(by=staff)
    question.refresh_from_db()
    assert question.answer_count == 2

    for post in (question, answer, other_answer):
        post.refresh_from_db()
        assert post.score == Vote.objects.filter(post=post).count()
