"""Downvotes on answers: every transition, reputation (-2 author, -1 voter), the reputation
setting, the view's answers (plain form, JSON, refusals), the widget and parallel clicks."""

import itertools
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kb.models import DownvoteRefused, Vote
from tests.factories import make_answer, make_experience, make_question, make_user

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
UP, DOWN, NONE = Vote.UP, Vote.DOWN, Vote.NONE
ENOUGH = 125  # KB_DOWNVOTE_MIN_REPUTATION's default


def _vote_url(post):
    return reverse("kb:post-vote", args=[post.pk])


def _rep(user):
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def _score(post):
    post.refresh_from_db(fields=["score"])
    return post.score


@pytest.fixture
def answer(alice):
    return make_answer(make_question(), author=alice)


@pytest.fixture
def critic(db):
    """A member with enough reputation to downvote."""
    return make_user("critic", reputation=ENOUGH)


@pytest.fixture
def critic_client(client, critic):
    client.force_login(critic)
    return client


# -- the domain: Post.cast_vote ---------------------------------------------------------


def test_a_downvote_costs_the_author_two_and_the_voter_one(answer, alice, critic):
    assert answer.cast_vote(critic, DOWN) == (DOWN, -1)
    assert _score(answer) == -1
    assert Vote.objects.get(post=answer, user=critic).value == DOWN
    assert _rep(alice) == -2
    assert _rep(critic) == ENOUGH - 1


def test_the_same_arrow_again_withdraws_the_downvote_exactly(answer, alice, critic):
    answer.cast_vote(critic, DOWN)
    assert answer.cast_vote(critic, DOWN) == (NONE, 0)
    assert not Vote.objects.exists()
    assert (_rep(alice), _rep(critic)) == (0, ENOUGH)


def test_switching_up_to_down_and_back_moves_score_and_reputation_exactly(answer, alice, critic):
    answer.cast_vote(critic, UP)
    assert (_score(answer), _rep(alice), _rep(critic)) == (1, 10, ENOUGH)
    assert answer.cast_vote(critic, DOWN) == (DOWN, -1)
    assert (_rep(alice), _rep(critic)) == (-2, ENOUGH - 1)
    assert Vote.objects.get().value == DOWN
    assert answer.cast_vote(critic, UP) == (UP, 1)
    assert (_rep(alice), _rep(critic)) == (10, ENOUGH)
    assert Vote.objects.get().value == UP


@pytest.mark.parametrize("first", [UP, DOWN])
def test_none_withdraws_whichever_vote_and_is_harmless_without_one(answer, alice, critic, first):
    answer.cast_vote(critic, first)
    assert answer.cast_vote(critic, NONE) == (NONE, 0)
    assert answer.cast_vote(critic, NONE) == (NONE, 0)
    assert not Vote.objects.exists()
    assert (_rep(alice), _rep(critic)) == (0, ENOUGH)


def test_upvotes_keep_their_rules(alice, critic):
    question = make_question(alice)
    assert question.toggle_vote(critic) == (True, 1)
    assert (_rep(alice), _rep(critic)) == (5, ENOUGH)
    assert question.toggle_vote(critic) == (False, 0)
    assert _rep(alice) == 0


def test_every_click_sequence_keeps_score_and_reputation_equal_to_the_votes(alice):
    """All 3-click sequences of two voters on one answer each: the counters are the rows'."""
    voters = [make_user(reputation=ENOUGH) for _ in range(2)]
    answer = make_answer(make_question(), author=alice)
    for clicks in itertools.product([UP, DOWN, NONE], repeat=3):
        for voter in voters:
            for value in clicks:
                answer.cast_vote(voter, value)
        values = list(Vote.objects.filter(post=answer).values_list("value", flat=True))
        assert _score(answer) == sum(values)
        assert _rep(alice) == 10 * values.count(UP) - 2 * values.count(DOWN)
        for voter in voters:
            own = Vote.objects.filter(post=answer, user=voter).values_list("value", flat=True)
            assert _rep(voter) == ENOUGH - (1 if list(own) == [DOWN] else 0)


@pytest.mark.parametrize("make_post", [make_question, make_experience])
def test_only_answers_take_downvotes(alice, critic, make_post):
    post = make_post(alice)
    with pytest.raises(DownvoteRefused, match=r"^Only answers can be downvoted\.$"):
        post.cast_vote(critic, DOWN)
    assert _score(post) == 0
    assert not Vote.objects.exists()
    assert (_rep(alice), _rep(critic)) == (0, ENOUGH)


def test_nobody_downvotes_their_own_answer(answer, alice):
    with pytest.raises(PermissionDenied):
        answer.cast_vote(alice, DOWN)
    assert not Vote.objects.exists()


def test_a_vote_is_plus_or_minus_one(answer, critic):
    with pytest.raises(ValueError):
        answer.cast_vote(critic, 2)


# -- the view ------------------------------------------------------------------------------


def test_plain_form_downvote_redirects_to_the_answer_with_a_message(critic_client, answer):
    response = critic_client.post(_vote_url(answer), {"value": "-1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{answer.pk}")
    page = critic_client.get(response["Location"]).content.decode()
    assert "Your downvote is counted" in page
    assert _score(answer) == -1


def test_json_downvote_switch_and_withdraw(critic_client, answer):
    down = critic_client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert down.status_code == 200
    assert down.json() == {"voted": False, "vote": -1, "score": -1}
    up = critic_client.post(_vote_url(answer), {"value": "1"}, **JSON)
    assert up.json() == {"voted": True, "vote": 1, "score": 1}
    critic_client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    withdrawn = critic_client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert withdrawn.json() == {"voted": False, "vote": 0, "score": 0}


def test_below_the_setting_a_downvote_is_403_with_the_rule(client, answer, alice):
    low = make_user("newish", reputation=ENOUGH - 1)
    client.force_login(low)
    response = client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert response.status_code == 403
    assert response.json()["error"].startswith("Downvoting needs 125 reputation (you have 124)")
    page = client.post(_vote_url(answer), {"value": "-1"}, follow=True).content.decode()
    assert "Downvoting needs 125 reputation" in page
    assert not Vote.objects.exists()
    assert (_rep(alice), _rep(low)) == (0, ENOUGH - 1)
    # The same member still upvotes.
    assert client.post(_vote_url(answer), {"value": "1"}, **JSON).status_code == 200


def test_the_setting_is_read_at_request_time(bob_client, answer, settings):
    assert bob_client.post(_vote_url(answer), {"value": "-1"}, **JSON).status_code == 403
    settings.DOWNVOTE_MIN_REPUTATION = 0
    assert bob_client.post(_vote_url(answer), {"value": "-1"}, **JSON).status_code == 200


def test_staff_downvote_without_reputation(staff_client, answer, alice):
    response = staff_client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert response.json()["vote"] == DOWN
    assert _rep(alice) == -2


def test_a_downvote_is_withdrawn_even_after_falling_below_the_setting(client, answer):
    voter = make_user("edge", reputation=ENOUGH)
    client.force_login(voter)
    client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert _rep(voter) == ENOUGH - 1  # below the setting now
    response = client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert response.json() == {"voted": False, "vote": 0, "score": 0}
    assert _rep(voter) == ENOUGH


def test_the_voting_standing_rule_applies_to_downvotes(client, answer, settings):
    settings.DOWNVOTE_MIN_REPUTATION = 0
    settings.VOTE_MIN_ACCOUNT_DAYS = 3
    client.force_login(make_user("fresh"))
    response = client.post(_vote_url(answer), {"value": "-1"}, **JSON)
    assert response.status_code == 403
    assert response.json()["error"].startswith("Voting opens when your account is 3 days old")
    assert not Vote.objects.exists()


def test_downvotes_count_against_the_vote_rate_limit(client, alice, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": ["1/h"]}
    settings.RATE_REPUTATION_STEP = 10_000  # limits grow with reputation: not here
    client.force_login(make_user(reputation=ENOUGH + 10))  # enough after one downvote too
    answers = [make_answer(make_question(), author=alice) for _ in range(2)]
    assert client.post(_vote_url(answers[0]), {"value": "-1"}, **JSON).status_code == 200
    response = client.post(_vote_url(answers[1]), {"value": "-1"}, **JSON)
    assert response.status_code == 429
    assert _score(answers[1]) == 0
    assert _rep(alice) == -2


@pytest.mark.parametrize("make_post", [make_question, make_experience])
def test_a_downvote_on_a_question_or_experience_post_is_400(critic_client, alice, make_post):
    post = make_post(alice)
    response = critic_client.post(_vote_url(post), {"value": "-1"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "Only answers can be downvoted."}
    page = critic_client.post(_vote_url(post), {"value": "-1"}, follow=True).content.decode()
    assert "Only answers can be downvoted." in page
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", ["2", "0", "down", ""])
def test_a_vote_value_other_than_up_or_down_is_400(critic_client, answer, value):
    response = critic_client.post(_vote_url(answer), {"value": value}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "A vote is up (1) or down (-1)."}
    assert not Vote.objects.exists()


def test_a_downvote_needs_a_log_in(client, answer):
    response = client.post(_vote_url(answer), {"value": "-1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Vote.objects.exists()


def test_a_downvote_without_the_csrf_token_is_refused(critic, answer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(critic)
    assert client.post(_vote_url(answer), {"value": "-1"}).status_code == 403
    assert not Vote.objects.exists()


# -- the widget ----------------------------------------------------------------------------


def _page(client, question):
    return client.get(question.get_absolute_url()).content.decode()


def _down_button(html, answer):
    form = html[html.index(f'action="/posts/{answer.pk}/vote/"') :]
    form = form[: form.index("</form>")]
    start = form.index('value="-1"')
    return form[form.rindex("<button", 0, start) : form.index("</button>", start)]


def test_answers_have_a_down_arrow_and_the_question_none(critic_client, alice):
    question = make_question(alice)
    answer = make_answer(question, author=alice)
    html = _page(critic_client, question)
    question_form = html[html.index(f'action="/posts/{question.pk}/vote/"') :]
    assert 'value="-1"' not in question_form[: question_form.index("</form>")]
    button = _down_button(html, answer)
    assert 'aria-pressed="false"' in button
    assert "aria-disabled" not in button
    assert "Downvote: this advice is wrong or harmful" in button


def test_the_users_downvote_shows_pressed_and_the_negative_score(critic_client, critic, alice):
    question = make_question(alice)
    answer = make_answer(question, author=alice)
    answer.cast_vote(critic, DOWN)
    html = _page(critic_client, question)
    assert 'aria-pressed="true"' in _down_button(html, answer)
    assert 'vote-score vote-score-negative" aria-live="polite"><span class="js-score">-1<' in html


def test_below_the_setting_the_arrow_is_disabled_and_says_why(bob_client, alice):
    question = make_question(alice)
    answer = make_answer(question, author=alice)
    button = _down_button(_page(bob_client, question), answer)
    assert 'aria-disabled="true"' in button
    assert "Downvoting needs 125 reputation (you have 0)" in button


def test_answers_sorted_by_score_put_a_negative_one_last(critic_client, critic, alice, bob):
    question = make_question(alice)
    sunk = make_answer(question, author=bob, body="Sunk: quit without a plan.")
    make_answer(question, author=bob, body="Neutral: ask your manager.")
    sunk.cast_vote(critic, DOWN)
    html = _page(critic_client, question)
    assert html.index("Neutral: ask your manager.") < html.index("Sunk: quit without a plan.")


def test_logged_out_readers_see_the_negative_score(client, critic, alice):
    question = make_question(alice)
    answer = make_answer(question, author=alice)
    answer.cast_vote(critic, DOWN)
    html = _page(client, question)
    assert 'class="vote-score vote-score-negative">-1<' in html
    assert "Log in to downvote" in html


def test_the_admin_withdraws_downvotes_with_their_reputation(admin_client, answer, alice):
    voters = [make_user(reputation=ENOUGH) for _ in range(2)]
    answer.cast_vote(voters[0], DOWN)
    answer.cast_vote(voters[1], UP)
    response = admin_client.post(
        "/admin/kb/vote/",
        {
            "action": "withdraw_votes",
            "_selected_action": list(Vote.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    assert not Vote.objects.exists()
    assert _score(answer) == 0
    assert [_rep(alice), *map(_rep, voters)] == [0, ENOUGH, ENOUGH]


# -- parallel clicks (PostgreSQL) ----------------------------------------------------------


def _final_vote(clicks):
    """What one member's clicks, in order, leave: the same arrow again withdraws."""
    vote = NONE
    for value in clicks:
        vote = NONE if value == vote else value
    return vote


def _click_in_parallel(post, plan):
    """Each (voter, clicks) clicks in its own thread, all starting together."""
    barrier = threading.Barrier(len(plan))
    errors = []

    def click(voter, clicks):
        client = Client()
        client.force_login(voter)
        barrier.wait()
        try:
            for value in clicks:
                response = client.post(_vote_url(post), {"value": str(value)}, **JSON)
                if response.status_code != 200:
                    errors.append(response.status_code)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=click, args=item) for item in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_up_and_down_votes_keep_score_and_reputation_exact():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serialises writers anyway")
    author = make_user("author")
    answer = make_answer(make_question(), author=author)
    sequences = [[DOWN], [UP], [UP, DOWN], [DOWN, UP], [DOWN, DOWN], [UP, DOWN, DOWN, UP]]
    plan = [
        (make_user(f"voter{i}", reputation=ENOUGH), sequences[i % len(sequences)])
        for i in range(12)
    ]
    assert _click_in_parallel(answer, plan) == []
    finals = {voter.pk: _final_vote(clicks) for voter, clicks in plan}
    stored = dict(Vote.objects.filter(post=answer).values_list("user_id", "value"))
    assert stored == {pk: value for pk, value in finals.items() if value != NONE}
    ups, downs = list(finals.values()).count(UP), list(finals.values()).count(DOWN)
    assert (ups, downs) == (6, 4)
    assert _score(answer) == ups - downs
    assert _rep(author) == 10 * ups - 2 * downs
    for voter, clicks in plan:
        assert _rep(voter) == ENOUGH - (1 if _final_vote(clicks) == DOWN else 0)


@pytest.mark.django_db(transaction=True)
def test_one_members_simultaneous_up_and_down_clicks_stay_consistent():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    author, voter = make_user("author2"), make_user("voter", reputation=ENOUGH)
    answer = make_answer(make_question(), author=author)
    assert _click_in_parallel(answer, [(voter, [UP]), (voter, [DOWN])]) == []
    vote = Vote.objects.get(post=answer, user=voter).value  # the later click wins
    assert _score(answer) == vote
    assert _rep(author) == (10 if vote == UP else -2)
    assert _rep(voter) == ENOUGH - (1 if vote == DOWN else 0)
