"""Template filters for links that come from outside (imported sources)."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s) with a host, else "": never a ``javascript:`` link.

    The importers store only http(s) URLs; this keeps rows written before that rule, or
    by any other path that skips model validation, from becoming a link.
    """
    try:
        parts = urlsplit(str(value or ""))
    except ValueError:
        return ""
    return value if parts.scheme in {"http", "https"} and parts.netloc else ""
