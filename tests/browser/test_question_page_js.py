"""Question page and ask form with JavaScript: upvote in place, live preview, tag suggestions."""

import re

from playwright.sync_api import expect

from kb.models import Post, Vote
from tests.browser.helpers import log_in
from tests.factories import make_answer, make_question, make_user


def test_upvote_and_retract_without_a_reload(page, site, page_errors):
    author = make_user("asker")
    make_user("voter")
    question = make_question(author, tags=["skills"])
    answer = make_answer(question, author=author)
    log_in(page, site, "voter")
    page.goto(site(question.get_absolute_url()))
    page.evaluate("window.notReloaded = true")
    button = page.locator(f"#answer-{answer.pk} form.js-vote .js-vote-up")
    score = page.locator(f"#answer-{answer.pk} .js-score")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(score).to_have_text("1")
    button.press("Enter")  # keyboard works the same
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("0")
    assert page.evaluate("window.notReloaded") is True
    assert not Vote.objects.exists()
    assert Post.objects.get(pk=answer.pk).score == 0
    assert page_errors == []


def test_own_post_vote_shows_the_message_in_place(page, site):
    author = make_user("asker")
    question = make_question(author)
    log_in(page, site, "asker")
    page.goto(site(question.get_absolute_url()))
    page.locator(f"#question-{question.pk} form.js-vote button").click()
    expect(page.locator(".messages")).to_contain_text("You can't vote on your own post.")
    assert not Vote.objects.exists()


def test_ask_with_live_preview_and_tag_suggestions(page, site, page_errors):
    make_question(tags=["computer-vision"])
    make_user("asker")
    log_in(page, site, "asker")
    page.goto(site("/questions/ask/"))
    page.get_by_label("Title").fill("Which first project for a perception job?")
    page.get_by_label("Your question").fill("I can spend **three months** on one project.")
    expect(page.locator("#ask-preview strong")).to_have_text("three months")
    page.get_by_label("Tags").fill("skills comp")
    expect(page.locator("#tag-suggestions option")).to_have_attribute(
        "value", "skills computer-vision"
    )
    page.get_by_label("Tags").fill("skills computer-vision")
    page.get_by_role("button", name="Post your question").click()
    expect(page).to_have_url(
        re.compile(r"/questions/\d+/which-first-project-for-a-perception-job/$")
    )
    expect(page.get_by_text("Your question is posted")).to_be_visible()
    question = Post.objects.questions().latest("pk")
    assert sorted(question.tags.names()) == ["computer-vision", "skills"]
    assert page_errors == []
