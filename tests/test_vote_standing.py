"""Votes need standing: KB_VOTE_MIN_REPUTATION reputation or an account
KB_VOTE_MIN_ACCOUNT_DAYS old, so accounts made a minute ago cannot vote each other up."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from kb.models import Vote
from tests.factories import make_question, make_user

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _standing(settings):
    settings.VOTE_MIN_REPUTATION = 15
    settings.VOTE_MIN_ACCOUNT_DAYS = 3


def _vote(client, post, **extra):
    return client.post(reverse("kb:post-vote", args=[post.pk]), **extra)


def _rep(user):
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def test_a_brand_new_account_cannot_vote_and_is_told_why(client, alice):
    question = make_question(alice)
    client.force_login(make_user("fresh"))
    response = _vote(client, question, **JSON)
    assert response.status_code == 403
    error = response.json()["error"]
    assert "Voting opens when your account is 3 days old" in error
    assert "or has 15 reputation" in error
    assert not Vote.objects.exists()
    question.refresh_from_db()
    assert question.score == 0
    assert _rep(alice) == 0


def test_the_plain_form_refusal_is_a_message_on_the_page(client, alice):
    question = make_question(alice)
    client.force_login(make_user("fresh"))
    response = _vote(client, question, follow=True)
    assert "Voting opens when your account is 3 days old" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_vote_button_explains_before_anyone_clicks(client, alice):
    question = make_question(alice)
    client.force_login(make_user("fresh"))
    html = client.get(question.get_absolute_url()).content.decode()
    assert 'class="vote-button js-vote-up"' in html
    assert "Voting opens when your account is 3 days old" in html


def test_enough_reputation_gives_standing(client, alice):
    question = make_question(alice)
    client.force_login(make_user("earned", reputation=15))
    assert _vote(client, question, **JSON).json() == {"voted": True, "vote": 1, "score": 1}
    assert _rep(alice) == 5


def test_an_account_old_enough_gives_standing(client, alice):
    question = make_question(alice)
    client.force_login(
        make_user("patient", date_joined=timezone.now() - timedelta(days=3, seconds=1))
    )
    assert _vote(client, question, **JSON).status_code == 200
    assert Vote.objects.count() == 1


def test_one_day_short_is_not_old_enough(client, alice):
    question = make_question(alice)
    client.force_login(make_user("almost", date_joined=timezone.now() - timedelta(days=2)))
    assert _vote(client, question, **JSON).status_code == 403


def test_staff_can_always_vote(staff_client, alice):
    question = make_question(alice)
    assert _vote(staff_client, question, **JSON).status_code == 200


def test_a_vote_cast_with_standing_can_be_taken_back_without_it(client, alice):
    question = make_question(alice)
    voter = make_user("faded", reputation=20)
    question.toggle_vote(voter)
    User.objects.filter(pk=voter.pk).update(reputation=0)  # e.g. their own post was downvoted
    client.force_login(User.objects.get(pk=voter.pk))
    assert _vote(client, question, **JSON).json() == {"voted": False, "vote": 0, "score": 0}
    assert _rep(alice) == 0
