"""E-mail verification (accounts/verification.py): the link sent at sign-up, opening it, and
what an unverified member's posts do meanwhile (held for review, released on verifying)."""

import re

import pytest
from django.core import mail, signing
from django.test import Client

from accounts.models import User
from accounts.verification import make_token
from kb.models import Comment, HoldReason, Notification, Post
from tests.factories import make_answer, make_comment, make_question, make_user, signup_form

pytestmark = pytest.mark.django_db

SIGNUP = signup_form()


def _link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/verify/\S+/)", message.body).group(1)


@pytest.fixture
def newcomer(client):
    client.post("/accounts/signup/", SIGNUP)
    return User.objects.get(username="maya")


def test_signing_up_sends_a_link_and_starts_unverified(newcomer):
    assert newcomer.email_verified_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maya@example.com"]
    assert "/accounts/verify/" in mail.outbox[0].body


def test_everyone_else_counts_as_verified(staff):
    assert make_user().is_email_verified  # made in the admin, a command, an import, the demo
    assert staff.is_email_verified


def test_opening_the_link_asks_first_and_the_button_verifies(client, newcomer):
    link = _link_in(mail.outbox[0])
    page = Client().get(link)  # a mail scanner opening it changes nothing
    assert page.status_code == 200
    assert "Confirm my e-mail address" in page.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is None
    response = Client().post(link)  # works logged out
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is not None


def test_a_broken_expired_or_stale_link_is_refused_with_a_message(settings, newcomer):
    assert Client().post("/accounts/verify/not-a-token/").status_code == 400
    token = make_token(newcomer)
    newcomer.email = "other@example.com"
    newcomer.save()
    response = Client().post(f"/accounts/verify/{token}/")
    assert response.status_code == 400
    assert "no longer has" in response.content.decode()
    settings.EMAIL_VERIFICATION_DAYS = -1
    response = Client().get(f"/accounts/verify/{make_token(newcomer)}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is None


def test_a_token_is_signed(newcomer):
    forged = signing.dumps({"user": newcomer.pk, "email": newcomer.email}, salt="other")
    assert Client().post(f"/accounts/verify/{forged}/").status_code == 400


def test_the_banner_offers_to_resend_the_link(client, newcomer):
    html = client.get("/").content.decode()
    assert "Please confirm your e-mail address" in html
    response = client.post("/accounts/verify/resend/", {"next": "/questions/"})
    assert response.status_code == 302
    assert response["Location"] == "/questions/"
    assert len(mail.outbox) == 2
    assert client.get("/accounts/verify/resend/").status_code == 405
    assert Client().post("/accounts/verify/resend/").status_code == 302  # to log in
    assert len(mail.outbox) == 2


def test_resending_is_rate_limited(settings, client, newcomer):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification_email": ["1/h"]}
    assert client.post("/accounts/verify/resend/").status_code == 302
    assert client.post("/accounts/verify/resend/").status_code == 429
    assert len(mail.outbox) == 2  # the sign-up's and one resend


def test_an_unverified_members_question_is_held_with_a_banner(client, newcomer):
    response = client.post(
        "/questions/ask/",
        {
            "title": "Bootcamp or a master's degree for data science?",
            "body": "I have two offers and can afford only one of them this year.",
            "tags": "data-science",
        },
    )
    question = Post.objects.get()
    assert response["Location"] == question.get_absolute_url()
    assert question.held_reason == HoldReason.UNVERIFIED
    own = client.get(question.get_absolute_url()).content.decode()
    assert "Waiting for review:" in own
    assert "verify your e-mail to publish this question" in own
    assert Client().get(question.get_absolute_url()).status_code == 404
    assert Client().get(f"/questions/{question.pk}/").status_code == 404
    other = make_user()
    assert Client().get("/questions/").content.decode().count("Bootcamp or a master") == 0
    assert _as(other).get(question.get_absolute_url()).status_code == 404


def test_a_held_post_is_listed_on_its_authors_profile_for_them_and_staff_only(
    client, newcomer, staff
):
    question = make_question(author=newcomer, title="Bootcamp or a master's degree for data?")
    assert question.held_reason == HoldReason.UNVERIFIED
    profile = "/users/maya/"
    own = client.get(profile).content.decode()
    assert "Waiting for review" in own
    assert "Bootcamp or a master&#x27;s degree for data?" in own
    assert "waiting for the author to verify their e-mail" in own
    assert "Nothing published yet: what is waiting for review shows above." in own
    assert "You have not posted yet" not in own
    assert "Bootcamp or a master" in _as(staff).get(profile).content.decode()
    for reader in (Client(), _as(make_user())):
        page = reader.get(profile).content.decode()
        assert "Waiting for review" not in page
        assert "Bootcamp or a master" not in page


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_unverified_answer_waits_uncounted_and_untold_until_verified(alice):
    question = make_question(author=alice)
    activity_before = question.last_activity_at
    newcomer = make_user("newcomer", email_verified_at=None)
    answer = make_answer(question, author=newcomer, body="Talk to people who did both paths.")
    comment = make_comment(question, author=newcomer, body="Which city are you in, roughly?")
    question.refresh_from_db()
    assert (answer.held_reason, comment.held_reason) == (HoldReason.UNVERIFIED,) * 2
    assert (question.answer_count, question.comment_count) == (0, 0)
    assert question.last_activity_at == activity_before  # "active" sorting leaks nothing
    assert not Notification.objects.filter(recipient=alice).exists()
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "Talk to people" not in page
    assert "Which city" not in page

    assert newcomer.verify_email() == 2
    question.refresh_from_db()
    assert (question.answer_count, question.comment_count) == (1, 1)
    assert question.last_activity_at > activity_before
    assert Notification.objects.filter(recipient=alice).shown().count() == 2
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "Talk to people" in page
    assert "Which city" in page


def test_verifying_releases_held_posts_through_the_link(client, newcomer):
    question = make_question(author=newcomer)
    assert question.held_reason == HoldReason.UNVERIFIED
    response = client.post(_link_in(mail.outbox[0]), follow=True)
    assert "1 post waiting for review" in response.content.decode()
    question.refresh_from_db()
    assert not question.held_reason


def test_staff_can_approve_a_held_post_before_the_author_verifies(staff):
    newcomer = make_user("newcomer", email_verified_at=None)
    question = make_question(author=newcomer)
    _as(staff).post(f"/review/post/{question.pk}/approve/")
    question.refresh_from_db()
    assert not question.held_reason
    assert Client().get(question.get_absolute_url()).status_code == 200


def test_a_setting_lets_unverified_members_post_at_once(settings):
    settings.UNVERIFIED_POSTS_NEED_REVIEW = False
    newcomer = make_user("newcomer", email_verified_at=None)
    question = make_question(author=newcomer)
    comment = make_comment(question, author=make_user(email_verified_at=None))
    assert (question.held_reason, comment.held_reason) == ("", "")
    assert Comment.objects.get().held_reason == ""


def test_posting_while_unverified_says_it_waits(client, newcomer, alice):
    question = make_question(author=alice)
    response = client.post(
        f"/questions/{question.pk}/answer/",
        {"body": "Start with SQL, then one real project."},
        follow=True,
    )
    assert "It waits for review: confirm your e-mail" in response.content.decode()
    response = client.post(
        f"/posts/{question.pk}/comments/", {"body": "Which city are you in, roughly?"}, follow=True
    )
    assert "It waits for review: confirm your e-mail" in response.content.decode()


def test_a_new_address_is_confirmed_anew(alice, password):
    client = _as(alice)
    data = {"display_name": "", "headline": "", "bio": "", "email": "ALICE@example.com"}
    client.post("/accounts/profile/edit/", data)
    alice.refresh_from_db()
    assert alice.is_email_verified  # the same address in other capitals
    assert mail.outbox == []
    data.update(email="alice.new@example.com", current_password=password)
    response = client.post("/accounts/profile/edit/", data, follow=True)
    assert "We are sending a link to alice.new@example.com" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email_verified_at is None
    assert mail.outbox[0].to == ["alice.new@example.com"]


def test_new_addresses_count_against_the_verification_e_mail_limit(alice, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verification_email": ["1/h"]}
    client = _as(alice)
    data = {"display_name": "", "headline": "", "bio": "", "current_password": password}
    client.post("/accounts/profile/edit/", {**data, "email": "one@example.com"})
    response = client.post("/accounts/profile/edit/", {**data, "email": "two@example.com"})
    assert response.status_code == 429
    assert "Too many verification e-mails" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "one@example.com"
    assert [message.to for message in mail.outbox] == [["one@example.com"]]


def test_the_e_mail_is_plain_text_not_html_escaped(client):
    client.post("/accounts/signup/", {**SIGNUP, "display_name": "Maya & Co"})
    assert "Hello Maya & Co," in mail.outbox[0].body
