"""Production settings: `check --deploy` is clean, and security headers are sent."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.test_settings import GOOD_SECRET

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("debug", [{"KB_DEBUG": "0"}, {}], ids=["KB_DEBUG=0", "KB_DEBUG unset"])
def test_check_deploy_is_clean_with_production_settings(tmp_path, debug):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "DJANGO_"))}
    env.update(
        KB_SECRET_KEY=GOOD_SECRET + "-production-Secret-9f3a",
        KB_ALLOWED_HOSTS="careerkb.example",
        KB_VAR_DIR=str(tmp_path),
        KB_CACHE_URL="redis://127.0.0.1:6379/0",  # as README's production; not connected
        **debug,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/does-not-exist/"])
def test_every_page_sends_a_csp_without_inline_script(client, url):
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_contain_no_inline_script_or_handlers(client):
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        assert inline_scripts == [], path
        assert re.search(r"\son[a-z]+=", text) is None, path
        assert 'style="' not in text, path


@pytest.mark.django_db
def test_no_pending_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
