"""Browse pages in a real browser: the in-place tag filter, phone widths."""

from playwright.sync_api import expect

from kb.tags import get_or_create_tags
from tests.factories import make_question


def test_tag_filter_narrows_the_tags_in_place_and_still_submits(page, site, page_errors):
    make_question().tags.set(get_or_create_tags(["computer-vision", "3d-vision", "interviews"]))
    make_question().tags.set(get_or_create_tags(["skills", "c++"]))
    page.goto(site("/tags/"))
    cards = page.locator("[data-tag-name]")
    expect(cards).to_have_count(5)

    page.get_by_label("Filter tags").fill("vi")
    expect(page.locator("[data-tag-name]:visible")).to_have_count(3)
    expect(page.get_by_role("status").filter(has_text="match")).to_have_text(
        "3 tags on this page match “vi”."
    )

    page.get_by_label("Filter tags").fill("vision")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(site("/tags/?q=vision&sort=popular"))
    expect(cards).to_have_count(2)
    assert page_errors == []


def test_phone_width_lists_fit_without_sideways_scrolling(page, site):
    page.set_viewport_size({"width": 390, "height": 844})
    question = make_question(title="A fairly long question title to see how it wraps on phones")
    question.tags.set(get_or_create_tags(["startups-vs-big-tech", "computer-vision", "skills"]))
    for url in ["/", "/questions/", "/tags/", "/tags/skills/", "/posts/"]:
        page.goto(site(url))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, url
