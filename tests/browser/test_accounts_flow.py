import re

from playwright.sync_api import expect

from accounts.models import User


def _sign_up(page, site, username="maya"):
    page.goto(site("/accounts/signup/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Display name").fill("Maya Perception")
    page.get_by_label("Password", exact=True).fill("correct-Horse-battery-9")
    page.get_by_label("Password confirmation").fill("correct-Horse-battery-9")
    page.get_by_role("button", name="Sign up").click()


def test_sign_up_log_out_log_in_and_see_profile(page, site, page_errors):
    _sign_up(page, site)
    expect(page).to_have_url(re.compile(r"/users/maya/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Perception")
    expect(page.get_by_text("Welcome to CareerKB")).to_be_visible()
    assert User.objects.filter(username="maya").exists()

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out")).to_be_visible()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    page.goto(site("/accounts/login/"))
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("correct-Horse-battery-9")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-menu summary")).to_contain_text("Maya Perception")

    page.goto(site("/users/maya/"))
    expect(page.get_by_test_id("reputation")).to_have_text("0")
    expect(page.get_by_role("link", name="Edit profile")).to_be_visible()
    assert page_errors == []


def test_sign_up_errors_are_shown_next_to_the_field(page, site, page_errors):
    page.goto(site("/accounts/signup/"))
    page.get_by_label("Username").fill("bad name!")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#field-username .errorlist")).to_be_visible()
    expect(page.locator("#field-email .errorlist")).to_contain_text("valid email")
    expect(page.get_by_label("Username")).to_have_value("bad name!")
    assert not User.objects.exists()
    assert page_errors == []
