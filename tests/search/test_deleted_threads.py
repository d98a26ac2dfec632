"""Nothing deleted shows anywhere: a deleted question takes its answers, comments and the
tags only it carries off every page, feed, endpoint and search engine; a restore brings them
back. The same for an answer deleted alone and for an experience post.

Each test runs once per engine (tests/search/conftest.py) and through each way of deleting:
the site's delete button and the admin's bulk action.
"""

import json

import pytest
from django.test import Client

from kb import search
from kb.models import Post
from tests.factories import make_question, make_user
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db

# Words only the deleted thread holds: none of them may show while it is deleted.
TITLE_WORD = "zanzibar"
ANSWER_WORD = "quokka"
COMMENT_WORD = "wombat"
OWN_TAG = "zanzibar-ferries"  # only the deleted question carries it
SHARED_TAG = "career-change"  # a visible question carries it too
MARKERS = (TITLE_WORD, ANSWER_WORD, COMMENT_WORD)

WAYS = ["site", "admin"]


@pytest.fixture
def people(db):
    return {
        "asker": make_user("asker", display_name="Asker Person"),
        "answerer": make_user("answerer", display_name="Answerer Person"),
        "staff": make_user("moderator", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def thread(engine, indexed, people):
    """A question with an answer and comments, a neighbour on the same subject, and filler."""
    with indexed():
        neighbour = make_question(
            title="Ferry pilot licence after accounting",
            body="Is a ferry pilot licence worth it for an accountant?",
            tags=[SHARED_TAG],
        )
        question = make_question(
            author=people["asker"],
            title="Zanzibar ferry pilot licence after accounting",
            body="Is a ferry pilot licence in Zanzibar worth it for an accountant?",
            tags=[OWN_TAG, SHARED_TAG],
        )
        answer = question.add_answer(
            people["answerer"], "A quokka-calm instructor helped me pass the licence exam."
        )
        question.add_comment(people["answerer"], "Ask the wombat club at the harbour.")
        answer.add_comment(people["asker"], "Thanks, the wombat club it is.")
    return {"question": question, "answer": answer, "neighbour": neighbour}


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _set_deleted(way: str, post: Post, deleted: bool, people, indexed) -> None:
    staff = _as(people["staff"])
    with indexed():
        if way == "admin":
            action = "soft_delete_posts" if deleted else "restore_posts"
            response = staff.post(
                "/admin/kb/post/", {"action": action, "_selected_action": [post.pk]}
            )
        elif deleted:
            response = _as(post.author).post(f"/posts/{post.pk}/delete/")
        else:
            response = staff.post(f"/posts/{post.pk}/restore/")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_deleted == deleted


# -- where a thread can show ---------------------------------------------------------------


def _pages(thread) -> dict[str, str]:
    """Each page and endpoint a reader can open, with the marker it shows while visible."""
    neighbour = thread["neighbour"]
    return {
        "/": TITLE_WORD,
        "/questions/": TITLE_WORD,
        "/questions/?sort=top": TITLE_WORD,
        "/questions/?sort=active": TITLE_WORD,
        f"/questions/tagged/{SHARED_TAG}/": TITLE_WORD,
        "/tags/": OWN_TAG,
        f"/tags/{SHARED_TAG}/": TITLE_WORD,
        "/tags/suggest/?q=zanz": OWN_TAG,
        "/feeds/questions/": TITLE_WORD,
        f"/feeds/tags/{SHARED_TAG}/": TITLE_WORD,
        "/sitemap.xml": OWN_TAG,
        "/users/asker/": TITLE_WORD,
        "/users/answerer/": TITLE_WORD,
        neighbour.get_absolute_url(): TITLE_WORD,  # its related questions
        "/search/similar/?title=Ferry+pilot+licence+for+an+accountant": TITLE_WORD,
    }


def _own_pages(thread) -> list[str]:
    """Pages that exist only through the thread: not found while it is deleted."""
    return [
        thread["question"].get_absolute_url(),
        f"/tags/{OWN_TAG}/",
        f"/questions/tagged/{OWN_TAG}/",
        f"/feeds/tags/{OWN_TAG}/",
    ]


def _searches(thread) -> dict[str, set[int]]:
    """Queries and the result ids they give while the thread is visible."""
    question, answer = thread["question"], thread["answer"]
    return {
        TITLE_WORD: {question.pk},
        ANSWER_WORD: {question.pk},  # one thread, one result, found through its answer
        f"{ANSWER_WORD} is:answer": {answer.pk},
        f"[{OWN_TAG}]": {question.pk},
        f"{COMMENT_WORD}": set(),  # comments are not searched
    }


def _text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().lower()


def _search(raw):
    return search.search(search.parse(raw))


def _counts(client) -> dict:
    """The counts readers see: home, the two profiles, the tag index and tag suggestions."""
    tags = {tag.name: tag.n for tag in client.get("/tags/").context["page"].object_list}
    suggested = json.loads(client.get("/tags/suggest/?q=career").content)
    return {
        "home": client.get("/").context["counts"],
        "asker": client.get("/users/asker/").context["counts"],
        "answerer": client.get("/users/answerer/").context["counts"],
        "tag index": tags.get(SHARED_TAG),
        "suggest": {item["name"]: item["count"] for item in suggested},
        "facets": dict(_search(f"[{SHARED_TAG}] ferry").facets),
    }


def _assert_shows(client, thread) -> None:
    for url, marker in _pages(thread).items():
        assert marker in _text(client, url), url
    for url in _own_pages(thread):
        assert client.get(url).status_code == 200, url
    for raw, expected in _searches(thread).items():
        assert set(ids(_search(raw))) == expected, raw


def _assert_hidden(client, thread) -> None:
    for url in _pages(thread):
        text = _text(client, url)
        assert not [word for word in (*MARKERS, OWN_TAG) if word in text], url
    for url in _own_pages(thread):
        assert client.get(url).status_code == 404, url
    for raw in _searches(thread):
        page = _search(raw)
        assert (ids(page), page.total, page.facets) == ([], 0, []), raw
    answer_documents = search.get_backend().get_documents([thread["answer"].pk])
    assert answer_documents == {}  # not kept as "Answer to: <deleted title>"


# -- the contract --------------------------------------------------------------------------


@pytest.mark.parametrize("way", WAYS)
def test_a_deleted_question_shows_nowhere_and_a_restore_brings_it_all_back(
    way, thread, people, indexed, client, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the page cache has its own tests
    _assert_shows(client, thread)
    before = _counts(client)

    _set_deleted(way, thread["question"], True, people, indexed)
    _assert_hidden(client, thread)
    after = _counts(client)
    assert after["home"] == {**before["home"], "question": 1, "answer": 0}
    assert after["asker"]["question"] == after["answerer"]["answer"] == 0
    assert (after["tag index"], after["suggest"]) == (1, {SHARED_TAG: 1})
    assert OWN_TAG not in after["facets"]

    _set_deleted(way, thread["question"], False, people, indexed)
    _assert_shows(client, thread)
    assert _counts(client) == before


@pytest.mark.parametrize("way", WAYS)
def test_an_answer_deleted_alone_shows_nowhere(way, thread, people, indexed, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    answer, question = thread["answer"], thread["question"]
    _set_deleted(way, answer, True, people, indexed)

    assert ANSWER_WORD not in _text(client, question.get_absolute_url())
    profile = client.get("/users/answerer/")
    assert profile.context["counts"]["answer"] == 0
    assert TITLE_WORD not in profile.content.decode().lower()
    assert client.get("/").context["counts"]["answer"] == 0
    assert ids(_search(ANSWER_WORD)) == ids(_search(f"{ANSWER_WORD} is:answer")) == []
    assert ids(_search(TITLE_WORD)) == [question.pk]  # the question stays

    _set_deleted(way, answer, False, people, indexed)
    assert ANSWER_WORD in _text(client, question.get_absolute_url())
    assert ids(_search(f"{ANSWER_WORD} is:answer")) == [answer.pk]


def test_a_deleted_experience_post_shows_nowhere(engine, indexed, people, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    from tests.factories import make_experience

    with indexed():
        story = make_experience(
            author=people["asker"],
            title="My Zanzibar ferry years",
            body="How I left accounting to fly ferries.",
            tags=[OWN_TAG],
        )
    pages = ["/", "/posts/", "/tags/", "/feeds/posts/", "/sitemap.xml", "/users/asker/"]
    assert all(TITLE_WORD in _text(client, url) for url in pages)

    _set_deleted("site", story, True, people, indexed)
    for url in [*pages, "/tags/suggest/?q=zanz"]:
        text = _text(client, url)
        assert TITLE_WORD not in text, url
        assert OWN_TAG not in text, url
    for url in (story.get_absolute_url(), f"/posts/?tag={OWN_TAG}", f"/tags/{OWN_TAG}/"):
        assert client.get(url).status_code == 404, url
    assert ids(_search(TITLE_WORD)) == []


def test_rebuild_and_check_index_leave_out_answers_of_deleted_questions(thread, people, indexed):
    from django.core.management import call_command

    Post.objects.filter(pk=thread["question"].pk).update(is_deleted=True)  # no re-index
    search.rebuild_from_database()
    assert search.get_backend().get_documents([thread["answer"].pk]) == {}
    call_command("check_index")  # exits 1 on drift


def test_a_vote_on_a_question_does_not_rewrite_its_answers(thread, people, indexed, monkeypatch):
    written = []
    backend = search.get_backend()
    index_documents = backend.index_documents
    monkeypatch.setattr(
        backend,
        "index_documents",
        lambda documents: written.extend(d.id for d in documents) or index_documents(documents),
    )
    with indexed():
        thread["question"].toggle_vote(people["answerer"])
    assert written == [thread["question"].pk]

    written.clear()
    with indexed():
        thread["question"].edit(people["asker"], title="Zanzibar ferry licence", body="Worth it?")
    assert sorted(written) == sorted([thread["question"].pk, thread["answer"].pk])
    assert search.get_backend().get_documents([thread["answer"].pk])[
        thread["answer"].pk
    ].parent_title == ("Zanzibar ferry licence")


def test_meaning_finds_nothing_of_a_deleted_question(meaning, thread, people, indexed):
    question, neighbour = thread["question"], thread["neighbour"]

    def found_by_meaning() -> list[bool]:
        return [
            question.pk in {d.id for d in search.similar_to_title("Flying boats on an island?")},
            question.pk in {d.id for d in search.related_questions(neighbour)},
            question.pk in ids(_search("captain of passenger boats in tanzania")),
        ]

    assert found_by_meaning() == [True, True, True]
    _set_deleted("site", question, True, people, indexed)
    assert found_by_meaning() == [False, False, False]
