"""XSS corpus on every page that shows user text, lists included (tests/test_xss.py covers
the ask form, preview JSON and revisions with its own sample).

The corpus is tests/data/xss/xss-payload-list.txt (a copy of the team's XSS sample corpus, MIT,
LICENSE beside it): every 25th line plus notable payloads,
in question and experience titles, bodies and comments; then the question and experience pages,
home, question list, post list, tag page and tag index. Tag names with markup must be refused
with a clear message. A page is safe when its HTML, minus the site's own
``<script src="/static/...">`` tags, has no script element, no ``on*`` event attribute and no
``javascript:``/``data:`` URL in a URL attribute.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from kb.models import Post
from tests.factories import make_comment, make_experience, make_question, make_user

CORPUS = Path(__file__).resolve().parent / "data" / "xss" / "xss-payload-list.txt"
NOTABLE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[click me](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "![pic](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<a href=" javascript:alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<body onload="alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<form action=javascript:alert(1)><button>go</button></form>",
]


def _corpus_sample() -> list[str]:
    lines = [line.strip() for line in CORPUS.read_text(errors="replace").splitlines()]
    sampled = [line for line in lines[::25] if line]
    return list(dict.fromkeys(sampled + NOTABLE))


PAYLOADS = _corpus_sample()
CHUNK = 20
CHUNKS = [PAYLOADS[i : i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "srcset",
    "cite",
    "longdesc",
}
QUOTED_VALUE = re.compile(r'"[^"]*"|\'[^\']*\'')
SITE_SCRIPT = re.compile(r'<script src="/static/[^"<>]+"( defer)?></script>')
# Browsers ignore control characters and whitespace inside a URL scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")


class _PageAudit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed", "base"}:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event attribute")
            if name == "style" and value and "url(" in value.lower():
                self.problems.append(f"<{tag} style> with url()")
            if name in URL_ATTRIBUTES and value:
                scheme = _IGNORED_IN_SCHEME.sub("", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"<{tag} {name}={value[:40]!r}> executable URL")


def assert_safe(response) -> None:
    html = response.content.decode()
    user_part, found = SITE_SCRIPT.subn("", html)
    assert found >= 1, "the page should carry the site's own script tag"
    assert "<script" not in user_part.lower()
    # Quoted attribute values are inert text (escaped): look only at the names around them.
    tags = [QUOTED_VALUE.sub('""', tag) for tag in re.findall(r"<[a-zA-Z][^>]*>", user_part)]
    assert not [tag for tag in tags if re.search(r"\son[a-z]+\s*=", tag, re.IGNORECASE)]
    # Escaped text would show &quot; here: a literal quote means a real attribute.
    for literal in ('href="javascript:', 'src="javascript:', 'href="data:', 'src="data:'):
        assert literal not in user_part.lower(), literal
    audit = _PageAudit()
    audit.feed(user_part)
    assert audit.problems == []


def test_the_sample_is_large_and_has_the_notable_payloads():
    assert len(PAYLOADS) > 250
    assert "<svg onload=alert(1)>" in PAYLOADS


def test_the_audit_catches_what_it_should():
    """The checker itself: unsafe HTML fails, escaped text passes."""

    class Fake:
        def __init__(self, html):
            self.content = html.encode()

    base = '<script src="/static/js/site.js" defer></script>'
    assert_safe(Fake(base + "<p>&lt;img onerror=alert(1)&gt;</p>"))
    for bad in (
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        "<script>alert(1)</script>",
        '<img src="data:image/svg+xml,x">',
    ):
        with pytest.raises(AssertionError):
            assert_safe(Fake(base + bad))


@pytest.fixture
def writer(db):
    return make_user("writer", display_name="Writer")


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_payloads_in_titles_bodies_and_comments_never_execute(client, writer, chunk):
    payloads = CHUNKS[chunk]
    questions, posts = [], []
    for number, payload in enumerate(payloads):
        title = f"{payload} {number}"[:150]
        question = make_question(writer, title=title, body=payload, tags=["xss-corpus"])
        make_comment(question, writer, body=payload)
        questions.append(question)
        post = make_experience(writer, title=title, body=payload, tags=["xss-corpus"])
        make_comment(post, writer, body=payload)
        posts.append(post)

    for question in questions:
        response = client.get(question.get_absolute_url())
        assert response.status_code == 200
        assert_safe(response)
    for post in posts:
        response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert_safe(response)
    for url in (
        reverse("kb:home"),
        reverse("kb:question-list"),
        reverse("kb:question-list") + "?page=2",
        reverse("kb:question-list") + "?sort=active",
        reverse("kb:post-list"),
        reverse("kb:tag-detail", args=["xss-corpus"]),
        reverse("kb:tag-list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe(response)


def test_payload_answers_and_revisions_never_execute(client, writer):
    question = make_question(writer, tags=["xss-corpus"])
    for payload in NOTABLE:
        Post.objects.create(kind=Post.Kind.ANSWER, parent=question, author=writer, body=payload)
    question.edit(writer, title=NOTABLE[0][:150] + " title", body=NOTABLE[1] * 3, tags=None)
    question.edit(writer, title="A calm title for the question", body="A calm body " * 5, tags=None)
    for url in (question.get_absolute_url(), reverse("kb:post-revisions", args=[question.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert_safe(response)


@pytest.mark.parametrize("payload", NOTABLE)
def test_payloads_through_the_ask_form_are_rendered_safely(client, writer, payload):
    client.force_login(writer)
    title = f"Career question: {payload}"[:150]
    body = f"Some context about my situation first. {payload}"
    response = client.post(
        reverse("kb:question-ask"), {"title": title, "body": body, "tags": "skills"}
    )
    assert response.status_code == 302
    question = Post.objects.questions().get(title=title)
    page = client.get(question.get_absolute_url())
    assert_safe(page)


@pytest.mark.parametrize("payload", NOTABLE)
def test_payloads_through_the_experience_form_and_preview_are_safe(client, writer, payload):
    client.force_login(writer)
    data = {
        "title": f"My story: {payload}"[:150],
        "body": f"How I got my first perception job. {payload}",
        "tags": "career-switch",
    }
    preview = client.post(reverse("kb:post-create"), {**data, "preview": "1"})
    assert preview.status_code == 200
    assert_safe(preview)
    response = client.post(reverse("kb:post-create"), data)
    assert response.status_code == 302
    assert_safe(client.get(response["Location"]))


@pytest.mark.parametrize("payload", PAYLOADS[::4] + NOTABLE)
def test_tag_names_with_markup_are_rejected_with_a_clear_error(client, writer, payload):
    client.force_login(writer)
    data = {
        "title": "Which skills for a computer-vision job?",
        "body": "I am a mechanical engineer learning Python and OpenCV in the evenings.",
        "tags": payload,
    }
    response = client.post(reverse("kb:question-ask"), data)
    # The re-rendered form echoes what was typed: escaped, never live.
    assert_safe(response)
    names_ok = all(re.fullmatch(r"[a-z0-9+#.-]+", name) for name in payload.lower().split())
    if not names_ok or not payload.split():
        assert response.status_code == 400
        assert not Post.objects.exists()
        html = response.content.decode()
        assert (
            "may only use lower-case letters" in html
            or "longer than" in html
            or ("at most" in html)
            or "Keep it to 300 characters" in html  # the whole field is too long
        )
    from taggit.models import Tag

    assert all(re.fullmatch(r"[a-z0-9+#.-]+", tag.name) for tag in Tag.objects.all())


@pytest.mark.parametrize("payload", NOTABLE[:6])
def test_comment_payloads_through_the_form_are_safe(client, writer, payload):
    question = make_question(writer)
    client.force_login(make_user())
    body = f"Good point, but consider: {payload}"
    response = client.post(reverse("kb:comment-create", args=[question.pk]), {"body": body})
    assert response.status_code == 302
    assert_safe(client.get(question.get_absolute_url()))
