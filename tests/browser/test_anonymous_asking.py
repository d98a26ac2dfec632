"""Anonymous asking in a browser: a member ticks "Ask anonymously", comments in place on their
question, and then neither a visitor nor another member finds their name anywhere the page
shows or holds (text, HTML, attributes), on the question page, the lists or the tag page."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from kb.models import Post
from tests.browser.helpers import log_in
from tests.factories import make_answer, make_question, make_user

NAME = "Zephyrine Quillfeather"
USERNAME = "zephyrine_q"
NEEDLES = ("zephyrine", "quillfeather", "quillcorp", "4,321", f"/users/{USERNAME}")
TITLE = "Leaving a toxic manager without burning bridges?"
TAG = "career-switch"


def _assert_no_trace(page, where: str) -> None:
    for text in (page.content().lower(), page.locator("body").inner_text().lower()):
        for needle in NEEDLES:
            assert needle not in text, f"{needle!r} gives the asker away on {where}"


def test_an_anonymous_question_shows_no_name_anywhere(page, browser, site, page_errors):
    asker = make_user(USERNAME, display_name=NAME, headline="Staff engineer at Quillcorp")
    User.objects.filter(pk=asker.pk).update(reputation=4321)
    make_user("bob", display_name="Bob Other")

    # The asker ticks the box, whose explanation is on the form, and posts.
    log_in(page, site, USERNAME)
    page.goto(site("/questions/ask/"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your question").fill(
        "My manager takes credit for my work and I want to move teams quietly."
    )
    page.get_by_label("Tags").fill(TAG)
    expect(page.locator("#id_anonymous_helptext")).to_contain_text("Staff can still see who asked")
    page.get_by_label("Ask anonymously").check()
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    question = Post.objects.questions().get(title=TITLE)
    assert question.is_anonymous
    expect(page.locator(".anonymous-note")).to_contain_text("You asked this anonymously")

    # A comment posted in place (fetch) shows as the page will show it to everyone.
    box = page.locator(f"#question-{question.pk}")
    box.locator(".comment-add summary").click()
    box.locator(".comment-add textarea").fill("I work in Germany, on a permanent contract.")
    box.get_by_role("button", name="Add comment").click()
    comment = box.locator(".comments li").last
    expect(comment.locator(".anonymous-author")).to_have_text("Anonymous member")
    expect(comment.locator(".asker-badge")).to_have_text("asker")
    assert comment.locator("a[href^='/users/']").count() == 0

    # A visitor (logged out) and another member look everywhere the question shows.
    pages = {
        "the question page": question.get_absolute_url(),
        "the home page": "/",
        "the question list": "/questions/",
        "the tag page": f"/tags/{TAG}/",
        "the tagged list": f"/questions/tagged/{TAG}/",
    }
    visitor_context, member_context = browser.new_context(), browser.new_context()
    visitor, member = visitor_context.new_page(), member_context.new_page()
    log_in(member, site, "bob")
    for reader in (visitor, member):
        for where, path in pages.items():
            reader.goto(site(path))
            expect(reader.get_by_text(TITLE).first).to_be_visible()
            _assert_no_trace(reader, where)
        reader.goto(site(question.get_absolute_url()))
        card = reader.locator(f"#question-{question.pk} .author-card")
        expect(card).to_contain_text("Anonymous member")
        expect(card.locator(".avatar")).to_have_text("?")
        expect(reader.locator(".anonymous-note")).to_have_count(0)
    visitor_context.close()
    member_context.close()
    assert page_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_anonymous_markers_and_notes_pass_axe(page, browser, site, axe_source, scheme):
    """The "Anonymous member" cards, asker badges, the asker's and staff's notes, the
    profile marks and the ask form's checkbox: no serious or critical axe violation."""
    asker = make_user(USERNAME, display_name=NAME)
    make_user("sam", display_name="Sam Staff", is_staff=True)
    question = make_question(asker, title=TITLE, tags=[TAG], anonymous=True)
    answer = make_answer(question, author=make_user())
    answer.add_comment(asker, "Thanks, that is exactly my situation.")
    make_answer(question, author=asker, body="Update: HR moved me to another team last week.")
    page.emulate_media(color_scheme=scheme)
    found = {}

    def audit(name, path):
        page.goto(site(path))
        found[name] = _blocking_violations(page, axe_source)

    audit("question page, visitor", question.get_absolute_url())
    log_in(page, site, USERNAME)
    audit("question page, asker", question.get_absolute_url())
    audit("profile, asker", f"/users/{USERNAME}/")
    audit("ask form", "/questions/ask/")
    staff_page = browser.new_context(color_scheme=scheme).new_page()
    log_in(staff_page, site, "sam")
    staff_page.goto(site(question.get_absolute_url()))
    found["question page, staff"] = _blocking_violations(staff_page, axe_source)
    staff_page.context.close()
    assert not any(found.values()), f"axe, {scheme}: {found}"


def _blocking_violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {' '.join(map(str, v['nodes'][0]['target']))}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
