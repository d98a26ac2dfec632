"""Forms as people type, in Chromium (issue 11): the tag preview follows the server's rule
exactly, limited fields say how much is left, and a post form sends once."""

import random

from playwright.sync_api import expect

from kb.forms import BODY_MAX
from kb.models import Post
from kb.tags import parse_tag_input
from tests.factories import PASSWORD, make_question, make_user

TITLE = "Should I take a perception role or stay in web backend?"


def _ask_page(page, site):
    make_user("asker")
    page.goto(site("/accounts/login/"))
    page.get_by_label("Username").fill("asker")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-menu summary")).to_be_visible()
    page.goto(site("/questions/ask/"))


def _previewed(page) -> list[str]:
    chips = page.locator("#id_tags-preview [data-name]")
    return chips.evaluate_all("chips => chips.map(chip => chip.dataset.name)")


def test_the_tag_preview_shows_the_tags_the_post_will_get(page, site, page_errors):
    make_question(tags=["machine-learning"])
    _ask_page(page, site)
    tags = page.get_by_label("Tags")
    tags.press_sequentially("machine learning, Career Switch")
    preview = page.locator("#id_tags-preview")
    expect(preview.locator("[data-name]")).to_have_count(2)
    assert _previewed(page) == ["machine-learning", "career-switch"]
    expect(preview.locator('[data-name="machine-learning"]')).to_contain_text("(1 post)")
    expect(preview.locator('[data-name="career-switch"]')).to_contain_text("(new)")
    announced = page.locator("#id_tags-preview + [aria-live=polite]")  # once typing pauses
    expect(announced).to_have_text(
        "Your post gets the tags machine-learning (1 post), career-switch (new)."
    )

    tags.fill("python big-tech")
    expect(preview.locator("[data-name]")).to_have_count(2)
    assert _previewed(page) == ["python", "big-tech"]

    tags.fill("a b c d e f bad_tag")
    expect(preview.locator('[data-name="f"]')).to_contain_text("over the limit of 5 tags")
    tags.fill("bad_tag")
    expect(preview.locator('[data-name="bad_tag"]')).to_contain_text("only lower-case letters")

    tags.fill("machine learning, Career Switch")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your question").fill("I have four years of backend work and a thesis.")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert Post.objects.get(title=TITLE).tag_names() == ["career-switch", "machine-learning"]
    assert not page_errors


def _typed_inputs() -> list[str]:
    """What people type, and what they paste: commas, runs of spaces of every kind, hyphens,
    capitals, letters whose lower case is special, a control character."""
    rng = random.Random(11)
    alphabet = "abcXYZ09+#._- ,,-\t\n\u00a0\u2003\u3000\ufeff\u200b\x1cÉßİΣ\u03c3"
    typed = ["machine learning, Career Switch", "python big-tech", " , - ,", ""]
    typed += ["".join(rng.choices(alphabet, k=rng.randint(1, 30))) for _ in range(400)]
    return typed


def test_the_preview_parses_every_input_exactly_as_the_server(page, site):
    _ask_page(page, site)
    typed = _typed_inputs()
    in_browser = page.get_by_label("Tags").evaluate(
        "(input, typed) => typed.map(text => window.CareerKB.parseTagInput(text, input))", typed
    )
    mismatches = [
        (text, shown, parse_tag_input(text))
        for text, shown in zip(typed, in_browser, strict=True)
        if shown != parse_tag_input(text)
    ]
    assert mismatches == []


def test_fields_say_how_many_characters_are_left_as_the_server_counts(page, site, page_errors):
    _ask_page(page, site)
    title = page.get_by_label("Title")
    title.fill("Short")
    counter = page.locator("#id_title-counter")
    expect(counter).to_have_text("5 characters; write at least 15.")
    title.fill(TITLE)
    expect(counter).to_have_text(f"{150 - len(TITLE)} characters left")
    assert title.get_attribute("aria-describedby").split()[-1] == "id_title-counter"

    # A paste of 140% of the limit, with line breaks (42,000 characters for 30,000 in the
    # issue): the browser keeps the limit, line breaks counted once, and the server takes it.
    body = page.get_by_label("Your question")
    body.fill(("x" * 41 + "\n") * (BODY_MAX // 30))
    expect(page.locator("#id_body-counter")).to_have_text("0 characters left")
    announcer = page.locator("#id_body-counter + [aria-live=polite]")
    expect(announcer).to_have_text("0 characters left")  # near the limit: read out once
    page.get_by_label("Tags").fill("career-switch")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert len(Post.objects.get(title=TITLE).body) == BODY_MAX
    assert not page_errors


def test_the_counter_stays_quiet_far_from_the_limit(page, site):
    _ask_page(page, site)
    start = "A short start of my question, with more to come."
    page.get_by_label("Your question").fill(start)
    expect(page.locator("#id_body-counter")).to_have_text(
        f"{BODY_MAX - len(start):,} characters left"
    )
    page.wait_for_timeout(1500)  # past the pause after which a near-limit count is announced
    expect(page.locator("#id_body-counter + [aria-live=polite]")).to_have_text("")


def test_a_second_submit_while_the_first_is_on_its_way_is_not_sent(page, site):
    _ask_page(page, site)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your question").fill("I have four years of backend work and a thesis.")
    page.get_by_label("Tags").fill("career-switch")
    held = []
    page.route("**/questions/ask/", lambda route: held.append(route))  # hold the request
    # Click, then (as a second click or Enter would) submit again while the first is held.
    disabled_after_click = page.evaluate(
        """() => new Promise(resolve => {
            const form = document.querySelector("form.ask-form");
            const button = form.querySelector(".button-primary");
            button.click();
            setTimeout(() => { form.requestSubmit(); resolve(button.disabled); }, 50);
        })"""
    )
    assert disabled_after_click
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert Post.objects.filter(title=TITLE).count() == 1
