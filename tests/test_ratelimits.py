"""Rate limits: each limited action is allowed up to its rate, then answered 429 with a
message and Retry-After, and nothing is saved. Small rates here; a fake clock, never sleeps.
"""

import logging
import uuid

import pytest
from django.core import checks, mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kb import ratelimits
from kb.management.commands.loadtest import PAGES
from kb.models import Comment, Post, Vote
from kb.settings import env_rates
from tests.factories import make_question, make_user

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
BODY = "I finish my master's in June and have two offers. Which one builds a career?"
SIGNUP = {
    "email": "newcomer@example.com",
    "password1": "correct-Horse-battery-9",
    "password2": "correct-Horse-battery-9",
}


@pytest.fixture
def limit(settings):
    """``limit("question", "2/h")``: a small rate for one action, the others stay generous."""

    def set_rate(name, *rates):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, name: list(rates)}

    return set_rate


class FakeClock:
    """Stands in for the ``time`` module django-ratelimit reads its windows from."""

    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("django_ratelimit.core.time", fake)
    return fake


def _ask(client, number):
    data = {"title": f"PhD or a product team, offer number {number}?", "body": BODY, "tags": "phd"}
    return client.post(reverse("kb:question-ask"), data)


def _assert_limited(response, text):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    if response["Content-Type"].startswith("application/json"):
        assert text in response.json()["error"]
        assert response.json()["retry_after"] == int(response["Retry-After"])
    else:
        assert text in response.content.decode()


# -- posting -----------------------------------------------------------------------------


def test_asking_is_limited_per_member_and_the_limited_question_is_not_saved(alice_client, limit):
    limit("question", "2/h")
    assert _ask(alice_client, 1).status_code == 302
    assert _ask(alice_client, 2).status_code == 302
    response = _ask(alice_client, 3)
    _assert_limited(response, "Too many questions: the limit is 2 an hour.")
    assert "Please try again in" in response.content.decode()
    assert Post.objects.questions().count() == 2


def test_the_429_page_gives_back_the_text_that_was_not_saved(alice_client, limit):
    limit("question", "1/h")
    _ask(alice_client, 1)
    html = _ask(alice_client, 2).content.decode()
    assert "Nothing was saved" in html
    assert "<textarea" in html
    assert "PhD or a product team, offer number 2?\n\nI finish my master&#x27;s in June" in html


def test_the_daily_rate_holds_when_the_hourly_one_is_not_reached(alice_client, limit):
    limit("question", "5/h", "2/d")
    _ask(alice_client, 1)
    _ask(alice_client, 2)
    _assert_limited(_ask(alice_client, 3), "Too many questions: the limit is 2 a day")
    assert Post.objects.questions().count() == 2


def test_a_preview_on_the_ask_form_does_not_count_as_a_question(alice_client, limit):
    limit("question", "1/h")
    for _ in range(3):
        data = {"title": "A title long enough", "body": BODY, "tags": "", "preview": "1"}
        assert alice_client.post(reverse("kb:question-ask"), data).status_code == 200
    assert _ask(alice_client, 1).status_code == 302


def test_one_members_questions_do_not_use_up_anothers(client, alice, bob, limit):
    limit("question", "1/h")
    client.force_login(alice)
    _ask(client, 1)
    assert _ask(client, 2).status_code == 429
    client.force_login(bob)
    assert _ask(client, 3).status_code == 302


def test_experience_posts_are_limited(alice_client, limit):
    limit("experience", "1/h")
    data = {"title": "From mechanical design to perception", "body": BODY * 2, "tags": "cv"}
    assert alice_client.post(reverse("kb:post-create"), data).status_code == 302
    data["title"] = "From perception back to mechanical design"
    _assert_limited(
        alice_client.post(reverse("kb:post-create"), data),
        "Too many experience posts: the limit is 1",
    )
    assert Post.objects.experiences().count() == 1


def test_answers_are_limited(bob_client, limit):
    limit("answer", "2/h")
    question = make_question()
    url = reverse("kb:answer-create", args=[question.pk])
    for number in range(2):  # different texts: a repeated one is a double submit, kept once
        assert bob_client.post(url, {"body": f"{BODY} ({number})"}).status_code == 302
    _assert_limited(
        bob_client.post(url, {"body": f"{BODY} (2)"}), "Too many answers: the limit is 2 an hour"
    )
    question.refresh_from_db()
    assert question.answer_count == 2
    assert Post.objects.answers().count() == 2


def test_comments_are_limited_with_json_for_the_page_script(bob_client, limit):
    limit("comment", "2/h")
    question = make_question()
    url = reverse("kb:comment-create", args=[question.pk])
    body = {"body": "Which city were you in when you applied?"}
    for _ in range(2):
        assert bob_client.post(url, body, **JSON).status_code == 201
    _assert_limited(bob_client.post(url, body, **JSON), "Too many comments: the limit is 2 an hour")
    assert Comment.objects.count() == 2
    question.refresh_from_db()
    assert question.comment_count == 2


def test_votes_are_limited_and_a_limited_vote_changes_no_score(bob_client, alice, limit):
    limit("vote", "2/h")
    questions = [make_question(alice) for _ in range(3)]
    for question in questions[:2]:
        assert (
            bob_client.post(reverse("kb:post-vote", args=[question.pk]), **JSON).status_code == 200
        )
    response = bob_client.post(reverse("kb:post-vote", args=[questions[2].pk]), **JSON)
    _assert_limited(response, "Too many votes: the limit is 2 an hour")
    assert Vote.objects.count() == 2
    questions[2].refresh_from_db()
    assert questions[2].score == 0
    assert User.objects.get(pk=alice.pk).reputation == 10


def test_a_limited_plain_form_vote_gets_the_429_page(bob_client, alice, limit):
    limit("vote", "1/h")
    question = make_question(alice)
    bob_client.post(reverse("kb:post-vote", args=[question.pk]))
    response = bob_client.post(reverse("kb:post-vote", args=[question.pk]))
    _assert_limited(response, "Too many votes: the limit is 1 an hour")
    assert Vote.objects.count() == 1


# -- as-you-type endpoints and search ---------------------------------------------------


def test_markdown_preview_is_limited(alice_client, limit):
    limit("preview", "2/m")
    url = reverse("kb:markdown-preview")
    for _ in range(2):
        assert alice_client.post(url, {"body": "**hi**"}, **JSON).status_code == 200
    _assert_limited(
        alice_client.post(url, {"body": "**hi**"}, **JSON),
        "Too many previews: the limit is 2 a minute",
    )


def test_the_ask_forms_preview_button_counts_as_a_preview(alice_client, limit):
    limit("preview", "1/m")
    data = {"title": "A title long enough", "body": BODY, "tags": "", "preview": "1"}
    assert alice_client.post(reverse("kb:question-ask"), data).status_code == 200
    _assert_limited(
        alice_client.post(reverse("kb:question-ask"), data),
        "Too many previews: the limit is 1 a minute",
    )
    assert not Post.objects.exists()


def test_similar_questions_are_limited_per_address_for_visitors(client, limit):
    limit("similar", "2/m")
    url = reverse("kb:search-similar")
    for _ in range(2):
        assert client.get(url, {"title": "negotiation at a startup"}, **JSON).status_code == 200
    response = client.get(url, {"title": "negotiation at a startup"}, **JSON)
    _assert_limited(response, "Too many similar-question look-ups: the limit is 2 a minute")
    other_address = Client(REMOTE_ADDR="192.0.2.44")
    assert other_address.get(url, {"title": "negotiation"}, **JSON).status_code == 200


def test_search_is_limited(client, limit):
    limit("search", "1/m")
    assert client.get(reverse("kb:search"), {"q": "salary"}).status_code == 200
    _assert_limited(
        client.get(reverse("kb:search"), {"q": "salary"}),
        "Too many searches: the limit is 1 a minute",
    )


# -- accounts ----------------------------------------------------------------------------


def test_sign_ups_are_limited_per_address(limit):
    limit("signup", "2/h")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for number in (1, 2):
        data = {**SIGNUP, "username": f"newcomer{number}", "email": f"n{number}@example.com"}
        assert client.post("/accounts/signup/", data).status_code == 302
        client.logout()
    data = {**SIGNUP, "username": "newcomer3", "email": "n3@example.com"}
    _assert_limited(
        client.post("/accounts/signup/", data),
        "Too many sign-ups from your network: the limit is 2",
    )
    assert not User.objects.filter(username="newcomer3").exists()
    assert Client(REMOTE_ADDR="198.51.100.8").post("/accounts/signup/", data).status_code == 302


def test_the_sign_up_form_itself_is_never_limited(client, limit):
    limit("signup", "1/h")
    for _ in range(3):
        assert client.get("/accounts/signup/").status_code == 200


def test_password_reset_emails_are_limited_per_address(alice, limit):
    limit("password_reset_email", "2/h")
    for number in range(2):
        client = Client(REMOTE_ADDR=f"203.0.113.{number + 1}")
        response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
        assert response.status_code == 302
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = client.post("/accounts/password/reset/", {"email": " ALICE@example.com"})
    _assert_limited(
        response, "Too many password-reset e-mails to this address: the limit is 2 an hour"
    )
    assert len(mail.outbox) == 2


def test_password_reset_requests_are_limited_per_network(alice, bob, limit):
    limit("password_reset_ip", "1/h")
    client = Client(REMOTE_ADDR="203.0.113.5")
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "bob@example.com"})
    _assert_limited(response, "Too many password-reset requests from your network: the limit is 1")
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


# -- scaling, windows and failure ------------------------------------------------------


def test_reputation_raises_a_members_limit(settings, client, limit):
    settings.RATE_REPUTATION_STEP = 100
    limit("question", "1/h")
    trusted = make_user(reputation=250)  # 1 + 250 // 100 = 3 times the newcomer rate
    client.force_login(trusted)
    assert [_ask(client, n).status_code for n in range(4)] == [302, 302, 302, 429]
    assert "Too many questions: the limit is 3 an hour" in _ask(client, 5).content.decode()


def test_the_reputation_factor_is_capped_and_staff_get_the_cap(settings, staff):
    settings.RATE_REPUTATION_STEP = 100
    settings.RATE_MAX_FACTOR = 4
    assert ratelimits.reputation_factor(make_user(reputation=0)) == 1
    assert ratelimits.reputation_factor(make_user(reputation=99)) == 1
    assert ratelimits.reputation_factor(make_user(reputation=100)) == 2
    assert ratelimits.reputation_factor(make_user(reputation=-30)) == 1
    assert ratelimits.reputation_factor(make_user(reputation=10_000)) == 4
    assert ratelimits.reputation_factor(staff) == 4


def test_a_new_window_allows_again(alice_client, limit, clock):
    limit("question", "1/h")
    assert _ask(alice_client, 1).status_code == 302
    response = _ask(alice_client, 2)
    assert response.status_code == 429
    clock.now += int(response["Retry-After"]) + 1
    assert _ask(alice_client, 3).status_code == 302
    assert Post.objects.questions().count() == 2


def test_retry_after_counts_down_with_the_window(alice_client, limit, clock):
    limit("question", "1/h")
    _ask(alice_client, 1)
    first = int(_ask(alice_client, 2)["Retry-After"])
    assert first > 1
    clock.now += first // 2
    assert int(_ask(alice_client, 3)["Retry-After"]) == first - first // 2


def test_limits_can_be_switched_off(settings, alice_client, limit):
    limit("question", "1/h")
    settings.RATELIMIT_ENABLE = False
    assert [_ask(alice_client, n).status_code for n in range(3)] == [302, 302, 302]


def test_an_unreachable_cache_lets_requests_through_and_logs_it(
    alice_client, limit, monkeypatch, caplog
):
    limit("question", "1/h")

    def broken(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr("django.core.cache.backends.locmem.LocMemCache.add", broken)
    with caplog.at_level(logging.ERROR, logger="kb.ratelimits"):
        assert [_ask(alice_client, n).status_code for n in range(2)] == [302, 302]
    assert "Rate-limit cache unavailable" in caplog.text


def test_limits_count_on_redis_too(settings, alice_client, limit):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": f"kbtest-ratelimit-{uuid.uuid4().hex}",
        }
    }
    limit("question", "1/h")
    assert _ask(alice_client, 1).status_code == 302
    assert _ask(alice_client, 2).status_code == 429


# -- the client's address ----------------------------------------------------------------


def _request(rf, **meta):
    return rf.get("/", **meta)


def test_without_proxies_the_address_is_remote_addr(rf, settings):
    settings.PROXY_COUNT = 0
    request = _request(rf, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimits.client_ip(request) == "192.0.2.1"


def test_behind_one_proxy_the_client_cannot_choose_its_address(rf, settings):
    settings.PROXY_COUNT = 1
    forged = "6.6.6.6, 203.0.113.9"  # the client sent 6.6.6.6; the proxy appended the truth
    request = _request(rf, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged)
    assert ratelimits.client_ip(request) == "203.0.113.9"


def test_a_garbled_forwarded_header_falls_back_to_remote_addr(rf, settings):
    settings.PROXY_COUNT = 1
    request = _request(rf, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert ratelimits.client_ip(request) == "127.0.0.1"


def test_an_ipv6_network_counts_as_one_address(limit):
    limit("signup", "1/h")
    data = {**SIGNUP, "username": "v6user1", "email": "v6a@example.com"}
    assert Client(REMOTE_ADDR="2001:db8::1").post("/accounts/signup/", data).status_code == 302
    data = {**SIGNUP, "username": "v6user2", "email": "v6b@example.com"}
    assert Client(REMOTE_ADDR="2001:db8::2").post("/accounts/signup/", data).status_code == 429


# -- messages and checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (61, "2 minutes"), (7200, "2 hours")],
)
def test_waits_are_rounded_up_in_words(seconds, words):
    assert ratelimits.describe_wait(seconds) == words


def test_deploy_check_warns_that_local_memory_counts_per_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ids = [issue.id for issue in checks.run_checks(include_deployment_checks=True)]
    assert "kb.W001" in ids
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
        }
    }
    ids = [issue.id for issue in checks.run_checks(include_deployment_checks=True)]
    assert "kb.W001" not in ids


@pytest.mark.parametrize("raw", ["10", "ten/h", "0/h", "10/w", "10/xm", "10/h,5"])
def test_a_bad_rate_setting_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KB_RATE_QUESTION", raw)
    with pytest.raises(ImproperlyConfigured, match="KB_RATE_QUESTION"):
        env_rates("KB_RATE_QUESTION", "10/h")


def test_rate_settings_take_several_rates_or_none(monkeypatch):
    monkeypatch.setenv("KB_RATE_QUESTION", " 10/h, 30/d,20/15m ")
    assert env_rates("KB_RATE_QUESTION", "1/h") == ["10/h", "30/d", "20/15m"]
    monkeypatch.setenv("KB_RATE_QUESTION", "")
    assert env_rates("KB_RATE_QUESTION", "1/h") == []


def test_an_empty_rate_list_means_no_limit(alice_client, limit):
    limit("question")
    assert [_ask(alice_client, n).status_code for n in range(3)] == [302, 302, 302]


def test_the_load_tests_pages_are_never_limited(client, settings, bob):
    settings.RATE_LIMITS = {name: ["1/h"] for name in settings.RATE_LIMITS}
    make_question(tags=["startups"])
    paths = [page.path() for page in PAGES]
    for path in [page.path() for page in PAGES if page.anonymous] * 3:
        assert client.get(path).status_code == 200, path
    client.force_login(bob)
    for path in paths * 3:
        assert client.get(path).status_code == 200, path


def test_edits_are_limited_and_a_limited_edit_changes_nothing(alice_client, alice, limit):
    limit("edit", "2/h")
    question = make_question(alice)
    for number in range(2):
        data = {"title": question.title, "body": f"{BODY} Edit {number}.", "tags": "phd"}
        assert alice_client.post(f"/posts/{question.pk}/edit/", data).status_code == 302
    data = {"title": question.title, "body": f"{BODY} One edit too many.", "tags": "phd"}
    response = alice_client.post(f"/posts/{question.pk}/edit/", data)
    assert response.status_code == 429
    assert "Too many edits" in response.content.decode()
    question.refresh_from_db()
    assert question.body.endswith("Edit 1.")


@pytest.mark.parametrize(
    "url",
    [
        "/questions/{question}/follow/",
        "/questions/{question}/bookmark/",
        "/tags/phd/follow/",
    ],
)
def test_follows_and_bookmarks_are_limited(bob_client, alice, limit, url):
    limit("toggle", "3/h")
    question = make_question(alice, tags=["phd"])
    url = url.format(question=question.pk)
    for state in ("on", "off", "on"):
        assert bob_client.post(url, {"state": state}).status_code == 302
    response = bob_client.post(url, {"state": "off"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert "Too many follows, bookmarks and other switches" in response.json()["error"]
