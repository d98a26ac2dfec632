"""``{% load authors %}``: every author shown on a page goes through here.

``{{ post|author_link }}`` (a post or a comment) is a link to the author's profile, or
"Anonymous member" when the author asked anonymously (``ShownAuthorMixin``); the same for
every visitor, so it is safe inside shared cached fragments.
"""

from django import template
from django.utils.html import format_html

from kb.models import ANONYMOUS_AUTHOR_NAME

register = template.Library()


@register.filter
def author_link(item) -> str:
    return _member_link(item.shown_author)


@register.filter
def editor_link(revision) -> str:
    """Who made an edit: their link, "Anonymous member" for an anonymous author's own
    edits, or "a former member" when the account is gone."""
    if revision.editor_id is None:
        return "a former member"
    return _member_link(revision.shown_editor)


def _member_link(member) -> str:
    if member is None:
        return format_html('<span class="anonymous-author">{}</span>', ANONYMOUS_AUTHOR_NAME)
    return format_html('<a href="{}">{}</a>', member.get_absolute_url(), member.name)
