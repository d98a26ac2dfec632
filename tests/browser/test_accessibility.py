"""Accessibility: axe-core (npm, pinned in tests/browser/package-lock.json) runs in Chromium on
every main page, in the light and the dark colour scheme, on a desktop and a phone viewport.
No serious or critical violation may appear; a failure lists each one (page, rule, element,
what is wrong) so it can be fixed without re-running anything.

`make test` installs axe-core with `npm ci` when the lock changes. Without it these tests
skip locally and fail in CI, like the browser tests without Chromium (conftest.py).
"""

import pytest
from playwright.sync_api import expect

from kb.tags import get_or_create_tags
from tests.browser.helpers import log_in
from tests.factories import make_experience, make_question, make_user

BLOCKING_IMPACTS = {"serious", "critical"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
QUESTION_TITLE = "Should I leave my PhD for a perception engineering role?"
SEARCH_WORD = "perception"


@pytest.fixture
def community():
    """One thread with every part a question page can show, a member's profile, tags."""
    asker = make_user("asker", display_name="Priya Asker")
    helper = make_user("helper", display_name="Hal Helper")
    question = make_question(
        author=asker,
        title=QUESTION_TITLE,
        body="I am in year three of a PhD on **stereo vision**. A robotics company offers a "
        "perception role now. Which choice keeps more doors open?\n\n"
        "```\nthesis: 60% done\n```\n\n> My advisor says finish first.",
    )
    question.tags.set(get_or_create_tags(["phd-vs-product", "computer-vision"]))
    accepted = question.add_answer(
        helper, "Take the role: perception teams value [shipped work](https://example.com)."
    )
    question.add_answer(make_user(), "Finish the PhD first; the perception job market is cyclic.")
    question.accept(accepted, by=asker)
    accepted.toggle_vote(asker)
    question.add_comment(helper, "What is your funding situation next year?")
    accepted.add_comment(asker, "Thanks, that settled it for me.")
    other = make_question(title="Startup or big tech for a first perception job?")
    other.tags.set(get_or_create_tags(["startups-vs-big-tech", "computer-vision"]))
    story = make_experience(helper, title="From a perception PhD to a product team in a year")
    story.tags.set(get_or_create_tags(["phd-vs-product"]))
    return {"question": question, "asker": asker}


def _anonymous_pages(community) -> dict[str, str]:
    return {
        "home": "/",
        "question list": "/questions/",
        "experience posts": "/posts/",
        "question page": community["question"].get_absolute_url(),
        "search results": f"/search/?q={SEARCH_WORD}",
        "tag index": "/tags/",
        "tag page": "/tags/computer-vision/",
        "profile": community["asker"].get_absolute_url(),
        "sign-up": "/accounts/signup/",
        "log-in": "/accounts/login/",
    }


def _violations(page, axe_source) -> list[dict]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def _describe(page_name: str, violation: dict) -> str:
    lines = [f"{page_name}: {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:5]:
        summary = node["failureSummary"].replace("\n", " ")
        lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def _audit_all_pages(page, site, community, axe_source) -> dict[str, list[dict]]:
    found = {}

    def audit(name):
        found[name] = _violations(page, axe_source)

    for name, path in _anonymous_pages(community).items():
        page.goto(site(path))
        if name == "search results":
            expect(page.locator(".search-hit mark").first).to_be_visible()
        audit(name)

    log_in(page, site, "asker")
    page.goto(site(community["question"].get_absolute_url()))
    audit("question page, as its asker")
    page.goto(site("/questions/ask/"))
    audit("ask form")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator(".field-error").first).to_be_visible()
    audit("ask form with errors")
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_serious_accessibility_violations(
    page, site, community, axe_source, scheme, viewport
):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[viewport])
    found = _audit_all_pages(page, site, community, axe_source)
    for name, violations in found.items():
        impacts = ", ".join(f"{v['id']} ({v['impact']})" for v in violations) or "none"
        print(f"axe {scheme} {viewport} {name}: {impacts}")
    report = [
        _describe(name, violation)
        for name, violations in found.items()
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    if report:
        pytest.fail(f"axe-core, {scheme} scheme, {viewport}:\n" + "\n".join(report), False)
