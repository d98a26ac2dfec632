"""ASGI entry point."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
try:  # a server signs sessions and CSRF tokens: never without a key
    settings.SECRET_KEY  # noqa: B018 (an empty key raises on access)
except ImproperlyConfigured:
    raise ImproperlyConfigured(settings.MISSING_SECRET_KEY) from None
application = get_asgi_application()
