"""Closing a duplicate in the browser: pick the original as you type; the banner links it."""

from playwright.sync_api import expect

from kb.models import Post
from tests.browser.helpers import log_in
from tests.factories import make_question, make_user


def test_a_duplicate_closes_and_the_banner_links_the_original(page, site, page_errors):
    make_user("moderator", is_staff=True)
    original = make_question(title="Should I join a startup or a large company?")
    duplicate = make_question(title="Startup or big company for my first job?")
    log_in(page, site, "moderator")
    page.goto(site(duplicate.get_absolute_url()))

    page.locator("#close-control summary").click()
    page.get_by_label("Original question: its link or number").press_sequentially("startup large")
    pick = page.locator(".duplicate-picker button", has_text=original.title)
    expect(pick).to_be_visible()
    expect(page.locator(".duplicate-picker button", has_text=duplicate.title)).to_have_count(0)
    pick.click()
    expect(page.get_by_label("Original question: its link or number")).to_have_value(
        original.get_absolute_url()
    )
    page.get_by_role("button", name="Close question").click()

    banner = page.locator(".closed-banner")
    expect(banner).to_contain_text("Closed as a duplicate of")
    expect(page.locator("#answer-form")).to_contain_text("A closed question takes no new answers.")
    assert Post.objects.get(pk=duplicate.pk).is_duplicate
    banner.get_by_role("link", name=original.title).click()
    expect(page).to_have_url(site(original.get_absolute_url()))
    expect(page.locator(".duplicates-list")).to_contain_text(duplicate.title)
    assert page_errors == []
