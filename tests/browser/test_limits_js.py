"""Refusals the page's scripts show in place: a vote without standing, a limited preview."""

import re

from playwright.sync_api import expect

from kb.models import Vote
from tests.browser.helpers import log_in
from tests.factories import make_question, make_user


def test_a_vote_without_standing_says_why_in_place(page, site, settings, page_errors):
    settings.VOTE_MIN_ACCOUNT_DAYS = 3
    question = make_question(make_user("asker"))
    make_user("newcomer")
    log_in(page, site, "newcomer")
    page.goto(site(question.get_absolute_url()))
    button = page.locator(f"#question-{question.pk} form.js-vote button")
    expect(button).to_have_attribute(
        "title", re.compile("Voting opens when your account is 3 days")
    )
    button.click()
    expect(page.locator(".messages")).to_contain_text(
        "Voting opens when your account is 3 days old"
    )
    expect(button).to_have_attribute("aria-pressed", "false")
    assert not Vote.objects.exists()
    assert page_errors == []


def test_a_limited_live_preview_says_so_in_the_preview(page, site, settings, page_errors):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": ["1/m"]}
    make_user("asker")
    log_in(page, site, "asker")
    page.goto(site("/questions/ask/"))
    body = page.get_by_label("Your question")
    body.fill("I can spend **three months** on one project.")
    expect(page.locator("#ask-preview strong")).to_have_text("three months")
    body.fill("I can spend **four months** on one project.")
    expect(page.locator("#ask-preview")).to_contain_text(
        "Too many previews: the limit is 1 a minute"
    )
    assert page_errors == []
