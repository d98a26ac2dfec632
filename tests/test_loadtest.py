import pytest
from django.core.management import CommandError, call_command


def test_loadtest_refuses_hosts_off_this_machine():
    with pytest.raises(CommandError, match="only target loopback"):
        call_command("loadtest", "--url", "http://192.0.2.10:8000", "--requests", "1")


def test_loadtest_reports_numbers_against_the_live_server(live_server, capsys, db):
    call_command(
        "loadtest",
        "--url",
        live_server.url,
        "--paths",
        "/",
        "--requests",
        "6",
        "--concurrency",
        "2",
        "--seconds",
        "30",
    )
    out = capsys.readouterr().out
    assert "req/s" in out
    assert "non-200: 0" in out
