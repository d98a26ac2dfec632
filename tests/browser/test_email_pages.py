"""E-mail pages in a browser: a member changes how often they hear about comments; a visitor
who is not logged in follows an e-mail's unsubscribe link and clicks the button. axe-core
finds no serious violation on either page, light or dark."""

import pytest
from playwright.sync_api import expect

from kb.email_models import EmailPreference, Frequency
from kb.emails import unsubscribe_url
from kb.inbox_models import Notification
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import BLOCKING_IMPACTS, _describe, _violations
from tests.factories import make_user

Kind = Notification.Kind


def _assert_accessible(page, axe_source, name):
    report = [
        _describe(name, violation)
        for violation in _violations(page, axe_source)
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert report == [], "\n".join(report)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_member_chooses_e_mail_settings_and_a_visitor_unsubscribes(
    page, browser, site, page_errors, axe_source, scheme, live_server, settings
):
    settings.SITE_URL = live_server.url
    member = make_user("member", display_name="Mia Member")
    page.emulate_media(color_scheme=scheme)

    log_in(page, site, "member")
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="E-mail settings").click()
    expect(page.locator("h1")).to_have_text("E-mail settings")
    expect(page.get_by_label("Comments on your posts")).to_have_value("daily")
    _assert_accessible(page, axe_source, f"e-mail settings ({scheme})")
    page.get_by_label("Comments on your posts").select_option("immediately")
    page.get_by_role("button", name="Save e-mail settings").click()
    expect(page.locator(".message-success")).to_have_text("Your e-mail settings were saved.")
    expect(page.get_by_label("Comments on your posts")).to_have_value("immediately")
    preferences = EmailPreference.objects.for_user(member)
    assert preferences.frequency(Kind.COMMENT) == Frequency.IMMEDIATELY

    visitor = browser.new_context(color_scheme=scheme).new_page()
    visitor.goto(unsubscribe_url(member.pk, Kind.COMMENT))
    expect(visitor.locator("h1")).to_have_text("Unsubscribe")
    question = "Stop e-mails when someone commented on your post?"
    expect(visitor.locator(".lead")).to_have_text(question)
    _assert_accessible(visitor, axe_source, f"unsubscribe ({scheme})")
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.locator("h1")).to_have_text("You are unsubscribed")
    _assert_accessible(visitor, axe_source, f"unsubscribed ({scheme})")
    preferences = EmailPreference.objects.for_user(member)
    assert preferences.frequency(Kind.COMMENT) == Frequency.NEVER
    assert page_errors == []
