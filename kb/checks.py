"""System checks for settings that work but mislead in production."""

from django.conf import settings
from django.core import checks

_PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "counts in each process apart",
    "django.core.cache.backends.dummy.DummyCache": "stores nothing, so nothing is limited",
}


@checks.register(checks.Tags.caches, deploy=True)
def check_rate_limit_cache(app_configs, **kwargs):
    """Rate limits (kb/ratelimits.py) and the page cache need one cache for all workers."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in _PER_PROCESS_CACHES or not settings.RATELIMIT_ENABLE:
        return []
    return [
        checks.Warning(
            f"KB_CACHE_URL is {backend.rsplit('.', 1)[-1]}, which {_PER_PROCESS_CACHES[backend]}: "
            "with several workers, rate limits allow several times their rates.",
            hint="Set KB_CACHE_URL=redis://... (README, Production).",
            id="kb.W001",
        )
    ]
