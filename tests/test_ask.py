"""Asking a question: validation per field, typed text kept, preview, tags, suggestions."""

import pytest
from django.urls import reverse

from kb.models import Post, TagSynonym
from tests.factories import make_question

pytestmark = pytest.mark.django_db

ASK = "/questions/ask/"
VALID = {
    "title": "PhD or a product team for computer vision?",
    "body": "I finish my master's in June and have two offers. Which one builds a career?",
    "tags": "phd-vs-product, Computer-Vision",
}


def _post(client, **changes):
    return client.post(ASK, {**VALID, **changes})


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(ASK)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/questions/ask/"
    assert _post(client).status_code == 302
    assert not Post.objects.exists()


def test_ask_page_renders_the_form(alice_client):
    response = alice_client.get(ASK)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("title", "body", "tags"):
        assert f'name="{name}"' in html
    assert 'name="preview"' in html
    assert 'list="tag-suggestions"' in html


def test_valid_question_is_saved_tagged_and_redirects_to_its_page(alice_client, alice):
    response = _post(alice_client)
    question = Post.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/questions/{question.pk}/phd-or-a-product-team-for-computer-vision/"
    )
    assert question.author == alice
    assert question.is_question
    assert sorted(question.tags.names()) == ["computer-vision", "phd-vs-product"]
    page = alice_client.get(response["Location"])
    assert "Your question is posted" in page.content.decode()


def test_cpp_tag_gets_a_url_safe_slug(alice_client):
    _post(alice_client, tags="c++ skills")
    tag = Post.objects.get().tags.get(name="c++")
    assert tag.slug == "cpp"


def test_synonyms_are_applied_when_tagging(alice_client):
    target = make_question(tags=["big-tech"]).tags.get()
    TagSynonym.objects.create(source="faang", target=target)
    _post(alice_client, tags="faang startups")
    question = Post.objects.latest("pk")
    assert sorted(question.tags.names()) == ["big-tech", "startups"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give your question a title."),
        ("title", "Too short", "at least 15"),
        ("title", "x" * 151, "Keep it to 150"),
        ("body", "", "Write the text of your post."),
        ("body", "Too short a body.", "at least 30"),
        ("body", "x" * 30_001, "Keep it to 30,000"),
        ("tags", "", "Add at least one tag"),
        ("tags", "a b c d e f", "at most 5 tags"),
        ("tags", "bad_tag", "may only use lower-case letters"),
        ("tags", "x" * 36, "longer than 35"),
    ],
)
def test_invalid_field_shows_its_error_next_to_it_and_keeps_input(
    alice_client, field, value, message
):
    response = _post(alice_client, **{field: value})
    assert response.status_code == 400
    html = response.content.decode()
    field_block = html.split(f'id="field-{field}"')[1].split('class="field')[0]
    assert message in field_block
    assert not Post.objects.exists()
    for other, typed in VALID.items():
        if other != field:
            assert typed.replace("'", "&#x27;") in html


def test_length_limits_are_inclusive(alice_client):
    response = _post(alice_client, title="t" * 15, body="b" * 30)
    assert response.status_code == 302
    response = _post(alice_client, title="T" * 150, body="B" * 30_000)
    assert response.status_code == 302


def test_hostile_tag_name_is_refused_and_escaped(alice_client):
    response = _post(alice_client, tags="<script>alert(1)</script>")
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_preview_renders_markdown_and_saves_nothing(alice_client):
    response = _post(alice_client, body="Some **bold** text", preview="1")
    assert response.status_code == 200
    html = response.content.decode()
    preview = html.split('id="ask-preview"')[1].split("</div>")[0]
    assert "<strong>bold</strong>" in preview
    assert 'value="PhD or a product team for computer vision?"' in html
    assert "errorlist" not in html  # a preview is not a failed submission
    assert not Post.objects.exists()


def test_preview_sanitises_html(alice_client):
    response = _post(
        alice_client, body="<script>alert(1)</script><img src=x onerror=alert(2)>", preview="1"
    )
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html


def test_markdown_preview_endpoint_returns_html(alice_client):
    response = alice_client.post(
        reverse("kb:markdown-preview"), {"body": "*hi* <script>x</script>"}
    )
    assert response.status_code == 200
    assert "<em>hi</em>" in response.json()["html"]
    assert "<script" not in response.json()["html"]


def test_markdown_preview_needs_log_in_and_post(client, alice):
    url = reverse("kb:markdown-preview")
    assert client.post(url, {"body": "x"}).status_code == 302
    client.force_login(alice)
    assert client.get(url).status_code == 405


def test_tag_suggestions_are_prefix_matches_most_used_first(client):
    for _ in range(3):
        make_question(tags=["career-switch"])
    make_question(tags=["careers", "skills"])
    response = client.get(reverse("kb:tag-suggest"), {"q": "Car"})
    assert response.status_code == 200
    assert response.json() == [
        {"name": "career-switch", "count": 3},
        {"name": "careers", "count": 1},
    ]


def test_tag_suggestions_at_most_eight_and_empty_for_no_prefix(client):
    make_question(tags=[f"topic-{i}" for i in range(10)])
    assert len(client.get(reverse("kb:tag-suggest"), {"q": "topic"}).json()) == 8
    assert client.get(reverse("kb:tag-suggest"), {"q": ""}).json() == []
