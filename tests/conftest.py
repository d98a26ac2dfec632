import pytest

from tests.factories import PASSWORD, make_user


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
