"""RSS feeds, sitemap.xml, robots.txt, and the titles and descriptions crawlers read."""

import re

import pytest

from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_experience, make_question

pytestmark = pytest.mark.django_db


def _tagged(post, *names):
    post.tags.set(get_or_create_tags(names))
    return post


def test_newest_questions_feed(client):
    question = _tagged(make_question(title="A question for the RSS feed"), "skills")
    make_question(title="A deleted question for the feed", is_deleted=True)
    make_experience(title="An experience post, not a question")
    response = client.get("/feeds/questions/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    xml = response.content.decode()
    assert "<title>A question for the RSS feed</title>" in xml
    assert f"http://testserver{question.get_absolute_url()}" in xml
    assert "<category>skills</category>" in xml
    assert "deleted question" not in xml
    assert "An experience post" not in xml


def test_feed_description_is_the_sanitised_html(client):
    make_question(body="Hello <script>alert(1)</script> **world** and more words here")
    xml = client.get("/feeds/questions/").content.decode()
    assert "&lt;strong&gt;world&lt;/strong&gt;" in xml
    assert "<script>" not in xml
    assert "&lt;script" not in xml


def test_experience_posts_feed(client):
    make_experience(title="My story for the posts feed")
    make_question(title="A question is not in the posts feed")
    xml = client.get("/feeds/posts/").content.decode()
    assert "My story for the posts feed" in xml
    assert "A question is not in the posts feed" not in xml


def test_tag_feed_has_questions_and_posts_with_that_tag(client):
    _tagged(make_question(title="Tagged question in the tag feed"), "c++")
    _tagged(make_experience(title="Tagged story in the tag feed"), "c++")
    _tagged(make_question(title="Other question not in the tag feed"), "skills")
    response = client.get("/feeds/tags/cpp/")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "<title>CareerKB: c++</title>" in xml
    assert "Tagged question in the tag feed" in xml
    assert "Tagged story in the tag feed" in xml
    assert "Other question" not in xml


def test_tag_feed_of_unknown_tag_is_404(client):
    assert client.get("/feeds/tags/nope/").status_code == 404


def test_sitemap_lists_posts_tags_and_pages_but_not_deleted_ones(client):
    question = _tagged(make_question(), "skills")
    make_answer(question)
    experience = make_experience()
    deleted = make_question(is_deleted=True)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    locations = set(re.findall(r"<loc>([^<]+)</loc>", xml))
    base = "http://testserver"
    assert f"{base}{question.get_absolute_url()}" in locations
    assert f"{base}{experience.get_absolute_url()}" in locations
    assert f"{base}/tags/skills/" in locations
    assert {f"{base}/", f"{base}/questions/", f"{base}/posts/", f"{base}/tags/"} <= locations
    assert f"{base}{deleted.get_absolute_url()}" not in locations
    assert "#answer-" not in xml
    assert "<lastmod>" in xml


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text
    assert "Disallow: /accounts/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "CareerKB — career questions answered by people who made the move"),
        ("/questions/", "Newest questions · CareerKB"),
        ("/questions/?sort=top", "Top questions · CareerKB"),
        ("/questions/?sort=unanswered", "Unanswered questions · CareerKB"),
        ("/questions/tagged/skills/", "Questions tagged skills · CareerKB"),
        ("/posts/", "Experience posts · CareerKB"),
        ("/tags/", "Tags · CareerKB"),
        ("/tags/skills/", "skills: questions and experience posts · CareerKB"),
    ],
)
def test_pages_have_a_meaningful_title_and_description(client, url, title):
    _tagged(make_question(), "skills")
    html = client.get(url).content.decode()
    assert f"<title>{title}</title>" in html
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert len(description) > 50
    assert "CareerKB is a community knowledge base" not in description  # not the default


@pytest.mark.parametrize("url", ["/", "/questions/", "/posts/", "/tags/skills/"])
def test_pages_link_their_feed(client, url):
    _tagged(make_question(), "skills")
    html = client.get(url).content.decode()
    head = html.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/rss+xml"' in head


def test_tag_feed_of_a_synonym_serves_the_main_tag(client):
    from kb.models import TagSynonym

    target = get_or_create_tags(["big-tech"])[0]
    TagSynonym.objects.create(source="faang", target=target)
    _tagged(make_question(title="A question about big tech jobs"), "big-tech")
    response = client.get("/feeds/tags/faang/")
    assert response.status_code == 200
    assert "A question about big tech jobs" in response.content.decode()
