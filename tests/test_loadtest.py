import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from kb.management.commands.loadtest import LOADTEST_USERNAME, PAGES
from tests.factories import make_answer, make_question


def test_loadtest_refuses_hosts_off_this_machine():
    with pytest.raises(CommandError, match="only target loopback"):
        call_command("loadtest", "--url", "http://192.0.2.10:8000", "--requests", "1")


def _run(live_server, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "loadtest",
        "--url",
        live_server.url,
        "--requests",
        "4",
        "--concurrency",
        "1",  # the test server's SQLite serialises the question page's view count anyway
        "--seconds",
        "60",
        *args,
        stdout=out,
    )
    return out.getvalue()


def _rows(output: str) -> dict[tuple[str, str], list[str]]:
    """(page, visitor) -> the row's columns after them."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r"(.+?)\s+(anonymous|logged in)\s+(.*)$", line)
        if match:
            rows[match[1].strip(), match[2]] = match[3].split()
    return rows


def test_loadtest_measures_each_page_anonymous_and_logged_in_beside_hello_world(
    live_server, transactional_db
):
    question = make_question(tags=["startups"])
    make_answer(question)
    rows = _rows(_run(live_server))

    expected = (
        {("hello world", "anonymous"), ("hello again", "anonymous")}
        | {
            (page, visitor)
            for page in ("home", "question list", "question page", "tag page")
            for visitor in ("anonymous", "logged in")
        }
        | {("inbox", "logged in")}
    )
    assert set(rows) == expected
    # The faster of the two hello-world rows, first and last, is the 100 %.
    hello_shares = sorted(
        float(rows[hello, "anonymous"][1].rstrip("%")) for hello in ("hello world", "hello again")
    )
    assert hello_shares[1] == 100.0
    assert hello_shares[0] <= 100.0
    for columns in rows.values():
        per_second, share, _p50, _p95, requests, non_200, path = columns[:7]
        assert float(per_second) > 0
        assert share.endswith("%")
        assert requests == "4"
        assert non_200 == "0"
        assert path.startswith("/")
    assert rows["question page", "logged in"][6] == question.get_absolute_url()
    assert rows["tag page", "logged in"][6] == "/tags/startups/"
    # The test member has no password anyone could use, and its session ends with the run.
    member = get_user_model().objects.get(username=LOADTEST_USERNAME)
    assert not member.has_usable_password()
    assert not Session.objects.exists()


def test_loadtest_skips_pages_an_empty_site_lacks(live_server, transactional_db):
    output = _run(live_server, "--pages", "home,question page")
    assert "question page: skipped, the site has none yet" in output
    assert set(_rows(output)) == {
        ("hello world", "anonymous"),
        ("hello again", "anonymous"),
        ("home", "anonymous"),
        ("home", "logged in"),
    }


def test_loadtest_names_the_pages_it_knows(live_server, transactional_db):
    with pytest.raises(CommandError, match="no page 'nowhere'; known: hello world, home"):
        _run(live_server, "--pages", "nowhere")
    assert [page.name for page in PAGES][:2] == ["hello world", "home"]


def test_loadtest_refuses_a_server_that_does_not_log_the_member_in(
    live_server, transactional_db, monkeypatch
):
    from kb.management.commands import loadtest

    monkeypatch.setattr(loadtest, "member_session_cookie", lambda user: ("x=y", lambda: None))
    with pytest.raises(CommandError, match="did not log the test member in"):
        _run(live_server)
