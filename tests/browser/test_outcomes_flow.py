"""Issue 13 in the browser: report an outcome and see it on the list; an old answer shows
its age until its author re-confirms it; the start-here answer tops its tag page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kb.models import Outcome
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import BLOCKING_IMPACTS, _describe, _violations
from tests.factories import make_answer, make_question, make_user


def test_an_outcome_is_reported_and_marked_on_the_list(page, site, page_errors):
    asker = make_user("asker", display_name="Asha Asker")
    question = make_question(asker, title="Should I take the product job or finish my PhD?")
    answer = make_answer(question, body="Ask whether they can wait, then decide.")
    question.accept(answer, by=asker)
    make_question(title="Is remote work realistic for junior engineers?")
    log_in(page, site, "asker")
    page.goto(site(question.get_absolute_url()))

    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("How did it go?")
    outcome.get_by_text("Add an outcome").click()
    outcome.get_by_label("Outcome").fill("Too short.")
    outcome.get_by_role("button", name="Report the outcome").click()
    expect(page.locator("#outcome .errorlist")).to_contain_text("Write at least 20 characters")
    expect(page.locator("#outcome").get_by_label("Outcome")).to_have_value("Too short.")

    page.locator("#outcome").get_by_label("Outcome").fill(
        "I finished the PhD first: the team waited **four months** for me."
    )
    page.locator("#outcome").get_by_role("button", name="Report the outcome").click()
    expect(page.locator("#outcome h2")).to_contain_text(f"Outcome, reported {timezone.now():%B %Y}")
    expect(page.locator("#outcome strong")).to_have_text("four months")
    assert Outcome.objects.get().question_id == question.pk

    page.goto(site("/questions/"))
    row = page.locator(".post-summary", has_text=question.title)
    expect(row.locator(".outcome-badge")).to_have_text("outcome reported")
    other = page.locator(".post-summary", has_text="Is remote work realistic")
    expect(other.locator(".outcome-badge")).to_have_count(0)
    page.get_by_role("link", name="With outcomes").click()
    expect(page.locator(".post-summary")).to_have_count(1)
    expect(page.locator(".post-summary")).to_contain_text(question.title)
    assert page_errors == []


def test_an_old_answer_shows_its_age_until_re_confirmed(page, site, page_errors):
    author = make_user("veteran", display_name="Vera Veteran")
    question = make_question(title="Do I need a master's degree for computer vision?")
    written = timezone.now() - timedelta(days=3 * 365)
    answer = make_answer(question, author, created_at=written)
    log_in(page, site, "veteran")
    page.goto(site(question.get_absolute_url()))

    note = page.locator(f"#answer-{answer.pk} .advice-age")
    expect(note).to_contain_text(f"Advice from {written:%Y}.")
    note.get_by_role("button", name=f"Still true in {timezone.now():%Y}").click()
    expect(page.locator(".message-success")).to_contain_text("still true")
    expect(page.locator(f"#answer-{answer.pk} .advice-age")).to_have_count(0)
    assert page_errors == []


def test_the_start_here_answer_tops_its_tag_page(page, site, page_errors):
    make_user("moderator", is_staff=True)
    question = make_question(
        title="PhD or a product team for computer vision?", tags=["phd-vs-product"]
    )
    answer = make_answer(question, body="Write down what you would regret in five years.")
    make_question(title="Another question about doctoral study", tags=["phd-vs-product"])
    log_in(page, site, "moderator")
    page.goto(site(question.get_absolute_url()))

    controls = page.locator(f"#answer-{answer.pk} .start-here-control")
    controls.locator("summary").click()
    controls.get_by_label("Mark as the answer to start with for").select_option("phd-vs-product")
    controls.get_by_role("button", name="Mark").click()
    expect(page.locator(f"#answer-{answer.pk} .start-here-badge")).to_contain_text(
        "Start here for phd-vs-product"
    )

    page.locator(f"#answer-{answer.pk} .start-here-badge a").click()
    expect(page).to_have_url(site("/tags/phd-vs-product/"))
    first_section = page.locator("main section").first
    expect(first_section).to_contain_text("Start here for phd-vs-product")
    first_section.get_by_role("link", name=question.title).click()
    expect(page.locator(f"#answer-{answer.pk}")).to_be_visible()
    assert page_errors == []


# -- accessibility of the new parts -----------------------------------------------------------

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _thread_with_everything():
    """A question with an outcome, an old answer, a start-here answer; a second question."""
    asker = make_user("asker", display_name="Asha Asker")
    moderator = make_user("moderator", is_staff=True)
    question = make_question(
        asker, title="Should I take the product job or finish my PhD?", tags=["phd-vs-product"]
    )
    old = make_answer(question, make_user(), created_at=timezone.now() - timedelta(days=1200))
    answer = make_answer(question, body="Ask whether they can wait, then decide.")
    question.accept(answer, by=asker)
    answer.mark_canonical(question.tags.get(), by=moderator)
    question.add_outcome(asker, "I finished first; the team waited **four months** for me.")
    make_question(asker, title="Is remote work realistic for junior engineers?")
    return question, old


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_outcome_age_and_start_here_parts_pass_axe(page, site, axe_source, scheme, viewport):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[viewport])
    question, _old = _thread_with_everything()
    pages = {
        "question with an outcome": question.get_absolute_url(),
        "questions with outcomes": "/questions/?outcomes=1",
        "tag page with start here": "/tags/phd-vs-product/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(site(path))
        found[name] = _violations(page, axe_source)
    log_in(page, site, "moderator")
    page.goto(site(question.get_absolute_url()))
    page.locator(".start-here-control summary").first.click()
    found["question page, as a moderator"] = _violations(page, axe_source)
    page.goto(site("/tags/phd-vs-product/"))
    found["tag page, as a moderator"] = _violations(page, axe_source)
    report = [
        _describe(name, violation)
        for name, violations in found.items()
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not report, "\n".join(report)
