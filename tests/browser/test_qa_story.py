"""The whole Q&A story in a browser: A asks (with preview and tags), B answers, comments and
upvotes in place, A accepts, the tag page lists the question, B writes an experience post."""

import re

from playwright.sync_api import expect

from kb.models import Comment, Post, Vote
from tests.browser.helpers import log_in
from tests.factories import make_question, make_user

TITLE = "Should I take a perception role or stay in web backend?"
BODY = "I have **four years** of backend work and a master's thesis on stereo vision."


def _collect_errors(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_ask_answer_comment_vote_accept_and_share(page, browser, site, page_errors):
    make_question(tags=["career-switch"])  # an existing tag to be suggested
    asker, answerer = make_user("asker"), make_user("answerer")

    # A asks, previews the Markdown in place, then posts.
    log_in(page, site, "asker")
    page.goto(site("/questions/ask/"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your question").fill(BODY)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#ask-preview strong")).to_have_text("four years")
    assert page.url == site("/questions/ask/")
    page.get_by_label("Tags").fill("career-switch computer-vision")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    question = Post.objects.questions().get(title=TITLE)
    assert page.url == site(question.get_absolute_url())
    assert question.tag_names() == ["career-switch", "computer-vision"]

    # B answers (a plain form post), then comments and upvotes without leaving the page.
    other = browser.new_context()
    b_page = other.new_page()
    b_errors = _collect_errors(b_page)
    log_in(b_page, site, "answerer")
    b_page.goto(site(question.get_absolute_url()))
    b_page.locator("#answer-form textarea").fill(
        "I made the same move: start with an evaluation tool for the perception team."
    )
    b_page.get_by_role("button", name="Post your answer").click()
    answer = Post.objects.answers().get(parent=question)
    expect(b_page.locator(f"#answer-{answer.pk}")).to_be_visible()

    url_before = b_page.url
    b_page.evaluate("window.notReloaded = true")
    question_box = b_page.locator(f"#question-{question.pk}")
    question_box.locator(".comment-add summary").click()
    question_box.locator(".comment-add textarea").fill("Which *stereo* methods did the thesis use?")
    question_box.get_by_role("button", name="Add comment").click()
    expect(question_box.locator(".comments em")).to_have_text("stereo")
    vote = question_box.locator("form.js-vote button")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(question_box.locator(".js-score")).to_have_text("1")
    assert b_page.evaluate("window.notReloaded") is True
    assert b_page.url == url_before
    assert Comment.objects.filter(post=question).count() == 1
    assert Vote.objects.filter(post=question, user=answerer).exists()
    asker.refresh_from_db()
    assert asker.reputation == 5

    # A accepts the answer.
    page.goto(site(question.get_absolute_url()))
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.locator(f"#answer-{answer.pk} .accepted-badge")).to_be_visible()
    answerer.refresh_from_db()
    assert answerer.reputation == 15

    # The tag page lists the question.
    page.goto(site("/tags/computer-vision/"))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    # B writes an experience post.
    b_page.goto(site("/posts/new/"))
    b_page.get_by_label("Title").fill("From web backend to perception in one year")
    b_page.get_by_label("Your story").fill(
        "## What worked\n\nAn evaluation tool first, then a small model of my own."
    )
    b_page.get_by_label("Tags").fill("career-switch")
    b_page.get_by_role("button", name="Publish your post").click()
    expect(b_page.locator("h1")).to_have_text("From web backend to perception in one year")
    assert re.search(r"/posts/\d+/from-web-backend-to-perception-in-one-year/$", b_page.url)
    expect(b_page.locator(".post-body h2")).to_have_text("What worked")

    other.close()
    assert page_errors == []
    assert b_errors == []


def test_similar_questions_show_while_asking_only(page, site, page_errors):
    make_question(title="How do I negotiate a senior title after a PhD?")
    make_user("asker")
    log_in(page, site, "asker")
    page.goto(site("/questions/ask/"))
    page.get_by_label("Title").fill("negotiate a title after my PhD")
    expect(page.locator("#similar-questions")).to_contain_text(
        "How do I negotiate a senior title after a PhD?"
    )
    # Writing an experience post (or editing) is not asking: no "similar questions" box.
    page.goto(site("/posts/new/"))
    page.get_by_label("Title").fill("negotiate a title after my PhD")
    expect(page.locator("#similar-questions")).to_have_count(0)
