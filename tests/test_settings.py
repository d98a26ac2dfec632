import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kb.settings import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    parse_cache_url,
    parse_database_url,
)

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "x" * 60


def _start(env: dict, tmp_path, code: str = "import kb.wsgi") -> subprocess.CompletedProcess:
    """Start the web application in a fresh interpreter, as gunicorn would: the
    development settings (KB_DEBUG=1) unless env says otherwise; a None value unsets."""
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KB_")},
        "KB_VAR_DIR": str(tmp_path),
        "KB_DEBUG": "1",
        **env,
    }
    full_env = {k: v for k, v in full_env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_env_bool_accepts_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("KB_FLAG", raw)
    assert env_bool("KB_FLAG", "0") is expected


def test_env_bool_rejects_other_words(monkeypatch):
    monkeypatch.setenv("KB_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KB_FLAG"):
        env_bool("KB_FLAG", "0")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("KB_ALLOWED_HOSTS", " a.example , b.example,,")
    assert env_list("KB_ALLOWED_HOSTS", "") == ["a.example", "b.example"]


def test_env_choice_names_the_variable_and_choices(monkeypatch):
    monkeypatch.setenv("KB_SEARCH_BACKEND", "solr")
    with pytest.raises(ImproperlyConfigured, match=r"KB_SEARCH_BACKEND must be one of whoosh"):
        env_choice("KB_SEARCH_BACKEND", "whoosh", ("whoosh", "postgres", "tantivy"))


def test_env_int_rejects_words(monkeypatch):
    monkeypatch.setenv("KB_HSTS_SECONDS", "a year")
    with pytest.raises(ImproperlyConfigured, match="KB_HSTS_SECONDS"):
        env_int("KB_HSTS_SECONDS", 1)


def test_sqlite_url_gets_wal_and_busy_timeout(tmp_path):
    config = parse_database_url("KB_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_url_is_parsed():
    config = parse_database_url("KB_DATABASE_URL", "postgres://kb:pw@db.internal:5433/careerkb")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "careerkb")
    assert config["USER"] == "kb"


@pytest.mark.parametrize("url", ["mysql://x@y/z", "nonsense", "redis://127.0.0.1/0"])
def test_unsupported_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="KB_DATABASE_URL"):
        parse_database_url("KB_DATABASE_URL", url)


def test_cache_defaults_to_local_memory():
    assert parse_cache_url("KB_CACHE_URL", "locmem://")["BACKEND"].endswith("LocMemCache")


def test_redis_cache_url():
    config = parse_cache_url("KB_CACHE_URL", "redis://127.0.0.1:6379/1?prefix=kbtest")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert config["KEY_PREFIX"] == "kbtest"


@pytest.mark.parametrize("url", ["memcached://x", "redis://", "ftp://a"])
def test_bad_cache_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="KB_CACHE_URL"):
        parse_cache_url("KB_CACHE_URL", url)


def test_redis_cache_really_stores_values(settings):
    from django.core.cache.backends.redis import RedisCache

    config = parse_cache_url("KB_CACHE_URL", "redis://127.0.0.1:6379/3?prefix=kbtest")
    cache = RedisCache(config["LOCATION"], {"KEY_PREFIX": config["KEY_PREFIX"]})
    cache.set("probe", {"answer": 42}, 30)
    assert cache.get("probe") == {"answer": 42}
    cache.delete("probe")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_DEBUG": "perhaps"}, "KB_DEBUG"),
        ({"KB_DATABASE_URL": "mysql://a/b"}, "KB_DATABASE_URL"),
        ({"KB_CACHE_URL": "memcached://x"}, "KB_CACHE_URL"),
        ({"KB_SEARCH_BACKEND": "elastic"}, "KB_SEARCH_BACKEND"),
        ({"KB_DEBUG": "0"}, "KB_SECRET_KEY must be set"),
        ({"KB_DEBUG": None}, "KB_SECRET_KEY must be set when KB_DEBUG=0, the default"),
        ({"KB_SECRET_KEY": "short"}, "KB_SECRET_KEY must be at least 50"),
        ({"KB_DOWNVOTE_MIN_REPUTATION": "-1"}, "KB_DOWNVOTE_MIN_REPUTATION must be >= 0"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(tmp_path, env, message):
    result = _start(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key(tmp_path):
    env = {"KB_DEBUG": None, "DJANGO_SETTINGS_MODULE": "kb.settings"}
    code = (
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('makemigrations', '--check', '--dry-run')"
    )
    result = _start(env, tmp_path, code)
    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    """A production that forgets KB_DEBUG shows no tracebacks and gets the HTTPS settings."""
    code = (
        "from django.conf import settings;"
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)"
    )
    env = {"KB_DEBUG": None, "KB_SECRET_KEY": GOOD_SECRET, "DJANGO_SETTINGS_MODULE": "kb.settings"}
    result = _start(env, tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_dev_secret_is_generated_once_into_var(tmp_path):
    assert _start({}, tmp_path).returncode == 0
    first = (tmp_path / "secret_key").read_text()
    assert len(first) >= 50
    assert _start({}, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == first


def test_var_directory_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "/var/" in ignored
