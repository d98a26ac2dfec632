"""Flags and the review queue in the browser: a post flagged by KB_FLAGS_TO_HIDE members hides
(others no longer see it), staff open /review/ from the header, approve it, and it shows again."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kb import moderation
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import BLOCKING_IMPACTS, _describe, _violations
from tests.factories import make_question, make_user


def _flag_question(page, site, question, username: str) -> None:
    log_in(page, site, username)
    page.goto(site(question.get_absolute_url()))
    control = page.locator(f"#question-{question.pk} .post-actions .flag-control")
    control.locator("summary").click()
    control.get_by_label("Spam or advertising").check()
    control.get_by_label("Note for the moderators").fill("A link to a paid course, nothing else.")
    control.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("moderators will look at it")
    page.context.clear_cookies()  # log out


def test_a_flagged_post_hides_and_staff_approve_it_back(page, site, page_errors):
    question = make_question(title="Is a paid career coach worth it for a switch into UX?")
    flaggers = [make_user(f"flagger{n}").username for n in range(settings.FLAGS_TO_HIDE)]
    make_user("moderator", is_staff=True)
    make_user("reader")

    for username in flaggers:
        _flag_question(page, site, question, username)

    log_in(page, site, "reader")
    response = page.goto(site(question.get_absolute_url()))
    assert response.status == 404
    page.goto(site("/questions/"))
    expect(page.locator("main")).not_to_contain_text(question.title)
    page.context.clear_cookies()

    log_in(page, site, "moderator")
    review_link = page.locator("a.review-link")
    expect(review_link).to_contain_text("1")
    review_link.click()
    flagged = page.locator(".review-item", has_text=question.title)
    expect(flagged).to_contain_text(f"{len(flaggers)} open flags")
    expect(flagged).to_contain_text("A link to a paid course, nothing else.")
    flagged.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Approved")
    expect(page.locator(".review-item", has_text=question.title)).to_have_count(0)
    page.context.clear_cookies()

    log_in(page, site, "reader")
    page.goto(site(question.get_absolute_url()))
    expect(page.locator("h1")).to_have_text(question.title)
    page.goto(site("/questions/"))
    expect(page.locator("main")).to_contain_text(question.title)
    assert page_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_moderation_pages_have_no_serious_accessibility_violations(page, site, axe_source, scheme):
    page.emulate_media(color_scheme=scheme)
    question = make_question(title="Should I take a pay cut to switch into product design?")
    question.add_comment(make_user(), "What does your portfolio look like today?")
    moderation.flag(question, by=make_user(), reason="rude", note="Dismissive of designers.")
    newcomer = make_user("newcomer", email_verified_at=None)
    held = make_question(author=newcomer, title="Is a design bootcamp enough to get hired?")
    make_user("moderator", is_staff=True)
    make_user("reader")
    found = {}

    log_in(page, site, "reader")
    page.goto(site(question.get_absolute_url()))
    page.locator(f"#question-{question.pk} .post-actions .flag-control summary").click()
    found["question page, flag form open"] = _violations(page, axe_source)
    page.context.clear_cookies()

    log_in(page, site, "newcomer")
    page.goto(site(held.get_absolute_url()))
    expect(page.locator(".held-banner")).to_be_visible()
    found["held question, as its unverified author"] = _violations(page, axe_source)
    page.context.clear_cookies()

    log_in(page, site, "moderator")
    page.goto(site("/review/"))
    found["review queue"] = _violations(page, axe_source)

    report = [
        _describe(name, violation)
        for name, violations in found.items()
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert report == [], "\n".join(report)
