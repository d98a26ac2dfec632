"""Who may see and change a post: (anonymous, author, other member, staff) x (a public
post, a deleted post, an answer under a deleted question), asked of kb/permissions.py
and of the pages that follow it (edit form, revisions, question page links, admin)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from kb import permissions
from kb.models import Post
from tests.factories import make_answer, make_comment, make_question, make_user

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "author", "other", "staff"]
STATES = ["public", "deleted", "under-deleted-question"]

# What each persona may do in each state: (view, edit, delete, restore).
EXPECTED = {
    ("anonymous", "public"): (True, False, False, False),
    ("author", "public"): (True, True, True, False),
    ("other", "public"): (True, False, False, False),
    ("staff", "public"): (True, True, True, False),
    ("anonymous", "deleted"): (False, False, False, False),
    ("author", "deleted"): (False, False, False, False),
    ("other", "deleted"): (False, False, False, False),
    ("staff", "deleted"): (True, True, False, True),
    ("anonymous", "under-deleted-question"): (False, False, False, False),
    ("author", "under-deleted-question"): (False, False, False, False),
    ("other", "under-deleted-question"): (False, False, False, False),
    # Staff can still edit or hide the answer itself; the question is restored on its own.
    ("staff", "under-deleted-question"): (True, True, True, False),
}


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUser(),
        "author": make_user("writer"),
        "other": make_user("reader"),
        "staff": make_user("moderator", is_staff=True),
    }


def _answer_in_state(state: str, people) -> Post:
    """An answer by the author, in the given state (its question by someone else)."""
    question = make_question(title="Is a career break a problem for hiring?")
    answer = make_answer(
        question, author=people["author"], body="It rarely is, say why you took it."
    )
    if state == "deleted":
        answer.soft_delete(by=people["author"])
    elif state == "under-deleted-question":
        question.soft_delete(by=question.author)
    answer.refresh_from_db()
    return answer


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rules(people, persona, state):
    post = _answer_in_state(state, people)
    user = people[persona]
    answers = (
        permissions.can_view(user, post),
        permissions.can_edit(user, post),
        permissions.can_delete(user, post),
        permissions.can_restore(user, post),
    )
    assert answers == EXPECTED[persona, state]


def _client(people, persona) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_edit_form_follows_the_rules(people, persona, state):
    post = _answer_in_state(state, people)
    response = _client(people, persona).get(reverse("kb:post-edit", args=[post.pk]))
    view, edit, _, _ = EXPECTED[persona, state]
    if persona == "anonymous":
        assert response.status_code == 302  # to the log-in page
    elif edit:
        assert response.status_code == 200
    else:
        assert response.status_code == (403 if view else 404)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_revisions_page_follows_the_rules(people, persona, state):
    post = _answer_in_state(state, people)
    response = _client(people, persona).get(reverse("kb:post-revisions", args=[post.pk]))
    view = EXPECTED[persona, state][0]
    assert response.status_code == (200 if view else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_question_page_shows_the_links_the_rules_allow(people, persona):
    answer = _answer_in_state("public", people)
    comment = make_comment(answer, author=people["author"])
    html = _client(people, persona).get(answer.parent.get_absolute_url()).content.decode()
    _, edit, delete, _ = EXPECTED[persona, "public"]
    assert (reverse("kb:post-edit", args=[answer.pk]) in html) == edit
    assert (reverse("kb:post-delete", args=[answer.pk]) in html) == delete
    assert (reverse("kb:comment-delete", args=[comment.pk]) in html) == delete


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_deleted_question_shows_restore_to_staff_only(people, persona):
    question = make_question(author=people["author"], title="A question that was deleted")
    question.soft_delete(by=people["author"])
    response = _client(people, persona).get(question.get_absolute_url())
    if persona == "staff":
        html = response.content.decode()
        assert reverse("kb:post-restore", args=[question.pk]) in html
        assert reverse("kb:post-delete", args=[question.pk]) not in html
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_asker_and_staff_accept_and_never_on_a_deleted_question(people, persona):
    question = make_question(author=people["author"])
    allowed = persona in ("author", "staff")
    assert permissions.can_accept(people[persona], question) == allowed
    question.soft_delete(by=people["author"])
    assert not permissions.can_accept(people[persona], question)


def test_a_comment_under_a_deleted_question_cannot_be_deleted_by_its_author(people):
    answer = _answer_in_state("under-deleted-question", people)
    comment = make_comment(answer, author=people["other"])
    client = _client(people, "other")
    response = client.post(reverse("kb:comment-delete", args=[comment.pk]))
    assert response.status_code == 404
    comment.refresh_from_db()
    assert not comment.is_deleted
    assert permissions.can_delete_comment(people["staff"], comment)
