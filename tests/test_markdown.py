"""kb.markdown: the one place user text becomes HTML."""

from kb.markdown import render_inline_markdown, render_markdown, sanitize_html


def test_fenced_code_tables_and_lists_render():
    html = render_markdown("- one\n- two\n\n```\nx < 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<li>one</li>" in html
    assert "<pre><code>x &lt; 1" in html
    assert "<td>1</td>" in html


def test_links_get_nofollow_ugc_noopener_and_unsafe_urls_lose_their_href():
    html = render_markdown("[ok](https://example.com) [bad](javascript:alert(1))")
    assert '<a href="https://example.com" rel="nofollow ugc noopener">ok</a>' in html
    assert "javascript:" not in html


def test_raw_html_is_shown_as_text():
    html = render_markdown('<img src=x onerror="alert(1)"> <script>alert(1)</script>')
    assert "<img" not in html
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_no_state_leaks_between_conversions():
    """The converter is reused per thread: a reference defined in one post stays there."""
    render_markdown("[ref]: https://leak.example\n\nfirst")
    assert "leak.example" not in render_markdown("[a link][ref]")


def test_inline_markdown_drops_block_elements():
    html = render_inline_markdown("# heading\n\n**bold** and `code`")
    assert "<h1>" not in html
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html


def test_imported_html_is_sanitised():
    assert sanitize_html('<p onclick="x()">hi<script>1</script></p>') == "<p>hi</p>"
