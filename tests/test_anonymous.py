"""Anonymous asking: the asker's name shows nowhere others can look; staff and the asker see it.

One thread is built through the domain methods, with a distinctive asker (name, username,
headline and reputation no other text contains), and every page, feed, search result, JSON
answer and notification others can reach is searched for any of it. Then what the asker and
staff see, votes and reputation, the asker's rights, the ask form and who stays anonymous.
"""

import json
import re
from io import StringIO

import pytest
from django.urls import reverse
from taggit.models import Tag

from accounts.models import User
from kb import permissions, search
from kb.inbox_models import Notification, TagFollow
from kb.models import ANONYMOUS_AUTHOR_NAME, Comment, Post, Vote
from kb.search import documents
from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.search.conftest import engine, indexed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

NAME = "Zephyrine Quillfeather"
USERNAME = "zephyrine_q"
HEADLINE = "Principal engineer at Quillcorp Robotics"
REPUTATION = 7919
# Any of these in a page others see gives the asker away (the avatar's letter is checked
# on the author card itself: "Z" alone is too common a string to look for).
NEEDLES = ("zephyrine", "quillfeather", "quillcorp", f"/users/{USERNAME}")
# The reputation as a number of its own ("7919", "7,919"), not digits inside another number
# (a timestamp's microseconds can hold 7919).
REPUTATION_SHOWN = re.compile(r"(?<![\w.,])7,?919(?![\w,]|\.\d)")
TAG = "career-switch"
TITLE = "Leaving a toxic manager without burning bridges?"
Kind = Notification.Kind


def assert_no_trace(text: str, where: str) -> None:
    lowered = text.lower()
    for needle in NEEDLES:
        assert needle not in lowered, f"{needle!r} gives the asker away in {where}"
    shown = REPUTATION_SHOWN.search(text)
    assert shown is None, f"the reputation {shown and shown[0]!r} gives the asker away in {where}"


@pytest.fixture
def asker(db):
    user = make_user(USERNAME, display_name=NAME, headline=HEADLINE)
    User.objects.filter(pk=user.pk).update(reputation=REPUTATION)
    user.refresh_from_db()
    return user


@pytest.fixture
def bob(db):
    return make_user("bob", display_name="Bob Other")


@pytest.fixture
def carol(db):
    """Follows the tag and is @mentioned in the question."""
    user = make_user("carol", display_name="Carol Third")
    TagFollow.objects.create(user=user, tag=get_or_create_tags([TAG])[0])
    return user


@pytest.fixture
def staff(db):
    return make_user("sam", display_name="Sam Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def world(asker, bob, carol, settings, django_capture_on_commit_callbacks):
    """An anonymous question with everything that can happen in a thread, indexed."""
    settings.SEMANTIC_SEARCH = False  # words are enough here; the layer reads no author
    with django_capture_on_commit_callbacks(execute=True):
        question = make_question(
            asker,
            title=TITLE,
            body="My manager takes credit for my work. @carol you moved teams once, how?",
            tags=[TAG],
            anonymous=True,
        )
        answer = make_answer(question, author=bob, body="Ask for a transfer first, then talk.")
        make_comment(question, author=bob, body="Which country are you working in?")
        make_comment(question, author=asker, body="In Germany, on a permanent contract.")
        make_comment(answer, author=asker, body="Thanks, that is exactly my situation.")
        own_answer = make_answer(
            question, author=asker, body="Update: HR moved me to another team last week."
        )
        question.edit(asker, title=TITLE, body=question.body + " (Edited.)", tags=[TAG])
        own_answer.edit(asker, body=own_answer.body + " It worked out well.")
        question.accept(answer, by=asker)
        question.add_outcome(asker, "I took the transfer; the new team credits my work.")
        own_answer.mark_canonical(Tag.objects.get(name=TAG), by=None)  # "Start here"
        question.cast_vote(carol, Vote.UP)
        own_answer.cast_vote(bob, Vote.UP)
        answer.cast_vote(carol, Vote.UP)
        related = make_question(bob, title="Leaving a toxic manager for another team?", tags=[TAG])
    question.refresh_from_db()
    return {"question": question, "answer": answer, "own_answer": own_answer, "related": related}


def _pages_others_see(world) -> list[str]:
    question, own_answer = world["question"], world["own_answer"]
    return [
        question.get_absolute_url(),
        reverse("kb:question-short", args=[question.pk]),
        world["related"].get_absolute_url(),  # its related-questions box lists ours
        "/",
        "/questions/",
        "/questions/?sort=top",
        "/questions/?sort=active",
        f"/questions/tagged/{TAG}/",
        f"/tags/{TAG}/",  # its "Start here" card is the asker's own answer
        "/tags/",
        "/questions/?outcomes=1",
        "/feeds/questions/",
        f"/feeds/tags/{TAG}/",
        "/sitemap.xml",
        reverse("kb:post-revisions", args=[question.pk]),
        reverse("kb:post-revisions", args=[own_answer.pk]),
        "/search/?q=toxic+manager",
        "/search/?q=HR+team+is%3Aanswer",
        "/search/?q=germany",
        "/search/similar/?title=toxic+manager",
        f"/users/{world['answer'].author.username}/",
    ]


def _get_ok(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


# -- nothing leaks ------------------------------------------------------------------------


def test_a_visitor_finds_the_asker_nowhere(client, world):
    for url in _pages_others_see(world):
        assert_no_trace(_get_ok(client, url), url)
        assert_no_trace(_get_ok(client, url), f"{url} (from the page cache)")


def test_another_member_finds_the_asker_nowhere(client, bob, carol, world):
    for member in (bob, carol):
        client.force_login(member)
        for url in [*_pages_others_see(world), "/inbox/"]:
            assert_no_trace(_get_ok(client, url), f"{url} as {member.username}")


def test_the_page_says_anonymous_member_where_the_author_would_show(client, world):
    html = _get_ok(client, world["question"].get_absolute_url())
    question_card = html.split(f'id="question-{world["question"].pk}"')[1].split("</article>")[0]
    assert '<span class="anonymous-author">Anonymous member</span>' in question_card
    assert 'class="avatar avatar-anonymous" aria-hidden="true">?</span>' in question_card
    assert 'class="rep"' not in question_card
    # The asker's comments, own answer and outcome: anonymous, marked as the asker's.
    assert html.count('<span class="anonymous-author">Anonymous member</span>') == 5
    assert 'By <span class="anonymous-author">Anonymous member</span>' in html  # the outcome
    assert html.count('<span class="asker-badge">asker</span>') == 3
    assert "Comments on the answer by Anonymous member" in html
    # Bob stays himself.
    assert '<a href="/users/bob/">Bob Other</a>' in html


def test_lists_feeds_and_revisions_name_anonymous_member(client, world):
    assert "Anonymous member" in _get_ok(client, "/questions/")
    assert "Anonymous member" in _get_ok(client, f"/tags/{TAG}/")
    feed = _get_ok(client, "/feeds/questions/")
    assert "Anonymous member" in feed
    assert TITLE in feed
    for post in (world["question"], world["own_answer"]):
        revisions = _get_ok(client, reverse("kb:post-revisions", args=[post.pk]))
        assert 'Before the edit by <span class="anonymous-author">Anonymous member' in revisions


def test_searching_by_the_askers_username_finds_nothing(client, world):
    html = _get_ok(client, f"/search/?q=user%3A{USERNAME}")
    assert "Nothing matched" in html
    assert TITLE not in html


def test_the_similar_questions_json_has_no_author(client, world):
    response = client.get("/search/similar/", {"title": "toxic manager"})
    assert TITLE in [result["title"] for result in response.json()["results"]]
    assert_no_trace(response.content.decode(), "similar JSON")


def test_the_askers_profile_shows_others_nothing_of_it(client, bob, world):
    client.force_login(bob)
    response = client.get(f"/users/{USERNAME}/")
    html = response.content.decode()
    assert TITLE not in html
    assert "HR moved me" not in html
    assert "anonymously" not in html
    assert response.context["counts"] == {"question": 0, "answer": 0, "experience": 0}
    assert list(response.context["activity"]) == []
    # Reputation shown: as before the question (votes on it earned nothing).
    assert response.context["person"].reputation == REPUTATION


def test_the_user_list_shows_the_askers_reputation_untouched(client, world):
    html = _get_ok(client, "/users/")
    assert f"{REPUTATION:,} reputation" in html


# -- what the asker and staff see -----------------------------------------------------


def test_the_asker_sees_their_anonymous_posts_marked_on_their_profile(client, asker, world):
    client.force_login(asker)
    response = client.get(f"/users/{USERNAME}/")
    html = response.content.decode()
    assert TITLE in html
    assert "asked anonymously, only you see this" in html
    assert "answered anonymously, only you see this" in html
    assert response.context["counts"] == {"question": 1, "answer": 1, "experience": 0}


def test_the_asker_is_told_on_the_question_page(client, asker, world):
    client.force_login(asker)
    html = _get_ok(client, world["question"].get_absolute_url())
    assert "You asked this anonymously" in html
    assert 'class="anonymous-note' in html
    assert "only staff see this" not in html


def test_staff_see_who_asked_on_the_page_profile_and_admin(client, staff, world):
    question = world["question"]
    client.force_login(staff)
    html = _get_ok(client, question.get_absolute_url())
    assert f'Asked anonymously by <a href="/users/{USERNAME}/">{NAME}</a>' in html
    assert "only staff see this" in html
    profile = _get_ok(client, f"/users/{USERNAME}/")
    assert TITLE in profile
    assert "only staff and the author see this" in profile
    changelist = _get_ok(client, "/admin/kb/post/?is_anonymous__exact=1")
    assert USERNAME in changelist
    assert TITLE in changelist
    assert USERNAME in _get_ok(client, f"/admin/kb/post/{question.pk}/change/")


def test_visitors_and_members_get_no_staff_note(client, bob, world):
    url = world["question"].get_absolute_url()
    assert "anonymous-note" not in _get_ok(client, url)
    client.force_login(bob)
    assert "anonymous-note" not in _get_ok(client, url)


def test_can_see_author_staff_and_the_author_yes_others_no(asker, bob, staff, world):
    from django.contrib.auth.models import AnonymousUser

    question = world["question"]
    assert permissions.can_see_author(staff, question)
    assert permissions.can_see_author(asker, question)
    assert not permissions.can_see_author(bob, question)
    assert not permissions.can_see_author(AnonymousUser(), question)
    assert permissions.can_see_author(AnonymousUser(), world["related"])  # signed


# -- notifications ------------------------------------------------------------------------


def test_notifications_to_others_name_anonymous_member(asker, bob, carol, world):
    from_asker = Notification.objects.filter(actor=asker).select_related("post__parent")
    kinds = {(note.recipient.username, note.kind) for note in from_asker}
    assert kinds == {
        ("carol", Kind.MENTION),  # @carol in the question (the most direct reason wins)
        ("bob", Kind.COMMENT),  # the asker's comment on Bob's answer
        ("bob", Kind.FOLLOWED_ANSWER),  # the asker's own answer; Bob follows by answering
        ("bob", Kind.ACCEPTED),
    }
    assert {note.actor_label for note in from_asker} == {ANONYMOUS_AUTHOR_NAME}
    assert all(ANONYMOUS_AUTHOR_NAME in str(note) for note in from_asker)


def test_the_inbox_of_others_shows_anonymous_member(client, bob, carol, world):
    client.force_login(bob)
    html = _get_ok(client, "/inbox/")
    assert "<strong>Anonymous member</strong> accepted your answer" in html
    assert "<strong>Anonymous member</strong> commented on your post" in html
    client.force_login(carol)
    assert "<strong>Anonymous member</strong> mentioned you" in _get_ok(client, "/inbox/")


def test_the_asker_still_hears_about_answers_and_comments(client, asker, bob, world):
    notes = Notification.objects.filter(recipient=asker)
    assert {(note.actor, note.kind) for note in notes} == {(bob, Kind.ANSWER), (bob, Kind.COMMENT)}
    client.force_login(asker)
    assert "<strong>Bob Other</strong> answered your question" in _get_ok(client, "/inbox/")


def test_others_actions_keep_their_names_in_an_anonymous_thread(asker, bob, world):
    note = Notification.objects.get(recipient=asker, kind=Kind.ANSWER)
    assert note.actor_label == "Bob Other"


def test_the_inbox_reads_actor_labels_without_more_queries(
    client, asker, bob, django_assert_max_num_queries
):
    question = make_question(asker, anonymous=True)
    answer = make_answer(question, author=bob)
    make_comment(answer, author=asker, body="The first comment on Bob's answer.")
    client.force_login(bob)
    with django_assert_max_num_queries(12) as few:
        client.get("/inbox/")
    for n in range(5):
        make_comment(answer, author=asker, body=f"Comment number {n} on Bob's answer.")
        make_answer(question, author=asker, body=f"The asker's own answer number {n}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/inbox/").content.decode()
    assert html.count("<strong>Anonymous member</strong>") == 11
    assert_no_trace(html, "Bob's inbox")


# -- search (every engine) -------------------------------------------------------------


def test_search_documents_carry_no_author(asker, bob):
    question = make_question(asker, anonymous=True)
    own_answer = make_answer(question, author=asker)
    answer = make_answer(question, author=bob)
    for post in (question, own_answer):
        document = documents.document_for(post)
        assert (document.author, document.author_name) == ("", ANONYMOUS_AUTHOR_NAME)
    assert documents.document_for(answer).author == "bob"


def test_every_engine_finds_no_anonymous_post_by_user_and_names_nobody(
    engine,  # noqa: F811
    indexed,  # noqa: F811
    asker,
):
    with indexed():
        question = make_question(
            asker, title="Negotiating a raise with a toxic manager", anonymous=True
        )
        make_answer(question, author=asker, body="Follow-up: negotiating worked after all.")
        signed = make_question(asker, title="Negotiating a signing bonus in Berlin")
    by_user = search.search(f"user:{USERNAME}")
    assert [hit.id for hit in by_user.hits] == [signed.pk]
    found = search.search("negotiating toxic manager")
    hit = next(hit for hit in found.hits if hit.id == question.pk)
    assert (hit.author, hit.author_name) == ("", ANONYMOUS_AUTHOR_NAME)
    answers = search.search("follow-up negotiating is:answer")
    assert answers.hits
    assert all(hit.author_name == ANONYMOUS_AUTHOR_NAME for hit in answers.hits)


# -- votes and reputation ------------------------------------------------------------------


def _reputation(user) -> int:
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def test_votes_on_an_anonymous_question_move_no_reputation(asker, bob):
    question = make_question(asker, anonymous=True)
    before = _reputation(asker)
    assert question.cast_vote(bob, Vote.UP) == (Vote.UP, 1)
    assert _reputation(asker) == before
    assert question.cast_vote(bob, Vote.UP) == (Vote.NONE, 0)  # withdrawn
    assert _reputation(asker) == before


def test_votes_on_the_askers_anonymous_answer_move_no_reputation_but_cost_the_downvoter(
    asker, bob, settings
):
    settings.DOWNVOTE_MIN_REPUTATION = 0
    question = make_question(asker, anonymous=True)
    own_answer = make_answer(question, author=asker)
    assert own_answer.is_anonymous
    before, bob_before = _reputation(asker), _reputation(bob)
    own_answer.cast_vote(bob, Vote.UP)
    assert _reputation(asker) == before
    own_answer.cast_vote(bob, Vote.DOWN)
    assert own_answer.score == -1
    assert _reputation(asker) == before  # none lost either
    assert _reputation(bob) == bob_before - 1


def test_answers_by_others_in_an_anonymous_thread_earn_as_usual(asker, bob):
    question = make_question(asker, anonymous=True)
    answer = make_answer(question, author=bob)
    answer.cast_vote(make_user(), Vote.UP)
    question.accept(answer, by=asker)
    assert _reputation(bob) == 10 + 15


def test_a_signed_question_still_earns(asker, bob):
    question = make_question(asker)
    question.cast_vote(bob, Vote.UP)
    assert _reputation(asker) == REPUTATION + 5


# -- who stays anonymous -----------------------------------------------------------------


def test_only_the_askers_posts_in_their_anonymous_thread_are_anonymous(asker, bob):
    question = make_question(asker, anonymous=True)
    bob_answer = make_answer(question, author=bob)
    bob_comment = make_comment(question, author=bob)
    asker_comment = make_comment(bob_answer, author=asker)
    assert asker_comment.is_anonymous
    assert asker_comment.shown_author is None
    assert not bob_answer.is_anonymous
    assert not bob_comment.is_anonymous
    elsewhere = make_question(bob)
    assert not make_answer(elsewhere, author=asker).is_anonymous
    assert not make_comment(elsewhere, author=asker).is_anonymous
    signed = make_question(asker)
    assert not make_answer(signed, author=asker).is_anonymous
    assert not make_comment(signed, author=asker).is_anonymous


def test_only_a_question_can_be_asked_anonymously(asker):
    with pytest.raises(ValueError, match="Only a question"):
        Post.publish(
            asker, kind=Post.Kind.EXPERIENCE, title="A story", body="x" * 40, anonymous=True
        )
    assert not Post.objects.exists()


def test_a_comment_posted_with_fetch_comes_back_anonymous(client, asker, bob):
    question = make_question(asker, anonymous=True)
    client.force_login(asker)
    response = client.post(
        reverse("kb:comment-create", args=[question.pk]),
        {"body": "Some more context on my situation."},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["author"], data["author_url"], data["anonymous"]) == (
        ANONYMOUS_AUTHOR_NAME,
        "",
        True,
    )
    assert_no_trace(json.dumps(data), "the comment JSON")
    assert Comment.objects.get(pk=data["id"]).is_anonymous
    client.force_login(bob)
    data = client.post(
        reverse("kb:comment-create", args=[question.pk]),
        {"body": "Bob is happy to be named here."},
        HTTP_ACCEPT="application/json",
    ).json()
    assert (data["author"], data["anonymous"]) == ("Bob Other", False)


# -- the asker keeps their rights ------------------------------------------------------------


def test_the_asker_edits_their_anonymous_question_and_it_stays_anonymous(client, asker):
    question = make_question(asker, tags=[TAG], anonymous=True)
    client.force_login(asker)
    url = reverse("kb:post-edit", args=[question.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="anonymous"' not in form.content.decode()  # fixed at asking
    response = client.post(
        url, {"title": question.title, "body": question.body + " More.", "tags": TAG}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.body.endswith(" More.")
    assert question.is_anonymous
    assert question.revisions.get().editor == asker


def test_others_cannot_edit_and_visitors_are_sent_to_log_in(client, bob):
    question = make_question(anonymous=True)
    url = reverse("kb:post-edit", args=[question.pk])
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    client.force_login(bob)
    assert (
        client.post(url, {"title": question.title, "body": "x" * 40, "tags": TAG}).status_code
        == 403
    )


def test_the_asker_accepts_others_may_not_and_get_is_refused(client, asker, bob):
    question = make_question(asker, anonymous=True)
    answer = make_answer(question, author=bob)
    url = reverse("kb:question-accept", args=[question.pk, answer.pk])
    assert client.post(url)["Location"].startswith(reverse("accounts:login"))
    client.force_login(bob)
    assert client.post(url).status_code == 403
    client.force_login(asker)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk


def test_the_asker_sees_accept_and_edit_on_the_page(client, asker, bob):
    question = make_question(asker, anonymous=True)
    make_answer(question, author=bob)
    client.force_login(asker)
    html = _get_ok(client, question.get_absolute_url())
    assert "Accept this answer" in html
    assert reverse("kb:post-edit", args=[question.pk]) in html


# -- the ask form -----------------------------------------------------------------------------


def _ask(client, **extra):
    return client.post(
        reverse("kb:question-ask"),
        {
            "title": "Should I report my manager to HR or just leave?",
            "body": "A long enough description of a delicate situation at work.",
            "tags": TAG,
            **extra,
        },
    )


def test_the_ask_form_offers_anonymous_asking_and_explains_it(client, asker):
    client.force_login(asker)
    html = _get_ok(client, reverse("kb:question-ask"))
    assert 'type="checkbox" name="anonymous"' in html
    assert "Ask anonymously" in html
    assert "Staff can still see who asked" in html
    assert "no reputation" in html


def test_asking_anonymously_saves_an_anonymous_question(client, asker):
    client.force_login(asker)
    response = _ask(client, anonymous="on")
    question = Post.objects.questions().get()
    assert response["Location"] == question.get_absolute_url()
    assert question.is_anonymous
    assert question.author == asker


def test_asking_without_the_box_signs_the_question(client, asker):
    client.force_login(asker)
    _ask(client)
    assert not Post.objects.questions().get().is_anonymous


def test_a_preview_keeps_the_box_ticked(client, asker):
    client.force_login(asker)
    html = _ask(client, anonymous="on", preview="1").content.decode()
    assert re.search(r'<input type="checkbox" name="anonymous"[^>]* checked>', html)
    assert not Post.objects.exists()


def test_an_experience_post_has_no_anonymous_box(client, asker):
    client.force_login(asker)
    assert 'name="anonymous"' not in _get_ok(client, reverse("kb:post-create"))


# -- costs ------------------------------------------------------------------------------------


def test_an_anonymous_thread_costs_no_more_queries(
    client, asker, bob, django_assert_max_num_queries
):
    question = make_question(asker, anonymous=True)
    for _ in range(3):
        answer = make_answer(question, author=make_user())
        make_comment(answer, author=asker)
    make_answer(question, author=asker)
    client.force_login(bob)
    with django_assert_max_num_queries(13):  # the question page's budget
        assert client.get(question.get_absolute_url()).status_code == 200


def test_the_revisions_page_reads_the_post_once(client, asker, django_assert_max_num_queries):
    question = make_question(asker, anonymous=True)
    for n in range(4):
        question.edit(asker, title=question.title, body=f"{question.body} {n}", tags=[])
    with django_assert_max_num_queries(4):
        html = client.get(reverse("kb:post-revisions", args=[question.pk])).content.decode()
    assert html.count("Anonymous member") == 4


# -- the demo community ------------------------------------------------------------------------


def test_the_demo_has_an_anonymous_question_and_loads_it_anonymous(client):
    from django.core.management import call_command

    from kb.demo import read_community

    (entry,) = [question for question in read_community().questions if question.anonymous]
    call_command("load_demo", stdout=StringIO())
    question = Post.objects.get(title=entry.title)
    assert question.is_anonymous
    asker_comments = Comment.objects.filter(author=question.author, post__parent=question)
    assert asker_comments.exists()
    assert all(comment.is_anonymous for comment in asker_comments)
    asker = question.author
    html = _get_ok(client, question.get_absolute_url())
    assert asker.name not in html
    assert asker.get_absolute_url() not in html


def test_an_anonymous_experience_post_in_a_demo_file_is_refused(tmp_path):
    from kb.demo import DemoDataError, read_community

    path = tmp_path / "community.toml"
    path.write_text(
        """
[[members]]
username = "alice"
name = "Alice Example"
headline = "Mechanical design engineer"
bio = "Gearboxes by day."

[[experiences]]
title = "From gearboxes to perception in a year"
author = "alice"
days_ago = 10
tags = ["career-switch"]
views = 12
anonymous = true
body = '''
A story long enough to be a post: courses, a project, an interview.
'''
""",
        encoding="utf-8",
    )
    with pytest.raises(DemoDataError, match=r"unknown key.*anonymous"):
        read_community(path)


def test_an_anonymous_askers_background_shows_nowhere_in_their_thread(client, settings):
    """The background line, the background filters and the searchable role would each tell
    readers who the anonymous asker is: none of them reads the asker's background."""
    settings.BACKGROUND_FILTER_MIN_ANSWERS = 1
    asker = make_user(
        USERNAME, current_role="Quillcorp wrangler", company_size="startup", highest_degree="phd"
    )
    question = make_question(asker, anonymous=True)
    own_answer = make_answer(question, author=asker, body="Update: I moved teams.")
    others = make_user("dana", current_role="Data engineer", company_size="startup")
    make_answer(question, author=others, body="Talk to your skip-level first.")

    page = _get_ok(client, question.get_absolute_url())
    assert "Data engineer" in page  # the other answerer's background is shown
    assert_no_trace(page, "the thread page")
    assert "from people with a PhD" not in page  # only the asker has a PhD
    startups = _get_ok(client, question.get_absolute_url() + "?background=startup")
    assert "1 of 2 answers from people at startups" in startups
    assert "Update: I moved teams." not in startups
    assert "quillcorp" not in documents.document_for(own_answer).body.lower()
