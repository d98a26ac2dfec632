"""Rate limits: how many of an action a member, or a network address, may do per period.

django-ratelimit counts on the configured cache (``KB_CACHE_URL``); the rates are settings
(``RATE_LIMITS``, README "Rate limits"). Limits on members grow with reputation, so a new
account is bounded while someone the community trusts is not slowed down. Log-in failures
are django-axes' job (settings ``AXES_*``); this module gives it the client address.

A view either takes ``@rate_limit("answer")`` or asks ``limit_reached(request, "answer")``
itself when only some of its requests count (a preview is not a post).
"""

import functools
import ipaddress
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage

from kb.views.errors import too_many_requests

logger = logging.getLogger("kb.ratelimits")

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PERIOD_WORDS = {1: "a second", 60: "a minute", 3600: "an hour", 86400: "a day"}


@dataclass(frozen=True)
class Action:
    noun: str  # what is counted, for the message: "questions"
    key: str  # who is counted: "user", "user_or_ip", "ip" or "email"
    methods: tuple[str, ...] = ("POST",)


ACTIONS = {
    "question": Action("questions", "user"),
    "experience": Action("experience posts", "user"),
    "answer": Action("answers", "user"),
    "comment": Action("comments", "user"),
    "vote": Action("votes", "user"),
    "preview": Action("previews", "user"),
    "similar": Action("similar-question look-ups", "user_or_ip", ("GET",)),
    "search": Action("searches", "user_or_ip", ("GET",)),
    "signup": Action("sign-ups from your network", "ip"),
    "password_reset_email": Action("password-reset e-mails to this address", "email"),
    "password_reset_ip": Action("password-reset requests from your network", "ip"),
    "flag": Action("flags", "user"),
    "verification_email": Action("verification e-mails", "user"),
    "edit": Action("edits", "user"),
    "toggle": Action("follows, bookmarks and other switches", "user"),
}


@dataclass(frozen=True)
class Refusal:
    """Why a request was limited: what, how much per period, and when to come back."""

    action: str
    limit: int
    period: int  # seconds
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        noun = ACTIONS[self.action].noun
        return (
            f"Too many {noun}: the limit is {self.limit} {_per(self.period)}. "
            f"Please try again in {describe_wait(self.retry_after)}."
        )


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the one ``KB_PROXY_COUNT`` proxies vouch for.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the entry that many
    places from the right is the client's; anything left of it the client could have sent.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            candidate = forwarded[-min(settings.PROXY_COUNT, len(forwarded))]
            if _is_ip(candidate):
                return candidate
    return remote if _is_ip(remote) else "0.0.0.0"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def login_username(request, credentials) -> str:
    """The username django-axes counts failures for: ``Alice`` and ``alice `` are one."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().casefold()


def reputation_factor(user) -> int:
    """How many times the newcomer rates a member gets: 1 + one per reputation step."""
    if not user.is_authenticated:
        return 1
    if user.is_staff:
        return settings.RATE_MAX_FACTOR
    steps = max(user.reputation, 0) // settings.RATE_REPUTATION_STEP
    return min(1 + steps, settings.RATE_MAX_FACTOR)


def _key_value(request, action: Action) -> str:
    if action.key == "email":
        return request.POST.get("email", "").strip().casefold()[:254]
    if action.key in {"user", "user_or_ip"} and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{_network(client_ip(request))}"


def _network(ip: str) -> str:
    # A whole IPv6 /64 is one household or server: counting each address apart is no limit.
    prefix = 64 if ":" in ip else 32
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def _split(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), int(period[:-1] or 1) * _PERIOD_SECONDS[period[-1]]


def limit_reached(request, name: str) -> Refusal | None:
    """Count this request against action ``name``; a Refusal when it is one too many."""
    action = ACTIONS[name]
    if not settings.RATELIMIT_ENABLE or request.method not in action.methods:
        return None
    value = _key_value(request, action)
    factor = 1 if action.key in {"ip", "email"} else reputation_factor(request.user)
    refusals = []
    for rate in settings.RATE_LIMITS.get(name, ()):
        count, period = _split(rate)
        usage = _count(request, name, rate, value)
        # The base rate names the counter, so a member whose reputation grows keeps their
        # count; the limit it is compared with grows.
        if usage is not None and usage["count"] > count * factor:
            retry = max(usage["time_left"], 1)
            refusals.append(Refusal(name, count * factor, period, retry))
    return max(refusals, key=lambda refusal: refusal.retry_after, default=None)


def _count(request, name: str, rate: str, value: str) -> dict | None:
    try:
        return get_usage(
            request,
            group=f"kb:{name}",
            key=lambda group, request: value,
            rate=rate,
            increment=True,
        )
    except Exception:
        # A cache that is down must not take posting down with it (RATELIMIT_FAIL_OPEN).
        logger.exception("Rate-limit cache unavailable; %s not counted", name)
        return None


def rate_limit(name: str):
    """Decorate a view: a request over the limit gets the 429 answer and the view never runs."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            refusal = limit_reached(request, name)
            if refusal:
                return too_many_requests(request, refusal.message, refusal.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _per(period: int) -> str:
    if period in _PERIOD_WORDS:
        return _PERIOD_WORDS[period]
    return f"every {describe_wait(period)}"


def describe_wait(seconds: int) -> str:
    """``90`` -> "2 minutes": rounded up, so coming back then always works."""
    if seconds < 60:
        return _plural(seconds, "second")
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return _plural(minutes, "minute")
    return _plural(math.ceil(minutes / 60), "hour")


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"
