"""Flags, the review queue, suspension and held posts (kb/moderation.py), through the site.

Personas: the author (alice), another member (bob), an anonymous visitor, staff (sam).
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kb import moderation
from kb.models import CanonicalAnswer, Comment, Flag, HoldReason, Notification, Post
from tests.factories import make_answer, make_comment, make_question, make_user

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _flag(user, item, reason="spam", note=""):
    kind = "comment" if isinstance(item, Comment) else "post"
    return _as(user).post(f"/flag/{kind}/{item.pk}/", {"reason": reason, "note": note})


@pytest.fixture
def question(alice):
    return make_question(author=alice, title="Should I take a sales job to get into tech?")


# -- flags ---------------------------------------------------------------------------------


def test_a_member_flags_a_post_with_a_reason_and_a_note(question, bob):
    response = _flag(bob, question, "rude", "  Insults   the asker. ")
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert (flag.post, flag.flagger, flag.reason, flag.note) == (
        question,
        bob,
        "rude",
        "Insults the asker.",
    )
    assert flag.resolved_at is None
    question.refresh_from_db()
    assert not question.held_reason  # one flag of three hides nothing


def test_a_nul_in_a_flag_note_is_a_space(question, bob):
    assert _flag(bob, question, "spam", "Buy\x00now").status_code == 302
    assert Flag.objects.get().note == "Buy now"


def test_flagging_twice_is_refused_with_a_message(question, bob):
    _flag(bob, question)
    response = _flag(bob, question, "rude")
    assert response.status_code == 409
    assert "flagged this already" in response.content.decode()
    assert Flag.objects.count() == 1


def test_flagging_your_own_post_is_refused(question, alice):
    response = _flag(alice, question)
    assert response.status_code == 403
    assert "flag your own post" in response.content.decode()
    assert not Flag.objects.exists()


def test_a_flag_needs_a_known_reason_and_a_bounded_note(question, bob):
    assert _flag(bob, question, reason="boring").status_code == 400
    assert _flag(bob, question, note="x" * 501).status_code == 400
    assert not Flag.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_and_get_is_not_allowed(client, question, bob):
    url = f"/flag/post/{question.pk}/"
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert _as(bob).get(url).status_code == 405
    assert not Flag.objects.exists()


def test_flagging_a_missing_or_deleted_post_is_not_found(question, bob, alice):
    question.soft_delete(by=alice)
    assert _flag(bob, question).status_code == 404
    assert Client().post("/flag/thing/1/").status_code == 302  # log-in first
    assert _as(bob).post("/flag/thing/1/", {"reason": "spam"}).status_code == 404


def test_n_flags_hide_a_post_pending_review(settings, question):
    settings.FLAGS_TO_HIDE = 2
    _flag(make_user(), question)
    question.refresh_from_db()
    assert not question.held_reason
    _flag(make_user(), question, "off-topic")
    question.refresh_from_db()
    assert question.held_reason == HoldReason.FLAGGED
    assert Client().get(question.get_absolute_url()).status_code == 404


def test_flags_of_unverified_members_are_reviewed_but_hide_nothing(settings, question, staff):
    settings.FLAGS_TO_HIDE = 2
    for _ in range(3):
        _flag(make_user(email_verified_at=None), question)
    question.refresh_from_db()
    assert not question.held_reason
    assert Client().get(question.get_absolute_url()).status_code == 200
    assert question.title in _as(staff).get("/review/").content.decode()
    _flag(make_user(), question)
    _flag(make_user(), question)
    question.refresh_from_db()
    assert question.held_reason == HoldReason.FLAGGED


def test_one_staff_flag_hides_at_once(question, staff):
    _flag(staff, question)
    question.refresh_from_db()
    assert question.held_reason == HoldReason.FLAGGED


def test_a_flagged_comment_disappears_for_others_but_not_for_its_author(settings, question, bob):
    settings.FLAGS_TO_HIDE = 1
    comment = make_comment(question, author=bob, body="Buy my course at spam.example now!")
    _flag(make_user(), comment)
    comment.refresh_from_db()
    assert comment.held_reason == HoldReason.FLAGGED
    question.refresh_from_db()
    assert question.comment_count == 0
    assert "spam.example" not in Client().get(question.get_absolute_url()).content.decode()
    own = _as(bob).get(question.get_absolute_url()).content.decode()
    assert "spam.example" in own
    assert "hidden pending review" in own


def test_the_flag_control_shows_to_other_members_only(question, alice, bob):
    url = question.get_absolute_url()
    flag_url = reverse("kb:flag", args=["post", question.pk])
    assert flag_url in _as(bob).get(url).content.decode()
    assert flag_url not in _as(alice).get(url).content.decode()
    assert flag_url not in Client().get(url).content.decode()


def test_flags_are_rate_limited(settings, bob):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "flag": ["2/h"]}
    questions = [make_question() for _ in range(3)]
    client = _as(bob)
    statuses = [
        client.post(f"/flag/post/{q.pk}/", {"reason": "spam"}).status_code for q in questions
    ]
    assert statuses == [302, 302, 429]
    assert Flag.objects.count() == 2


# -- held answers: counts and notifications ------------------------------------------------


def test_a_flag_held_answer_drops_out_of_counts_and_the_askers_inbox(settings, question, bob):
    settings.FLAGS_TO_HIDE = 1
    answer = make_answer(question, author=bob)
    assert Notification.objects.filter(recipient=question.author).shown().count() == 1
    _flag(make_user(), answer)
    question.refresh_from_db()
    assert question.answer_count == 0
    assert Notification.objects.filter(recipient=question.author).shown().count() == 0
    moderation.approve(answer, by=make_user(is_staff=True))
    question.refresh_from_db()
    assert question.answer_count == 1
    assert Notification.objects.filter(recipient=question.author).shown().count() == 1


def test_deleting_a_held_answer_does_not_count_it_twice(settings, question, bob, alice):
    settings.FLAGS_TO_HIDE = 1
    answer = make_answer(question, author=bob)
    make_answer(question)
    _flag(make_user(), answer)
    answer.soft_delete(by=bob)
    question.refresh_from_db()
    assert question.answer_count == 1


# -- the review queue ----------------------------------------------------------------------


def test_review_is_for_staff_only(client, alice, staff):
    assert client.get("/review/").status_code == 302
    assert _as(alice).get("/review/").status_code == 403
    assert _as(staff).get("/review/").status_code == 200


def test_review_lists_flags_first_posts_and_unverified_posts(settings, staff, bob):
    newcomer = make_user("newcomer")
    first = make_question(author=newcomer, title="My very first question about internships")
    flagged = make_question(title="A question somebody found rude and flagged")
    _flag(bob, flagged, "rude", "Calls readers lazy.")
    unverified = make_user("unverified", email_verified_at=None)
    waiting = make_question(author=unverified, title="Waiting for its author to verify e-mail")
    html = _as(staff).get("/review/").content.decode()
    flagged_part, rest = html.split('id="review-first"')
    first_part, held_part = rest.split('id="review-held"')
    assert flagged.title in flagged_part
    assert "Calls readers lazy." in flagged_part
    assert "1 open flag" in flagged_part
    assert "Rude or abusive" in flagged_part
    assert first.title in first_part
    assert waiting.title in held_part
    assert waiting.title not in first_part


def test_review_query_count_is_constant(staff, django_assert_max_num_queries):
    def fill(n):
        for _ in range(n):
            post = make_question(author=make_user())
            _flag(make_user(), post)
            make_comment(post, author=make_user(email_verified_at=None))
            make_question(author=make_user(email_verified_at=None))
            # A flagged comment on an answer: the row names the answer's question too.
            answer = make_answer(post, author=make_user())
            _flag(make_user(), make_comment(answer, author=make_user()))

    fill(1)
    client = _as(staff)
    with django_assert_max_num_queries(14) as few:
        assert client.get("/review/").status_code == 200
    budget = len(few.captured_queries)  # read now: the next request clears the query log
    fill(4)
    with django_assert_max_num_queries(budget):
        assert client.get("/review/").status_code == 200


@pytest.mark.parametrize("action", ["approve", "dismiss", "delete", "suspend"])
def test_review_actions_are_post_only_and_staff_only(action, question, bob, staff, client):
    url = f"/review/post/{question.pk}/{action}/"
    assert client.post(url).status_code == 302  # log in first
    assert _as(bob).post(url).status_code == 403
    assert _as(staff).get(url).status_code == 405
    question.refresh_from_db()
    assert (question.is_deleted, question.held_reason) == (False, "")


def test_approving_releases_and_resolves_the_flags(settings, question, staff):
    settings.FLAGS_TO_HIDE = 1
    _flag(make_user(), question)
    response = _as(staff).post(f"/review/post/{question.pk}/approve/")
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.held_reason, question.needs_review) == ("", False)
    flag = Flag.objects.get()
    assert (flag.resolution, flag.resolved_by) == ("approved", staff)
    assert Client().get(question.get_absolute_url()).status_code == 200


def test_dismissing_resolves_the_flags_and_lifts_their_hold(settings, question, staff):
    settings.FLAGS_TO_HIDE = 1
    _flag(make_user(), question)
    _as(staff).post(f"/review/post/{question.pk}/dismiss/")
    question.refresh_from_db()
    assert not question.held_reason
    assert Flag.objects.get().resolution == "dismissed"
    assert 'Flagged <span class="muted">(0)' in _as(staff).get("/review/").content.decode()


def test_deleting_soft_deletes_and_resolves(question, bob, staff):
    _flag(bob, question)
    _as(staff).post(f"/review/post/{question.pk}/delete/")
    question.refresh_from_db()
    assert question.is_deleted
    assert question.deleted_by == staff
    assert Flag.objects.get().resolution == "deleted"


def test_delete_and_suspend_hides_everything_the_author_wrote(question, alice, bob, staff):
    other = make_question(author=alice, title="Another question by the same author here")
    comment = make_comment(make_question(), author=alice)
    _flag(bob, question)
    _as(staff).post(f"/review/post/{question.pk}/suspend/", {"reason": "Spam ring"})
    alice.refresh_from_db()
    assert alice.suspended_at is not None
    assert alice.suspended_reason == "Spam ring"
    question.refresh_from_db()
    other.refresh_from_db()
    comment.refresh_from_db()
    assert question.is_deleted
    assert other.held_reason == comment.held_reason == HoldReason.SUSPENDED
    assert Client().get(other.get_absolute_url()).status_code == 404


def test_a_comment_can_be_reviewed_too(settings, question, bob, staff):
    settings.FLAGS_TO_HIDE = 1
    comment = make_comment(question, author=bob)
    _flag(make_user(), comment)
    _as(staff).post(f"/review/comment/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.is_deleted
    question.refresh_from_db()
    assert question.comment_count == 0  # uncounted once, when it was held


def test_a_flag_held_answer_deleted_from_review_and_restored_shows_and_counts(
    settings, question, bob, staff
):
    settings.FLAGS_TO_HIDE = 1
    answer = make_answer(question, author=bob)
    _flag(make_user(), answer)
    _as(staff).post(f"/review/post/{answer.pk}/delete/")
    answer.refresh_from_db()
    answer.restore(by=staff)
    answer.refresh_from_db()
    question.refresh_from_db()
    assert (answer.is_deleted, answer.held_reason) == (False, "")
    assert question.answer_count == 1
    assert answer.body in Client().get(question.get_absolute_url()).content.decode()


def test_staff_see_the_pending_count_in_the_header(question, bob, staff):
    client = _as(staff)
    html = client.get("/").content.decode()
    assert 'href="/review/"' in html
    # alice's question is a new account's first post: one item waits.
    assert 'Review queue,</span><span class="bell-count">1</span>' in html
    _flag(bob, question)  # now listed as flagged instead: still one
    make_question(author=make_user(email_verified_at=None))
    html = client.get("/").content.decode()  # the count follows the content version
    assert 'Review queue,</span><span class="bell-count">2</span>' in html
    assert 'href="/review/"' not in _as(bob).get("/").content.decode()


# -- suspension ----------------------------------------------------------------------------


@pytest.fixture
def suspended(alice, staff):
    alice.suspend(by=staff, reason="Repeated spam")
    alice.refresh_from_db()
    return alice


def test_a_suspended_member_cannot_post_vote_flag_or_edit(suspended, bob):
    theirs = Post.objects.create(
        kind="question", author=suspended, title="Old question", body="b" * 40
    )
    other = make_question(author=bob)
    client = _as(suspended)
    attempts = {
        "ask": client.post("/questions/ask/", {"title": "t" * 20, "body": "b" * 40, "tags": "x"}),
        "write": client.post("/posts/new/", {"title": "t" * 20, "body": "b" * 40, "tags": "x"}),
        "answer": client.post(f"/questions/{other.pk}/answer/", {"body": "b" * 40}),
        "comment": client.post(f"/posts/{other.pk}/comments/", {"body": "c" * 20}),
        "vote": client.post(f"/posts/{other.pk}/vote/"),
        "flag": client.post(f"/flag/post/{other.pk}/", {"reason": "spam"}),
        "edit": client.post(f"/posts/{theirs.pk}/edit/", {"title": "t" * 20, "body": "b" * 40}),
    }
    for name, response in attempts.items():
        assert response.status_code == 403, name
        assert "Your account is suspended" in response.content.decode(), name
    assert Post.objects.filter(author=suspended).count() == 1
    assert (Comment.objects.count(), Flag.objects.count()) == (0, 0)


def test_a_suspended_member_loses_trusted_and_asker_rights_too(suspended, bob, settings):
    """Closing, start-here marks, accepting, outcomes, consent and "still true": a
    suspension stops them all, whatever the member's reputation."""
    settings.CLOSE_MIN_REPUTATION = settings.CANONICAL_MIN_REPUTATION = 100
    User.objects.filter(pk=suspended.pk).update(reputation=10_000)
    theirs = Post.objects.create(
        kind="question", author=suspended, title="My old question", body="b" * 40
    )
    answer = make_answer(theirs, author=bob)
    own_answer = Post.objects.create(
        kind="answer", parent=theirs, author=suspended, body="An old answer " * 4
    )
    other = make_question(author=bob, tags=["phd"])
    others_answer = make_answer(other, author=make_user())
    client = _as(suspended)
    attempts = {
        "accept": client.post(f"/questions/{theirs.pk}/accept/{answer.pk}/"),
        "close": client.post(f"/questions/{other.pk}/close/", {"kind": "off-topic"}),
        "start here": client.post(f"/posts/{others_answer.pk}/canonical/", {"tag": "phd"}),
        "outcome": client.post(f"/questions/{theirs.pk}/outcome/", {"body": "o" * 60}),
        "consent": client.post(f"/questions/{theirs.pk}/outcome/consent/", {"state": "on"}),
        "still true": client.post(f"/posts/{own_answer.pk}/reconfirm/"),
    }
    for name, response in attempts.items():
        assert response.status_code == 403, name
        assert "Your account is suspended" in response.content.decode(), name
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.accepted_answer_id is None
    assert not theirs.outcome_reported_at
    assert not theirs.outcome_by_answerer
    assert not other.is_closed
    assert not CanonicalAnswer.objects.exists()


def test_a_suspended_member_gets_json_refusals_from_scripts(suspended, bob):
    other = make_question(author=bob)
    response = _as(suspended).post(f"/posts/{other.pk}/vote/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "suspended" in json.loads(response.content)["error"]


def test_a_suspended_member_sees_no_buttons_and_a_banner(suspended, bob):
    other = make_question(author=bob)
    html = _as(suspended).get(other.get_absolute_url()).content.decode()
    assert "Your account is suspended" in html
    for hidden in ("js-vote", "Add a comment", "Post your answer", "/flag/", "ask-button"):
        assert hidden not in html, hidden


def test_the_domain_refuses_a_suspended_member_too(suspended, bob):
    other = make_question(author=bob)
    Post.objects.create(kind="answer", parent=other, author=suspended, body="b" * 40)
    for action in (
        lambda: Post.publish(suspended, kind="question", title="t" * 20, body="b" * 40),
        lambda: other.add_answer(suspended, "b" * 40),
        lambda: other.add_comment(suspended, "c" * 20),
        lambda: other.toggle_vote(suspended),
        lambda: moderation.flag(other, by=suspended, reason="spam"),
        lambda: Post.objects.filter(author=suspended).first().edit(suspended, body="b" * 40),
    ):
        with pytest.raises(moderation.MemberSuspended):
            action()


def test_staff_suspend_and_unsuspend_from_the_profile(alice, staff, bob):
    post = make_question(author=alice)
    client = _as(staff)
    assert _as(bob).post(f"/review/members/{alice.pk}/suspend/").status_code == 403
    assert client.get(f"/review/members/{alice.pk}/suspend/").status_code == 405
    client.post(f"/review/members/{alice.pk}/suspend/", {"reason": "Spam", "hide_content": "1"})
    alice.refresh_from_db()
    post.refresh_from_db()
    assert alice.is_suspended
    assert post.held_reason == HoldReason.SUSPENDED
    assert "Unsuspend" in client.get(alice.get_absolute_url()).content.decode()
    response = client.post(f"/review/members/{alice.pk}/unsuspend/", follow=True)
    assert "can post again; 1 hidden item(s) are shown again." in response.content.decode()
    alice.refresh_from_db()
    post.refresh_from_db()
    assert not alice.is_suspended
    assert not post.held_reason


def test_a_suspended_member_who_verifies_publishes_nothing_until_unsuspended(staff, bob):
    spammer = make_user("spammer", email_verified_at=None)
    question = make_question(author=spammer, tags=["phd"])
    assert question.held_reason == HoldReason.UNVERIFIED
    spammer.suspend(by=staff, reason="Spam", hide_content=True)
    assert spammer.verify_email() == 0
    question.refresh_from_db()
    assert question.held_reason == HoldReason.UNVERIFIED
    assert Client().get(question.get_absolute_url()).status_code == 404
    assert spammer.unsuspend(by=staff) == 1  # verified meanwhile: published now
    question.refresh_from_db()
    assert not question.held_reason


def test_a_suspended_member_is_told_by_e_mail_once_with_the_reason(
    alice, staff, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        _as(staff).post(f"/review/members/{alice.pk}/suspend/", {"reason": "Spam & <links>"})
    assert [message.to for message in mailoutbox] == [[alice.email]]
    assert mailoutbox[0].subject == "Your CareerKB account is suspended"
    assert "Reason given: Spam & <links>" in mailoutbox[0].body  # plain text, not HTML
    assert f"/users/{alice.username}/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):  # a new reason: no second e-mail
        _as(staff).post(f"/review/members/{alice.pk}/suspend/", {"reason": "Spam, again"})
    assert len(mailoutbox) == 1


def test_no_suspension_e_mail_to_an_address_that_cannot_receive_it(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    for member in (
        make_user(email="demo@careerkb.invalid"),
        make_user(email_verified_at=None),
        make_user(is_imported=True),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            member.suspend(by=staff, reason="Spam")
    assert mailoutbox == []


def test_hide_all_content_in_one_step_and_staff_cannot_be_suspended(alice, staff):
    make_question(author=alice)
    make_comment(make_question(), author=alice)
    client = _as(staff)
    client.post(f"/review/members/{alice.pk}/hide/")
    assert not Post.objects.filter(author=alice).visible().exists()
    assert not Comment.objects.filter(author=alice, held_reason="").exists()
    other_staff = make_user(is_staff=True)
    client.post(f"/review/members/{other_staff.pk}/suspend/")
    other_staff.refresh_from_db()
    assert not other_staff.is_suspended


# -- the admin goes through the same domain ------------------------------------------------


def test_the_admin_approves_held_posts_and_suspends_members(settings, question, alice):
    settings.FLAGS_TO_HIDE = 1
    superuser = make_user("root", is_staff=True, is_superuser=True)
    _flag(make_user(), question)
    client = _as(superuser)
    response = client.post(
        "/admin/kb/post/", {"action": "approve_items", "_selected_action": [question.pk]}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert not question.held_reason
    assert Flag.objects.get().resolution == "approved"
    assert client.get("/admin/kb/flag/").status_code == 200

    client.post(
        "/admin/accounts/user/", {"action": "suspend_members", "_selected_action": [alice.pk]}
    )
    alice.refresh_from_db()
    question.refresh_from_db()
    assert alice.is_suspended
    assert question.held_reason == HoldReason.SUSPENDED
    client.post(
        "/admin/accounts/user/", {"action": "unsuspend_members", "_selected_action": [alice.pk]}
    )
    question.refresh_from_db()
    assert not question.held_reason


# -- settings and the pending count ----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_FLAGS_TO_HIDE": "0"}, "KB_FLAGS_TO_HIDE must be 1 or more"),
        ({"KB_UNVERIFIED_POSTS_NEED_REVIEW": "sometimes"}, "KB_UNVERIFIED_POSTS_NEED_REVIEW"),
        ({"KB_RATE_FLAG": "lots"}, "KB_RATE_FLAG"),
    ],
)
def test_a_bad_moderation_setting_stops_start_up(tmp_path, env, message):
    from tests.test_settings import _start

    result = _start(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_pending_count_counts_each_waiting_item_once(bob, staff):
    flagged = make_question(title="A question flagged by two members")
    _flag(bob, flagged)
    _flag(make_user(), flagged)
    newcomer = make_user("newcomer", email_verified_at=None)
    make_question(author=newcomer)  # held: listed as unverified, not also as a first post
    make_question(author=make_user())  # a first post of a new account
    assert moderation.pending_count() == 3
    moderation.approve(flagged, by=staff)
    assert moderation.pending_count() == 2


def test_an_unknown_review_action_is_a_bad_request(question, staff):
    response = _as(staff).post(f"/review/post/{question.pk}/promote/")
    assert response.status_code == 400
    assert _as(staff).post(f"/review/thing/{question.pk}/approve/").status_code == 404


# -- who sees a held post: (anonymous, author, other member, staff) x (held reasons) -------

HELD_EXPECTED = {  # (view, edit, delete)
    "anonymous": (False, False, False),
    "author": (True, True, True),
    "other": (False, False, False),
    "staff": (True, True, True),
}


@pytest.mark.parametrize("reason", HoldReason.values)
@pytest.mark.parametrize("persona", list(HELD_EXPECTED))
def test_a_held_answer_follows_the_rules(reason, persona, question, alice, bob, staff):
    from django.contrib.auth.models import AnonymousUser

    from kb import permissions

    answer = make_answer(question, author=bob)
    answer.hold(reason)
    answer = Post.objects.select_related("parent").get(pk=answer.pk)
    user = {"anonymous": AnonymousUser(), "author": bob, "other": alice, "staff": staff}[persona]
    rules = (
        permissions.can_view(user, answer),
        permissions.can_edit(user, answer),
        permissions.can_delete(user, answer),
    )
    assert rules == HELD_EXPECTED[persona]
    assert not permissions.can_flag(user, answer)
    response = (Client() if persona == "anonymous" else _as(user)).get(
        f"/posts/{answer.pk}/revisions/"
    )
    assert response.status_code == (200 if HELD_EXPECTED[persona][0] else 404)


def test_an_answer_under_a_held_question_is_hidden_even_from_its_author(question, bob):
    from kb import permissions

    answer = make_answer(question, author=bob)
    question.hold(HoldReason.FLAGGED)
    answer = Post.objects.select_related("parent").get(pk=answer.pk)
    assert not permissions.can_view(bob, answer)
    assert not answer.is_public


def test_staff_see_held_comments_on_the_page_with_a_note(settings, question, bob, staff):
    settings.FLAGS_TO_HIDE = 1
    comment = make_comment(question, author=bob, body="Buy my course at spam.example now!")
    _flag(make_user(), comment)
    html = _as(staff).get(question.get_absolute_url()).content.decode()
    assert "spam.example" in html
    assert "hidden pending review" in html
    assert "spam.example" not in _as(make_user()).get(question.get_absolute_url()).content.decode()


# -- concurrency (PostgreSQL row locks) ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_flags_hold_an_answer_once_and_count_it_out_once(settings):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serialises writers anyway")
    settings.FLAGS_TO_HIDE = 3
    question = make_question()
    answer = make_answer(question)
    make_answer(question)
    flaggers = [make_user(f"parallel-flagger{i}") for i in range(6)]
    barrier = threading.Barrier(len(flaggers) + 1)
    errors = []

    def flag(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(f"/flag/post/{answer.pk}/", {"reason": "spam"})
            if response.status_code not in (302, 404):  # 404: hidden before this flag came
                errors.append(response.status_code)
        finally:
            connection.close()

    def approve():
        barrier.wait()
        try:
            moderation.approve(answer, by=make_user("parallel-staff", is_staff=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=flag, args=(user,)) for user in flaggers]
    threads.append(threading.Thread(target=approve))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    answer.refresh_from_db()
    question.refresh_from_db()
    expected = 2 if not answer.held_reason else 1
    assert question.answer_count == expected
