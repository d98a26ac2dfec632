"""XSS: payloads from tests/data/xss (a copy of the team's XSS corpus, MIT, LICENSE beside it)
in titles, bodies, comments and tag names never reach a page as a script, an on* attribute
or an executable URL."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from kb.models import Post
from tests.factories import make_answer, make_comment, make_experience, make_question

CORPUS = Path(__file__).resolve().parent / "data" / "xss" / "xss-payload-list.txt"
NOTABLE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "<iframe src=javascript:alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "<<script>script>alert(1)<</script>/script>",
]
EXECUTABLE_URL = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background"}


def _sample() -> list[str]:
    lines = [line for line in CORPUS.read_text(errors="replace").splitlines() if line.strip()]
    return lines[::20] + NOTABLE


PAYLOADS = _sample()


class _DangerFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRS and value and EXECUTABLE_URL.match(value.replace("\x00", "")):
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def _assert_safe(response):
    assert response.status_code in (200, 400), response.status_code
    finder = _DangerFinder()
    finder.feed(response.content.decode())
    assert finder.problems == []


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def test_the_sample_is_large():
    assert len(PAYLOADS) > 100


def test_finder_catches_what_it_should():
    finder = _DangerFinder()
    finder.feed('<p onclick="x"><a href=" JavaScript:x">a</a><script>x</script></p>')
    assert len(finder.problems) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("chunk", _chunks(PAYLOADS, 40))
def test_payloads_in_titles_bodies_comments_and_answers(client, alice, bob, chunk):
    question = make_question(author=alice, body="\n\n".join(chunk) + "\n\npadding " * 3)
    answer = make_answer(question, author=bob, body="\n\n".join(chunk) + " padding" * 5)
    for payload in chunk:
        make_comment(question, author=bob, body=(payload + " pad pad pad")[:600])
        make_comment(answer, author=alice, body=(payload + " pad pad pad")[:600])
    client.force_login(bob)
    _assert_safe(client.get(question.get_absolute_url()))
    for payload in chunk:
        titled = make_question(author=alice, title=("Q " + payload)[:150])
        _assert_safe(client.get(titled.get_absolute_url()))
        post = make_experience(author=alice, title=("E " + payload)[:150], body=payload + " x" * 20)
        _assert_safe(client.get(post.get_absolute_url()))


@pytest.mark.django_db
@pytest.mark.parametrize("chunk", _chunks(PAYLOADS, 40))
def test_payloads_through_the_ask_form_and_tag_input(alice_client, chunk):
    for payload in chunk:
        data = {
            "title": ("Q " + payload + " padding padding")[:150],
            "body": payload + " padding" * 5,
            "tags": payload[:100],
        }
        response = alice_client.post(reverse("kb:question-ask"), data)
        _assert_safe(response)
        preview = alice_client.post(reverse("kb:question-ask"), {**data, "preview": "1"})
        _assert_safe(preview)
    assert not Post.objects.filter(body_html__icontains="<script").exists()


@pytest.mark.django_db
def test_hostile_tag_names_are_refused_or_escaped(alice_client):
    for payload in NOTABLE:
        response = alice_client.post(
            reverse("kb:question-ask"),
            {"title": "A safe title for the tags test", "body": "x" * 40, "tags": payload},
        )
        _assert_safe(response)
    for question in Post.objects.questions():
        for tag in question.tags.all():
            assert re.fullmatch(r"[a-z0-9+#.\-]+", tag.name), tag.name
        _assert_safe(alice_client.get(question.get_absolute_url()))


@pytest.mark.django_db
def test_edit_revisions_page_shows_old_payload_as_text(alice_client, alice):
    question = make_question(author=alice, body="<script>alert(1)</script> " + "old text " * 5)
    alice_client.post(
        reverse("kb:post-edit", args=[question.pk]),
        {
            "title": question.title,
            "body": "<img src=x onerror=alert(1)> new" + " x" * 20,
            "tags": "cv",
        },
    )
    response = alice_client.get(reverse("kb:post-revisions", args=[question.pk]))
    _assert_safe(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


@pytest.mark.django_db
def test_json_preview_is_sanitised(alice_client):
    for payload in NOTABLE:
        html = alice_client.post(reverse("kb:markdown-preview"), {"body": payload}).json()["html"]
        finder = _DangerFinder()
        finder.feed(html)
        assert finder.problems == []
