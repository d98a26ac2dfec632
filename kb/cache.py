"""Whole-page caching of anonymous GETs, keyed by URL and a content version.

Most readers arrive logged out from a search engine, and a list page costs ~25x a
cached one (DESIGN.md, "Speed of pages"). Every write bumps one version number in the
cache; page keys include it, so a write makes every cached page unreachable at once and
a cached page is never stale. Old entries simply expire.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

CONTENT_VERSION_KEY = "kb:content-version"
PAGE_KEY_PREFIX = "kb:page"
CACHE_HEADER = "X-Page-Cache"


def _fresh_version() -> int:
    # Time-based, so a version lost to eviction or a restart never repeats an old one.
    return time.time_ns() // 1000


def content_version() -> int:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        cache.add(CONTENT_VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(CONTENT_VERSION_KEY, 0)
    return version


def _bump_now() -> None:
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:  # the key was missing (first write, eviction)
        cache.set(CONTENT_VERSION_KEY, _fresh_version(), timeout=None)


def bump_content_version() -> None:
    """Invalidate every cached page: kb/signals.py calls it for each ``content_changed``
    event (kb/events.py) and for the few writes made outside the domain methods.

    Bumps now and again after the commit: a reader that rendered the old rows between the
    write and the commit may have cached them under the first new version.
    """
    _bump_now()
    transaction.on_commit(_bump_now)


def cached_fragment(name: str, compute):
    """``compute()``, cached under the content version: for the aggregates every page shows
    (popular tags, counts), so logged-in pages skip them too until the next write."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    key = f"kb:fragment:{content_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def fragment_context() -> dict:
    """Template context for ``{% cache fragment_seconds "name" fragment_version ... %}``:
    fragments every visitor sees alike (summary lists, sidebars), cached under the content
    version so logged-in pages render them once per write, never stale."""
    return {
        "fragment_seconds": max(settings.PAGE_CACHE_SECONDS, 0),
        "fragment_version": content_version(),
    }


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    return len(get_messages(request)) == 0  # len() looks without consuming them


def _cacheable_response(request, response) -> bool:
    # Cookies are also set after the view, by middleware: a page holding a CSRF token or
    # a changed session belongs to this visitor alone.
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
    )


def page_cache_key(request) -> str:
    url = request.build_absolute_uri()
    digest = hashlib.sha256(url.encode()).hexdigest()[:32]
    return f"{PAGE_KEY_PREFIX}:{content_version()}:{digest}"


def cache_anonymous_page(view):
    """Serve anonymous GETs of ``view`` from the cache; logged-in users always get a render."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request) or settings.PAGE_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        key = page_cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response[CACHE_HEADER] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if not _cacheable_response(request, response):
                return response
            cache.set(
                key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS
            )
            response[CACHE_HEADER] = "miss"
        # The same URL shows a different page once logged in.
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
