"""The one-line plain-text excerpt of a post that list pages show under its title.

Computed once, on save, into ``Post.excerpt`` (never per request): list pages read the column.
"""

import html
import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

EXCERPT_CHARS = 220
EXCERPT_SOURCE_CHARS = 1200
_EXCERPT_SKIP_RE = re.compile(r"<(h[1-6]|table|pre)\b.*?(</\1>|$)", re.DOTALL)


def plain_excerpt(html_prefix: str, length: int = EXCERPT_CHARS) -> str:
    """Plain text from the start of a rendered body, cut at a word."""
    cut = html_prefix.rsplit("<", 1)
    if len(cut) == 2 and ">" not in cut[1]:  # drop a tag the prefix cut in half
        html_prefix = cut[0]
    # Headings, tables and code read as noise in one line of prose; the prefix may end
    # inside one, hence "or the end". Safe on our own sanitised HTML.
    html_prefix = _EXCERPT_SKIP_RE.sub(" ", html_prefix)
    html_prefix = html_prefix.replace("</p>", " </p>").replace("</li>", " </li>")
    text = html.unescape(strip_tags(html_prefix))
    text = re.sub(r"\s+", " ", text).strip()
    return Truncator(text).chars(length)


def excerpt_of(body_html: str) -> str:
    """The stored excerpt of a post whose rendered body is ``body_html``."""
    return plain_excerpt(body_html[:EXCERPT_SOURCE_CHARS])
