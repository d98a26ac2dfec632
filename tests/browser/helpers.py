"""Steps several browser tests share."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, site, username):
    page.goto(site("/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-menu summary")).to_be_visible()
