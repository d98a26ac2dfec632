"""``@username`` in a body or a comment: a link to the member's profile, and a notification.

Only names of existing members become links (one query per text holding an ``@``). The
pattern is a Python-Markdown inline pattern, so code spans and code blocks keep their ``@``.
"""

import re
import xml.etree.ElementTree as etree
from urllib.parse import unquote

from django.urls import reverse
from markdown.inlinepatterns import InlineProcessor

# A Django username (letters, digits, _ . + -) not inside a word or an e-mail address;
# a trailing "." or "-" is punctuation, not part of the name.
MENTION_PATTERN = r"(?<![\w@/.+-])@(\w(?:[\w.+-]*\w)?)"
_MENTION_RE = re.compile(MENTION_PATTERN)
MAX_MENTIONS = 20  # more names than this in one text notify nobody beyond the first ones
# A mention as kb.markdown renders it (nh3 adds the rel attribute after the href).
_LINK_RE = re.compile(r'<a href="/users/([^/"]+)/"[^>]*>@[^<]+</a>')


def mentioned_names(text: str) -> list[str]:
    """The distinct ``@names`` written in ``text``, in order (existing or not)."""
    names = dict.fromkeys(match.group(1) for match in _MENTION_RE.finditer(text or ""))
    return list(names)[:MAX_MENTIONS]


def _members(names):
    from accounts.models import User

    if not names:
        return User.objects.none()
    return User.objects.filter(username__in=names, is_active=True, is_imported=False)


def mentioned_members(html: str):
    """The members a rendered body or comment mentions: its ``@name`` profile links, so an
    ``@name`` in code or in an e-mail address, which renders no link, mentions nobody."""
    names = dict.fromkeys(unquote(match.group(1)) for match in _LINK_RE.finditer(html or ""))
    return _members(list(names)[:MAX_MENTIONS])


class MentionProcessor(InlineProcessor):
    """Turns ``@name`` into a profile link when ``name`` is in ``md.known_mentions``."""

    def handleMatch(self, match, data):
        name = match.group(1)
        if name not in getattr(self.md, "known_mentions", ()):
            return None, None, None
        link = etree.Element("a")
        link.set("href", reverse("accounts:profile", args=[name]))
        link.text = f"@{name}"
        return link, match.start(0), match.end(0)


def install(md) -> None:
    # Below links and code spans (higher priorities run first), so their text stays as is.
    md.inlinePatterns.register(MentionProcessor(MENTION_PATTERN, md), "mention", 25)


def known_names(text: str) -> set[str]:
    """Which of the text's ``@names`` are members: the links to make while rendering."""
    if "@" not in (text or "") or not mentioned_names(text):
        return set()
    return set(_members(mentioned_names(text)).values_list("username", flat=True))
