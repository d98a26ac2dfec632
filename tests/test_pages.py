"""Site-wide pages: navigation, error pages, static files."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from kb.views import errors

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def _nav_links(html: str) -> list[str]:
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    return [link for link in re.findall(r'href="(/[^"]*)"', header) if "?next=" not in link]


@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_every_nav_url_answers_200_or_redirects_to_log_in(client, alice, persona):
    if persona == "member":
        client.force_login(alice)
    links = _nav_links(client.get("/").content.decode())
    assert {"/", "/questions/", "/posts/", "/tags/", "/questions/ask/"} <= set(links)
    for link in links:
        response = client.get(link)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), link
        else:
            assert response.status_code == 200, link
    assert client.get("/search/?q=career").status_code == 200


def test_base_layout_has_landmarks_skip_link_and_search(client):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert 'role="search"' in html
    assert '<footer class="site-footer">' in html
    assert 'href="/static/css/site.css"' in html


def test_messages_are_shown(client, alice, password):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    response = client.post("/accounts/logout/", follow=True)
    assert 'class="message message-info"' in response.content.decode()


def test_404_page_is_in_the_site_look(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html


@pytest.mark.parametrize(
    ("view", "status", "text"),
    [
        (errors.bad_request, 400, "Bad request"),
        (errors.permission_denied, 403, "Not allowed"),
        (errors.page_not_found, 404, "Page not found"),
    ],
)
def test_error_pages(view, status, text, alice):
    request = RequestFactory().get("/x/")
    request.user = alice
    response = view(request, Exception("x"))
    assert response.status_code == status
    assert text in response.content.decode()


def test_500_page_renders_without_touching_the_database(django_assert_num_queries):
    request = RequestFactory().get("/x/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'class="site-header"' in html


def test_static_files_are_served_compressed_with_hashed_names_when_not_debug(tmp_path):
    """KB_DEBUG=0: collectstatic makes hashed, compressed files and WhiteNoise serves them."""
    script = (
        "from django.core.management import call_command; from django.test import Client;"
        "from django.templatetags.static import static;"
        "call_command('collectstatic', '--noinput', verbosity=0);"
        "url = static('css/site.css'); assert url != '/static/css/site.css', url;"
        "r = Client().get(url, HTTP_ACCEPT_ENCODING='gzip', secure=True);"
        "h = r.headers;"
        "print(url, r.status_code, h.get('Content-Encoding'), h.get('Cache-Control'))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "KB_DEBUG": "0",
        "KB_SECRET_KEY": "s" * 60,
        "KB_VAR_DIR": str(tmp_path),
        "KB_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "kb.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    url, status, encoding, cache_control = result.stdout.split(maxsplit=3)
    assert re.match(r"/static/css/site\.[0-9a-f]{12}\.css$", url)
    assert status == "200"
    assert encoding == "gzip"
    assert "immutable" in cache_control


def test_sqlite_runs_in_wal_mode_and_parallel_writers_do_not_fail(tmp_path):
    """Eight threads writing at once to the on-disk database: no "database is locked"."""
    script = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", verbosity=0)
from accounts.models import User
failures = []

def write(worker):
    try:
        for i in range(15):
            with transaction.atomic():
                user = User.objects.create(username=f"w{worker}-{i}")
                User.objects.filter(pk=user.pk).update(reputation=i)
    except Exception as error:
        failures.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
print(mode, User.objects.count(), len(failures), failures[:1])
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "KB_DEBUG": "1",
        "KB_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kb.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["wal", "120", "0"], result.stdout
