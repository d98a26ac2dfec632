"""Load-test a running CareerKB on this machine and print requests/second and latencies.

    manage.py loadtest --url http://127.0.0.1:8000/ --requests 2000 --concurrency 8

Bounded in count (--requests) and time (--seconds) and stops by itself. Only loopback
addresses are accepted: a load test never leaves this machine.

The default pages are not rate-limited; search and the similar-questions endpoint are
(README, "Rate limits"): to load-test those, start the server with KB_RATELIMIT_ENABLED=0.
Answers refused as 429 are counted apart, so they are never mistaken for fast pages.
"""

import ipaddress
import socket
import statistics
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

DEFAULT_PATHS = ("/", "/questions/", "/questions/?sort=top", "/tags/", "/posts/")


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise CommandError(f"cannot resolve {host!r}: {error}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise CommandError(f"{url} is not on this machine: load tests only target loopback")


def _fetch(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
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


class Command(BaseCommand):
    help = "Send a bounded load of GET requests to a local CareerKB and print the numbers."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="site root")
        parser.add_argument("--paths", default=",".join(DEFAULT_PATHS))
        parser.add_argument("--requests", type=int, default=1000)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--seconds", type=float, default=60.0, help="stop after this long")

    def handle(self, *args, **options):
        root = options["url"].rstrip("/")
        _require_loopback(root)
        paths = [p.strip() for p in options["paths"].split(",") if p.strip()]
        total = max(1, min(options["requests"], 100_000))
        deadline = time.monotonic() + options["seconds"]
        self.stdout.write(f"{total} requests, {options['concurrency']} at once, to {root}")
        for path in paths:
            self._run(f"{root}{path}", total // len(paths) or 1, options["concurrency"], deadline)

    def _run(self, url: str, count: int, concurrency: int, deadline: float) -> None:
        def task(_):
            return _fetch(url) if time.monotonic() < deadline else None

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = [r for r in pool.map(task, range(count)) if r is not None]
        elapsed = time.perf_counter() - started
        if not results:
            self.stdout.write(f"{url}: time limit reached before any request")
            return
        latencies = [seconds * 1000 for seconds, _ in results]
        failures = sum(1 for _, status in results if status != 200)
        limited = sum(1 for _, status in results if status == 429)
        p50, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
        self.stdout.write(
            f"{url:<45} {len(results) / elapsed:8.1f} req/s  "
            f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  non-200: {failures}"
            + (f" (429 rate-limited: {limited})" if limited else "")
        )
