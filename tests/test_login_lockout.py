"""Log-in lock-out (django-axes): after KB_LOGIN_FAILURE_LIMIT wrong passwords for one
username from one address, that pair gets a 429 page saying when to retry, on the site's
log-in and the admin's alike, until the cool-off has passed."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _try(client, username, password, url=LOGIN):
    return client.post(url, {"username": username, "password": password})


def _logged_in_as(client):
    return client.get("/").context["user"].get_username() or None


def test_wrong_passwords_lock_the_account_out_from_that_address(client, alice):
    for _ in range(2):
        response = _try(client, "alice", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = _try(client, "alice", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-ins for this account" in html
    assert "please try again in 15 minutes" in html
    assert "Reset your password" in html
    assert 899 <= int(response["Retry-After"]) <= 900


def test_a_locked_out_account_cannot_log_in_even_with_the_right_password(client, alice, password):
    for _ in range(3):
        _try(client, "alice", "wrong")
    assert _try(client, "alice", password).status_code == 429
    assert _logged_in_as(client) is None


def test_the_lock_out_is_per_address_and_per_username(client, alice, bob, password):
    for _ in range(3):
        _try(client, "alice", "wrong")
    assert _try(client, "bob", password).status_code == 302
    elsewhere = Client(REMOTE_ADDR="192.0.2.77")
    assert _try(elsewhere, "alice", password).status_code == 302
    assert _logged_in_as(elsewhere) == "alice"


def test_changing_the_usernames_case_does_not_buy_more_tries(client, alice, password):
    for username in ("alice", "Alice", " ALICE"):
        _try(client, username, "wrong")
    assert _try(client, "alice", password).status_code == 429


def test_the_lock_out_ends_after_the_cool_off(client, alice, password):
    for _ in range(3):
        _try(client, "alice", "wrong")
    assert _try(client, "alice", password).status_code == 429
    # The clock moves on: the failures are now older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert _try(client, "alice", password).status_code == 302
    assert _logged_in_as(client) == "alice"


def test_tries_during_the_lock_out_do_not_extend_it(client, alice, password):
    for _ in range(3):
        _try(client, "alice", "wrong")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10)
    )
    response = _try(client, "alice", "wrong again")
    assert 299 <= int(response["Retry-After"]) <= 300
    assert "try again in 5 minutes" in response.content.decode()


def test_a_successful_log_in_forgets_earlier_failures(client, alice, password):
    for _ in range(2):
        _try(client, "alice", "wrong")
    assert _try(client, "alice", password).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        assert _try(client, "alice", "wrong").status_code == 200


def test_the_admin_log_in_is_locked_out_too(client, staff, password):
    for _ in range(2):
        assert _try(client, "sam", "wrong", ADMIN_LOGIN).status_code == 200
    response = _try(client, "sam", "wrong", ADMIN_LOGIN)
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert _try(client, "sam", password, ADMIN_LOGIN).status_code == 429
    assert client.get("/admin/").status_code == 302  # still sent to log in


def test_failures_on_the_site_and_the_admin_add_up(client, staff, password):
    _try(client, "sam", "wrong")
    _try(client, "sam", "wrong", ADMIN_LOGIN)
    assert _try(client, "sam", "wrong").status_code == 429
