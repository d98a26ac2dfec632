"""Load-test a running CareerKB on this machine: each page anonymous and logged in, beside a
Django hello-world view measured in the same run (first and last: the faster is the 100 %),
as req/s and % of hello world.

    manage.py loadtest --url http://127.0.0.1:8000/ --requests 500 --concurrency 8

Run it with the server's settings (same database): it signs in a test member by creating a
session row for it, and sends that session's cookie for the logged-in rows. Bounded in count
(--requests per measurement) and time (--seconds for the whole run) and stops by itself. Only
loopback addresses are accepted: a load test never leaves this machine.

The pages measured are GETs, which are not rate-limited; search and the similar-questions
endpoint are (README, "Rate limits"): to load-test those with --paths, start the server with
KB_RATELIMIT_ENABLED=0. Answers refused as 429 are counted apart, so they are never mistaken
for fast pages.
"""

import ipaddress
import socket
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.urls import reverse
from taggit.models import Tag

from kb.models import Post

LOADTEST_USERNAME = "loadtest-member"
HELLO_WORLD = "hello world"
HELLO_AGAIN = "hello again"  # hello world measured once more at the end of the run


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable[[], str | None]  # None: nothing to show yet (an empty site)
    anonymous: bool = True  # False for pages only members have (an inbox)


def _a_question() -> str | None:
    question = Post.objects.questions().visible().order_by("-answer_count", "-id").first()
    return question.get_absolute_url() if question else None


def _a_tag() -> str | None:
    tag = (
        Tag.objects.annotate(
            n=Count("post", filter=Q(post__is_deleted=False, post__held_reason=""))
        )
        .filter(n__gt=0)
        .order_by("-n", "name")
        .first()
    )
    return reverse("kb:tag-detail", args=[tag.slug]) if tag else None


# The pages measured, in order; add a page here to measure it.
PAGES = [
    Page(HELLO_WORLD, lambda: reverse("kb:hello-world")),
    Page("home", lambda: reverse("kb:home")),
    Page("question list", lambda: reverse("kb:question-list")),
    Page("question page", _a_question),
    Page("tag page", _a_tag),
    Page("inbox", lambda: reverse("kb:inbox"), anonymous=False),
]


@dataclass(frozen=True)
class Result:
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    failures: int  # not 200
    rate_limited: int  # 429


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise CommandError(f"cannot resolve {host!r}: {error}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise CommandError(f"{url} is not on this machine: load tests only target loopback")


def _fetch(url: str, cookie: str | None) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0
    return time.perf_counter() - started, status


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def member_session_cookie(username: str = LOADTEST_USERNAME) -> tuple[str, Callable[[], None]]:
    """A ``Cookie`` header value logging in as ``username`` (created without a usable
    password if missing, so nobody can sign in as it), and a function ending that session."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", session.delete


def _require_logged_in(url: str, cookie: str) -> None:
    """Refuse to report anonymous pages as logged-in ones (another database, a lost session)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            page = response.read().decode(errors="replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise CommandError(f"{url}: {error}") from None
    if f'action="{reverse("accounts:logout")}"' not in page:
        raise CommandError(
            f"{url} did not log the test member in: is the server using this database?"
        )


class Command(BaseCommand):
    help = "Send a bounded load of GET requests to a local CareerKB and print the numbers."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="site root")
        parser.add_argument(
            "--pages", default=",".join(p.name for p in PAGES[1:]), help="names from PAGES"
        )
        parser.add_argument("--paths", default="", help="extra paths, comma-separated")
        parser.add_argument("--requests", type=int, default=500, help="per measurement")
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--seconds", type=float, default=120.0, help="whole run stops then")
        parser.add_argument("--user", default=LOADTEST_USERNAME, help="the logged-in member")

    def handle(self, *args, **options):
        root = options["url"].rstrip("/")
        _require_loopback(root)
        targets = [(HELLO_WORLD, PAGES[0].path(), True), *self._targets(options)]
        count = max(1, min(options["requests"], 100_000))
        concurrency = max(1, min(options["concurrency"], 64))
        deadline = time.monotonic() + options["seconds"]
        cookie, end_session = member_session_cookie(options["user"])
        self.stdout.write(
            f"{count} requests per row, {concurrency} at once, to {root} "
            f"(logged in as {options['user']})"
        )
        rows = []
        try:
            _require_logged_in(f"{root}{reverse('kb:home')}", cookie)
            # Hello world first and last (a session adds nothing to it), each page anonymous
            # and logged in between: a machine that sped up or slowed down during the run
            # shows as two different hello rows, and the faster one is the 100 %.
            hello_path = targets[0][1]
            runs = [(HELLO_WORLD, hello_path, None)]
            for name, path, anonymous in targets[1:]:
                if anonymous:
                    runs.append((name, path, None))
                runs.append((name, path, cookie))
            runs.append((HELLO_AGAIN, hello_path, None))
            for index, (name, path, with_cookie) in enumerate(runs):
                share = (deadline - time.monotonic()) / (len(runs) - index)
                result = self._measure(f"{root}{path}", count, concurrency, with_cookie, share)
                rows.append((name, path, with_cookie is not None, result))
        finally:
            end_session()
        self._print_table(rows)

    def _targets(self, options) -> list[tuple[str, str, bool]]:
        by_name = {page.name: page for page in PAGES}
        targets = []
        for name in (n.strip() for n in options["pages"].split(",") if n.strip()):
            if name not in by_name:
                raise CommandError(f"no page {name!r}; known: {', '.join(by_name)}")
            path = by_name[name].path()
            if path is None:
                self.stdout.write(f"{name}: skipped, the site has none yet")
                continue
            targets.append((name, path, by_name[name].anonymous))
        extra = [p.strip() for p in options["paths"].split(",") if p.strip()]
        return targets + [(path, path, True) for path in extra]

    def _measure(self, url, count, concurrency, cookie, seconds) -> Result | None:
        stop_at = time.monotonic() + seconds

        def task(_):
            return _fetch(url, cookie) if time.monotonic() < stop_at else None

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(task, range(concurrency)))  # warm up: caches, connections
            started = time.perf_counter()
            results = [r for r in pool.map(task, range(count)) if r is not None]
            elapsed = time.perf_counter() - started
        if not results:
            return None
        latencies = [seconds * 1000 for seconds, _ in results]
        return Result(
            requests=len(results),
            per_second=len(results) / elapsed,
            p50_ms=statistics.median(latencies),
            p95_ms=_percentile(latencies, 0.95),
            failures=sum(1 for _, status in results if status != 200),
            rate_limited=sum(1 for _, status in results if status == 429),
        )

    def _print_table(self, rows) -> None:
        hellos = [r for name, _, _, r in rows if name in (HELLO_WORLD, HELLO_AGAIN) and r]
        hello = max(hellos, key=lambda result: result.per_second, default=None)
        header = (
            f"{'page':<16} {'visitor':<10} {'req/s':>8} {'% hello':>8} "
            f"{'p50 ms':>7} {'p95 ms':>7} {'requests':>8} {'non-200':>7}  path"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name, path, logged_in, result in rows:
            visitor = "logged in" if logged_in else "anonymous"
            if result is None:
                self.stdout.write(f"{name:<16} {visitor:<10} time limit reached before any request")
                continue
            share = f"{100 * result.per_second / hello.per_second:7.1f}%" if hello else "     n/a"
            limited = f" (429: {result.rate_limited})" if result.rate_limited else ""
            self.stdout.write(
                f"{name:<16} {visitor:<10} {result.per_second:8.1f} {share:>8} "
                f"{result.p50_ms:7.1f} {result.p95_ms:7.1f} {result.requests:8d} "
                f"{result.failures:7d}  {path}{limited}"
            )
