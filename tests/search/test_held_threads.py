"""Nothing held for review shows to others: a question hidden by flags, by its author's
suspension or because its author has not verified their e-mail leaves every page, feed,
endpoint, count and search engine exactly as a deleted one does (the helpers of
test_deleted_threads.py check the same places); releasing it brings everything back.
Its author and staff still open it, with a banner saying why it is hidden.
"""

# The thread and people fixtures come from test_deleted_threads.py: same thread, same checks.
# ruff: noqa: F811

import pytest
from django.test import Client

from kb import search
from kb.models import HoldReason, Post
from tests.factories import make_question, make_user
from tests.search.conftest import ids
from tests.search.test_deleted_threads import (  # noqa: F401 (fixtures)
    ANSWER_WORD,
    SHARED_TAG,
    TITLE_WORD,
    _assert_hidden,
    _assert_shows,
    _counts,
    _search,
    _text,
    people,
    thread,
)

pytestmark = pytest.mark.django_db

WAYS = ["flags", "suspension"]


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hold(way: str, post: Post, people, indexed, settings) -> None:
    with indexed():
        if way == "flags":
            for number in range(settings.FLAGS_TO_HIDE):
                flagger = make_user(f"flagger{number}")
                response = _as(flagger).post(
                    f"/flag/post/{post.pk}/", {"reason": "spam", "note": "An advert."}
                )
                assert response.status_code == 302
        else:
            staff = _as(people["staff"])
            response = staff.post(
                f"/review/members/{post.author_id}/suspend/", {"hide_content": "1"}
            )
            assert response.status_code == 302
    post.refresh_from_db()
    assert post.held_reason == (HoldReason.FLAGGED if way == "flags" else HoldReason.SUSPENDED)


def _release(way: str, post: Post, people, indexed) -> None:
    staff = _as(people["staff"])
    with indexed():
        if way == "flags":
            response = staff.post(f"/review/post/{post.pk}/approve/")
        else:
            response = staff.post(f"/review/members/{post.author_id}/unsuspend/")
    assert response.status_code == 302
    post.refresh_from_db()
    assert not post.held_reason


@pytest.mark.parametrize("way", WAYS)
def test_a_held_question_shows_nowhere_and_releasing_it_brings_it_all_back(
    way, thread, people, indexed, client, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the page cache has its own tests
    _assert_shows(client, thread)
    before = _counts(client)

    _hold(way, thread["question"], people, indexed, settings)
    _assert_hidden(client, thread)
    after = _counts(client)
    assert after["home"] == {**before["home"], "question": 1, "answer": 0}
    assert after["asker"]["question"] == after["answerer"]["answer"] == 0
    assert (after["tag index"], after["suggest"]) == (1, {SHARED_TAG: 1})

    # Its author and staff still open it, and are told why others cannot.
    for user in (people["asker"], people["staff"]):
        page = _text(_as(user), thread["question"].get_absolute_url())
        assert TITLE_WORD in page
        assert "held-banner" in page

    _release(way, thread["question"], people, indexed)
    _assert_shows(client, thread)
    assert _counts(client) == before


def test_an_answer_held_by_flags_leaves_the_page_and_the_counts(
    thread, people, indexed, client, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    answer, question = thread["answer"], thread["question"]
    _hold("flags", answer, people, indexed, settings)

    assert ANSWER_WORD not in _text(client, question.get_absolute_url())
    assert Post.objects.get(pk=question.pk).answer_count == 0
    assert client.get("/users/answerer/").context["counts"]["answer"] == 0
    assert ids(_search(f"{ANSWER_WORD} is:answer")) == []
    assert ANSWER_WORD in _text(_as(people["answerer"]), question.get_absolute_url())

    _release("flags", answer, people, indexed)
    assert ANSWER_WORD in _text(client, question.get_absolute_url())
    assert Post.objects.get(pk=question.pk).answer_count == 1
    assert ids(_search(f"{ANSWER_WORD} is:answer")) == [answer.pk]


def test_an_unverified_members_question_waits_and_verifying_publishes_it(
    engine, indexed, client, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    newcomer = make_user("newcomer", email_verified_at=None)
    with indexed():
        question = make_question(
            author=newcomer,
            title="Zanzibar ferry pilot after a bootcamp?",
            body="Can a bootcamp graduate fly ferries in Zanzibar?",
            tags=["zanzibar-ferries"],
        )
    assert question.held_reason == HoldReason.UNVERIFIED
    for url in ("/", "/questions/", "/tags/", "/feeds/questions/", "/sitemap.xml"):
        assert TITLE_WORD not in _text(client, url), url
    assert client.get(question.get_absolute_url()).status_code == 404
    assert ids(_search(TITLE_WORD)) == []
    own_page = _text(_as(newcomer), question.get_absolute_url())
    assert "verify your e-mail to publish this question" in own_page

    with indexed():
        newcomer.verify_email()
    assert TITLE_WORD in _text(client, "/questions/")
    assert client.get(question.get_absolute_url()).status_code == 200
    assert ids(_search(TITLE_WORD)) == [question.pk]


def test_meaning_finds_nothing_of_a_held_question(meaning, thread, people, indexed, settings):
    question, neighbour = thread["question"], thread["neighbour"]

    def found_by_meaning() -> list[bool]:
        return [
            question.pk in {d.id for d in search.similar_to_title("Flying boats on an island?")},
            question.pk in {d.id for d in search.related_questions(neighbour)},
            question.pk in ids(_search("captain of passenger boats in tanzania")),
        ]

    assert found_by_meaning() == [True, True, True]
    _hold("flags", question, people, indexed, settings)
    assert found_by_meaning() == [False, False, False]
    _release("flags", question, people, indexed)
    assert found_by_meaning() == [True, True, True]
