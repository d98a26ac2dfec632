"""The only place user text becomes HTML: Markdown, then an nh3 allow-list.

Posts are rendered once, on save, into ``body_html``; templates mark that safe.
Raw HTML in the source is escaped by Markdown's own escaping and removed again by
nh3 should anything slip through, so no tag, ``on*`` attribute or ``javascript:``
/ ``data:`` URL reaches a page.
"""

import threading

import markdown as _markdown
import nh3

from kb import markdown_bounds, mentions

BLOCK_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "em",
    "strong",
    "del",
    "s",
    "sup",
    "sub",
    "a",
    "img",
    "kbd",
    "abbr",
}
INLINE_TAGS = {"a", "code", "em", "strong", "del", "s", "kbd", "sup", "sub"}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "smarty"]


_local = threading.local()


def _converter() -> _markdown.Markdown:
    # Building a Markdown instance costs more than converting a short comment, so each
    # thread keeps one and resets it between conversions (instances are not thread-safe).
    md = getattr(_local, "md", None)
    if md is None:
        md = _markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
        # Raw HTML in the source is shown as text, not interpreted.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        markdown_bounds.install(md)
        mentions.install(md)
        _local.md = md
    return md.reset()


def _to_html(text: str) -> str:
    md = _converter()
    md.known_mentions = mentions.known_names(text)  # "@name" links to members only
    # Bounded first: Python-Markdown's worst cases grow faster than the text (kb.markdown_bounds).
    return markdown_bounds.restore(md.convert(markdown_bounds.bound_source(text)))


def _clean(html: str, tags: set[str]) -> str:
    return nh3.clean(
        html,
        tags=tags,
        attributes={tag: attrs for tag, attrs in ATTRIBUTES.items() if tag in tags},
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown source -> sanitised HTML for a post body."""
    return _clean(_to_html(text or ""), BLOCK_TAGS)


def render_inline_markdown(text: str) -> str:
    """Comment text -> sanitised HTML with inline formatting only (links, code, emphasis)."""
    html = _to_html((text or "").replace("\n", " "))
    return _clean(html, INLINE_TAGS).strip()


def sanitize_html(html: str) -> str:
    """Imported HTML (Stack Exchange bodies) through the same allow-list as rendered posts."""
    return _clean(html or "", BLOCK_TAGS)
