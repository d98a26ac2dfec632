"""Downvotes in the browser: down then up in place, the disabled arrow, and without JavaScript."""

import re

from playwright.sync_api import expect

from accounts.models import User
from kb.models import Post, Vote
from tests.browser.helpers import log_in
from tests.factories import make_answer, make_question, make_user


def _answer_page(author_name="asker"):
    author = make_user(author_name)
    question = make_question(author, tags=["skills"])
    return author, question, make_answer(question, author=author)


def _rep(user):
    return User.objects.get(pk=user.pk).reputation


def test_down_then_up_in_place(page, site, page_errors):
    author, question, answer = _answer_page()
    voter = make_user("critic", reputation=125)
    log_in(page, site, "critic")
    page.goto(site(question.get_absolute_url()))
    page.evaluate("window.notReloaded = true")
    up = page.locator(f"#answer-{answer.pk} .js-vote-up")
    down = page.locator(f"#answer-{answer.pk} .js-vote-down")
    score = page.locator(f"#answer-{answer.pk} .js-score")

    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("-1")
    expect(page.locator(f"#answer-{answer.pk} .vote-score")).to_have_class(
        "vote-score vote-score-negative"
    )
    assert (_rep(author), _rep(voter)) == (-2, 124)

    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("1")
    assert Vote.objects.get().value == 1
    assert (_rep(author), _rep(voter)) == (10, 125)

    up.press("Enter")  # the keyboard withdraws it the same way
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("0")
    assert page.evaluate("window.notReloaded") is True
    assert not Vote.objects.exists()
    assert page_errors == []


def test_the_disabled_arrow_explains_the_rule_in_place(page, site):
    _, question, answer = _answer_page()
    make_user("newcomer")
    log_in(page, site, "newcomer")
    page.goto(site(question.get_absolute_url()))
    down = page.locator(f"#answer-{answer.pk} .js-vote-down")
    expect(down).to_have_attribute("aria-disabled", "true")
    expect(down).to_have_attribute("title", re.compile(r"^Downvoting needs 125 reputation"))
    down.focus()  # aria-disabled, not disabled: keyboard users reach the explanation too
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Downvoting needs 125 reputation")
    assert not Vote.objects.exists()


def test_without_javascript_the_arrow_is_a_plain_form(browser, site):
    _, question, answer = _answer_page()
    make_user("critic", reputation=125)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, site, "critic")
        page.goto(site(question.get_absolute_url()))
        page.locator(f"#answer-{answer.pk} .js-vote-down").click()
        expect(page.get_by_text("Your downvote is counted")).to_be_visible()
        expect(page.locator(f"#answer-{answer.pk} .js-vote-down")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator(f"#answer-{answer.pk} .js-score")).to_have_text("-1")
        assert Post.objects.get(pk=answer.pk).score == -1
    finally:
        context.close()
