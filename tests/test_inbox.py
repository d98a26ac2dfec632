"""The inbox: who is told about what, follows and bookmarks, the bell and /inbox/."""

import pytest
from taggit.models import Tag

from kb import follows
from kb.inbox_models import Bookmark, Notification, QuestionFollow, TagFollow
from kb.models import HoldReason, Post
from tests.factories import make_answer, make_comment, make_experience, make_question, make_user

Kind = Notification.Kind


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def carol(db):
    return make_user("carol", display_name="Carol Third")


# -- who hears about what ----------------------------------------------------------------


def test_an_answer_tells_the_asker(alice, bob):
    question = make_question(alice)
    answer = make_answer(question, author=bob)
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.actor, note.post) == (Kind.ANSWER, bob, answer)
    assert note.read_at is None
    assert note.emailed_at is None
    assert note.get_absolute_url() == answer.get_absolute_url()


def test_a_comment_on_a_question_tells_the_asker(alice, bob):
    question = make_question(alice)
    comment = make_comment(question, author=bob)
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.comment) == (Kind.COMMENT, comment)
    assert note.get_absolute_url().endswith(f"#comment-{comment.pk}")


def test_a_comment_on_an_answer_tells_its_author_not_the_asker(alice, bob, carol):
    question = make_question(alice)
    answer = make_answer(question, author=bob)
    make_comment(answer, author=carol)
    assert kinds_for(bob) == [Kind.COMMENT]
    assert kinds_for(alice) == [Kind.ANSWER]


def test_a_comment_on_an_experience_post_tells_its_author(alice, bob):
    post = make_experience(alice)
    make_comment(post, author=bob)
    assert kinds_for(alice) == [Kind.COMMENT]


def test_an_accepted_answer_tells_its_author(alice, bob):
    question = make_question(alice)
    answer = make_answer(question, author=bob)
    question.accept(answer, by=alice)
    assert kinds_for(bob) == [Kind.ACCEPTED]
    question.accept(answer, by=alice)  # accepting again changes nothing and tells nobody
    assert kinds_for(bob) == [Kind.ACCEPTED]


def test_a_mention_tells_the_member_and_links_the_profile(alice, bob, carol):
    question = make_question(alice)
    answer = make_answer(question, author=bob, body="Ask @carol, she made the move. @nobody too.")
    assert kinds_for(carol) == [Kind.MENTION]
    assert '<a href="/users/carol/" rel="nofollow ugc noopener">@carol</a>' in answer.body_html
    assert "@nobody" in answer.body_html
    assert "/users/nobody/" not in answer.body_html


def test_a_mention_in_a_comment_tells_the_member(alice, bob, carol):
    question = make_question(alice)
    comment = make_comment(question, author=bob, body="@carol what do you think?")
    assert kinds_for(carol) == [Kind.MENTION]
    assert 'href="/users/carol/"' in comment.body_html


def test_mentions_in_code_and_e_mail_addresses_are_not_mentions(alice, bob, carol):
    question = make_question(alice)
    answer = make_answer(question, author=bob, body="Write to x@carol or run `@carol`.")
    assert kinds_for(carol) == []
    assert "/users/carol/" not in answer.body_html


def test_an_edit_that_adds_a_mention_tells_only_the_newly_named(client, alice, bob, carol):
    dana = make_user("dana")
    question = make_question(alice)
    answer = make_answer(question, author=bob, body="Ask @carol, she made the move.")
    client.force_login(bob)
    response = client.post(
        f"/posts/{answer.pk}/edit/",
        {"body": "Ask @carol, she made the move, and @dana, who went the other way."},
    )
    assert response.status_code == 302
    assert kinds_for(carol) == [Kind.MENTION]  # named before: told once
    note = Notification.objects.get(recipient=dana)
    assert (note.kind, note.actor, note.post) == (Kind.MENTION, bob, answer)
    answer.refresh_from_db()
    answer.edit(bob, body=answer.body + " Good luck!")  # no new name: nobody told again
    assert Notification.objects.filter(kind=Kind.MENTION).count() == 2
    for body in ("No names now.", "Ask @carol and @dana."):  # named again after a removal
        answer.refresh_from_db()
        answer.edit(bob, body=body)
    assert Notification.objects.filter(kind=Kind.MENTION).count() == 2


def test_an_edit_of_a_hidden_post_tells_nobody(alice, bob, carol):
    question = make_question(alice)
    answer = make_answer(question, author=bob, body="My two cents.")
    answer.hold(HoldReason.FLAGGED)
    answer.edit(bob, body="My two cents, and @carol's.")
    assert kinds_for(carol) == []


def test_a_new_question_in_a_followed_tag_tells_the_follower(alice, carol):
    TagFollow.objects.create(user=carol, tag=Tag.objects.create(name="phd", slug="phd"))
    question = make_question(alice, tags=["phd", "career"])
    make_question(alice, tags=["other"])
    note = Notification.objects.get(recipient=carol)
    assert (note.kind, note.post) == (Kind.TAG_QUESTION, question)


def test_a_new_answer_tells_the_followers_of_the_question(alice, bob, carol):
    question = make_question(alice)
    QuestionFollow.objects.create(user=carol, question=question)
    make_answer(question, author=bob)
    assert kinds_for(carol) == [Kind.FOLLOWED_ANSWER]
    assert kinds_for(alice) == [Kind.ANSWER]  # the most direct reason only, once


def test_asking_and_answering_follow_the_question(alice, bob, carol):
    question = make_question(alice)
    make_answer(question, author=bob)
    make_answer(question, author=carol)
    assert set(QuestionFollow.objects.values_list("user__username", flat=True)) == {
        "alice",
        "bob",
        "carol",
    }
    assert kinds_for(bob) == [Kind.FOLLOWED_ANSWER]  # bob hears about carol's answer


def test_nobody_is_told_about_their_own_actions(alice):
    TagFollow.objects.create(user=alice, tag=Tag.objects.create(name="phd", slug="phd"))
    question = make_question(alice, tags=["phd"], body="Note to self, @alice.")
    answer = make_answer(question, author=alice)
    make_comment(question, author=alice)
    make_comment(answer, author=alice, body="@alice")
    question.accept(answer, by=alice)
    assert not Notification.objects.exists()


def test_deleted_content_leaves_the_inbox_and_the_count(alice, bob, carol, alice_client):
    question = make_question(alice)
    answer = make_answer(question, author=bob)
    comment = make_comment(question, author=carol)
    assert alice_client.get("/inbox/").content.decode().count('class="inbox-item') == 2
    Notification.objects.update(read_at=None)
    answer.soft_delete(by=bob)
    comment.soft_delete()
    html = alice_client.get("/").content.decode()
    assert 'class="bell-count"' not in html
    assert 'class="inbox-item' not in alice_client.get("/inbox/").content.decode()


def test_a_notification_rolls_back_with_its_answer(alice, bob):
    from django.db import transaction

    question = make_question(alice)

    def answer_then_fail():
        with transaction.atomic():
            make_answer(question, author=bob)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        answer_then_fail()
    assert not Notification.objects.exists()


# -- the bell ----------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(alice, bob, alice_client):
    question = make_question(alice)
    make_answer(question, author=bob)
    make_comment(question, author=bob)
    html = alice_client.get("/").content.decode()
    assert '<span class="bell-count">2</span>' in html
    assert 'href="/inbox/"' in html


def test_no_bell_for_visitors(client, alice, bob):
    make_answer(make_question(alice), author=bob)
    html = client.get("/").content.decode()
    assert "bell-count" not in html
    assert 'class="inbox-bell' not in html


def test_the_bell_is_one_query_then_cached(alice, bob, alice_client, django_assert_num_queries):
    from kb.notifications import unread_count

    make_answer(make_question(alice), author=bob)
    with django_assert_num_queries(1):
        assert unread_count(alice) == 1
    with django_assert_num_queries(0):
        assert unread_count(alice) == 1


def test_the_bell_follows_new_notifications_and_reading(alice, bob, alice_client):
    from kb.notifications import unread_count

    question = make_question(alice)
    assert unread_count(alice) == 0
    make_answer(question, author=bob)
    assert unread_count(alice) == 1
    alice_client.get("/inbox/")
    assert unread_count(alice) == 0


# -- /inbox/ ---------------------------------------------------------------------------


def test_inbox_needs_log_in(client):
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_inbox_lists_newest_first_and_marks_read_on_open(alice, bob, alice_client):
    first = make_question(alice, title="First question about PhDs")
    second = make_question(alice, title="Second question about startups")
    make_answer(first, author=bob)
    make_answer(second, author=bob)
    html = alice_client.get("/inbox/").content.decode()
    assert html.index("Second question about startups") < html.index("First question about PhDs")
    assert html.count('class="inbox-new"') == 2  # shown as new this once
    assert "Bob Other</strong> answered your question" in html
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'class="inbox-new"' not in alice_client.get("/inbox/").content.decode()


def test_inbox_is_paginated_and_marks_only_the_page_read(alice, bob, alice_client):
    question = make_question(alice)
    for _ in range(35):
        make_comment(question, author=bob)
    html = alice_client.get("/inbox/").content.decode()
    assert html.count('class="inbox-item') == 30
    assert "Page 1 of 2" in html
    assert Notification.objects.filter(read_at__isnull=True).count() == 5
    assert alice_client.get("/inbox/?page=2").content.decode().count('class="inbox-item') == 5
    assert alice_client.get("/inbox/?page=abc").status_code == 200


def test_inbox_shows_only_my_notifications(alice, bob, carol, client):
    make_answer(make_question(alice, title="Alice's own question"), author=bob)
    client.force_login(carol)
    html = client.get("/inbox/").content.decode()
    assert "Alice's own question" not in html
    assert "Nothing here yet" in html


def test_mark_all_read(alice, bob, alice_client):
    question = make_question(alice)
    make_answer(question, author=bob)
    response = alice_client.post("/inbox/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "bell-count" not in alice_client.get("/").content.decode()


def test_mark_all_read_is_post_only_with_csrf(alice, bob, client):
    make_answer(make_question(alice), author=bob)
    client.force_login(alice)
    assert client.get("/inbox/read/").status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/inbox/read/").status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_inbox_query_count_is_constant(alice, bob, alice_client, django_assert_max_num_queries):
    question = make_question(alice)
    make_answer(question, author=bob)
    with django_assert_max_num_queries(12) as few:
        alice_client.get("/inbox/")
    for _ in range(10):
        make_answer(make_question(alice), author=make_user())
        make_comment(question, author=make_user())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert alice_client.get("/inbox/").content.decode().count('class="inbox-item') == 21


# -- follow, unfollow, bookmark ------------------------------------------------------------


def test_follow_and_unfollow_a_question(alice, bob, client):
    question = make_question(alice)
    client.force_login(bob)
    response = client.post(f"/questions/{question.pk}/follow/", {"state": "on"})
    assert response.status_code == 302
    assert QuestionFollow.objects.filter(user=bob, question=question).exists()
    html = client.get(question.get_absolute_url()).content.decode()
    assert ">Following</button>" in html
    client.post(f"/questions/{question.pk}/follow/", {"state": "on"})  # a double click
    assert QuestionFollow.objects.filter(user=bob).count() == 1
    client.post(f"/questions/{question.pk}/follow/", {"state": "off"})
    assert not QuestionFollow.objects.filter(user=bob).exists()
    make_answer(question, author=make_user())
    assert kinds_for(bob) == []


def test_the_question_pages_follow_state_is_cached_and_forgotten_when_it_changes(
    alice, bob, client, django_assert_num_queries
):
    question = make_question(alice)
    client.force_login(bob)
    page = question.get_absolute_url()
    assert ">Follow</button>" in client.get(page).content.decode()
    make_answer(question, author=bob)  # answering follows the question, no button pressed
    html = client.get(page).content.decode()
    assert ">Following</button>" in html
    assert ">Bookmark</button>" in html
    Bookmark.objects.create(user=bob, question=question)  # any way a row is made
    assert ">Bookmarked</button>" in client.get(page).content.decode()
    QuestionFollow.objects.filter(user=bob).delete()  # or removed
    assert ">Follow</button>" in client.get(page).content.decode()
    with django_assert_num_queries(0):  # read from the cache: no query
        assert follows.follow_and_bookmark_state(bob, question) == {
            "following": False,
            "bookmarked": True,
        }


def test_follow_answers_json(alice, bob, client):
    question = make_question(alice)
    client.force_login(bob)
    response = client.post(
        f"/questions/{question.pk}/follow/", {"state": "on"}, HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"on": True, "count": 2}  # alice follows what she asked


def test_bookmark_a_question(alice, bob, client):
    question = make_question(alice, title="Worth keeping for later")
    client.force_login(bob)
    client.post(f"/questions/{question.pk}/bookmark/", {"state": "on"})
    assert Bookmark.objects.filter(user=bob, question=question).exists()
    assert ">Bookmarked</button>" in client.get(question.get_absolute_url()).content.decode()
    html = client.get("/questions/?show=bookmarks").content.decode()
    assert "Worth keeping for later" in html
    client.post(f"/questions/{question.pk}/bookmark/", {"state": "off"})
    html = client.get("/questions/?show=bookmarks").content.decode()
    assert "Worth keeping for later" not in html


def test_following_tab_lists_followed_questions_only(alice, bob, client):
    asked = make_question(bob, title="Bob asked this one")
    make_question(alice, title="Someone else's question")
    client.force_login(bob)
    html = client.get("/questions/?show=following").content.decode()
    assert "Bob asked this one" in html
    assert "Someone else&#x27;s question" not in html
    assert asked.pk
    all_html = client.get("/questions/").content.decode()
    assert 'href="/questions/?sort=newest&amp;show=following"' in all_html


def test_member_tabs_need_log_in(client):
    response = client.get("/questions/?show=bookmarks")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_own_profile_links_following_and_bookmarks(alice, bob, alice_client):
    html = alice_client.get("/users/alice/").content.decode()
    assert "?show=following" in html
    assert "?show=bookmarks" in html
    assert (
        'class="tabs list-tabs section-gap profile-tabs"'
        not in alice_client.get("/users/bob/").content.decode()
    )


def test_follow_a_tag_shows_the_count_and_notifies(alice, bob, client):
    make_question(alice, tags=["phd"])
    client.force_login(bob)
    assert ">Follow phd</button>" in client.get("/tags/phd/").content.decode()
    response = client.post("/tags/phd/follow/", {"state": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/tags/phd/"
    html = client.get("/tags/phd/").content.decode()
    assert "1 follower<" in html
    assert ">Following phd</button>" in html
    question = make_question(alice, tags=["phd"])
    assert Notification.objects.get(recipient=bob).post == question
    client.post("/tags/phd/follow/", {"state": "off"})
    assert "0 followers" in client.get("/tags/phd/").content.decode()


def test_the_cached_tag_page_shows_a_new_follower(alice, bob, client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    make_question(alice, tags=["phd"])
    assert "0 followers" in client.get("/tags/phd/").content.decode()
    TagFollow.objects.all().delete()
    bob_client = type(client)()
    bob_client.force_login(bob)
    bob_client.post("/tags/phd/follow/", {"state": "on"})
    assert "1 follower<" in client.get("/tags/phd/").content.decode()


@pytest.mark.parametrize(
    "url", ["/questions/{pk}/follow/", "/questions/{pk}/bookmark/", "/tags/phd/follow/"]
)
def test_follow_views_refuse_bad_input(url, alice, bob, client):
    question = make_question(alice, tags=["phd"])
    url = url.format(pk=question.pk)
    assert client.post(url, {"state": "on"}).status_code == 302  # to the log-in page
    client.force_login(bob)
    assert client.get(url).status_code == 405
    assert client.post(url, {"state": "maybe"}).status_code == 400
    assert client.post(url).status_code == 400
    response = client.post(url, {"state": "yes"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Bookmark.objects.filter(user=bob).exists()
    assert not TagFollow.objects.filter(user=bob).exists()


def test_follow_views_refuse_missing_and_deleted_things(alice, bob, client):
    question = make_question(alice)
    question.soft_delete(by=alice)
    client.force_login(bob)
    assert client.post(f"/questions/{question.pk}/follow/", {"state": "on"}).status_code == 404
    assert client.post("/questions/999999/bookmark/", {"state": "on"}).status_code == 404
    assert client.post("/tags/nope/follow/", {"state": "on"}).status_code == 404
    answer = make_answer(make_question(alice), author=bob)
    assert client.post(f"/questions/{answer.pk}/follow/", {"state": "on"}).status_code == 404


def test_follow_views_need_csrf(alice, bob):
    from django.test import Client

    question = make_question(alice, tags=["phd"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    for url in (f"/questions/{question.pk}/follow/", f"/questions/{question.pk}/bookmark/"):
        assert strict.post(url, {"state": "on"}).status_code == 403
    assert strict.post("/tags/phd/follow/", {"state": "on"}).status_code == 403
    assert not QuestionFollow.objects.filter(user=bob).exists()


def test_question_page_shows_no_follow_buttons_to_visitors(client, alice):
    question = make_question(alice)
    assert "/follow/" not in client.get(question.get_absolute_url()).content.decode()
    assert Post.objects.count() == 1
