import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests.factories import PASSWORD, make_user

# Property tests (hypothesis): reproducible and bounded. Each test sets its own example
# count (tests/hypothesis_support.py); "ci" derandomises (the same examples on every run
# and machine) and writes no example database. HYPOTHESIS_PROFILE=explore draws at
# random, ten times as many examples.
_HYPOTHESIS_COMMON = {
    "deadline": None,  # a shared 2-core machine: time is not a property
    "database": None,
    # One database transaction per example (rolled back) makes function fixtures safe.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
# Its caches go to the git-ignored var/, not a new folder at the top of the repository.
set_hypothesis_home_dir(Path(__file__).resolve().parent.parent / "var" / "hypothesis")
hypothesis_settings.register_profile("ci", derandomize=True, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile("explore", **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing; a fresh search index and cache per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.INDEX_DIR = tmp_path / "index"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }
    # Rate limits stay on, with rates no test reaches; test_ratelimits.py sets real ones. Votes
    # need no standing here, as test users are minutes old (test_vote_standing.py checks it).
    settings.RATE_LIMITS = {name: ["100000/h"] for name in settings.RATE_LIMITS}
    settings.VOTE_MIN_ACCOUNT_DAYS = 0
    from kb.search import vectors

    vectors.reset()  # ids of a rolled-back test are reused: forget their vectors


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    """The author in most tests."""
    return make_user("alice", display_name="Alice Author")


@pytest.fixture
def bob(db):
    """Another member: not the author."""
    return make_user("bob", display_name="Bob Other")


@pytest.fixture
def staff(db):
    return make_user("sam", display_name="Sam Staff", is_staff=True)


def _logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(client, alice):
    return _logged_in(client, alice)


@pytest.fixture
def bob_client(client, bob):
    return _logged_in(client, bob)


@pytest.fixture
def staff_client(client, staff):
    return _logged_in(client, staff)
