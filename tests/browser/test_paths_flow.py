"""Career paths in a browser: a member fills a background (adding a path step with the "Add a
step" button) and sees it beside their answer; another writes a structured experience post
and finds it on /paths/ under its transition; axe checks the new pages in both schemes."""

import pytest
from playwright.sync_api import expect

from kb.models import CareerMove, Post
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import BLOCKING_IMPACTS, VIEWPORTS, _describe, _violations
from tests.factories import make_experience, make_question, make_user

STORY_TITLE = "From gearbox design to perception in two years of evenings"


def test_a_background_filled_in_shows_beside_an_answer(page, site, page_errors):
    make_user("maya")
    question = make_question(title="Is a master's worth it for perception roles?")

    log_in(page, site, "maya")
    page.goto(site("/accounts/profile/edit/"))
    page.get_by_label("Current role").fill("Perception-Engineer")
    page.get_by_label("Years of experience").fill("6")
    page.get_by_label("Highest degree").select_option("master")
    page.get_by_label("Company size").select_option("large")
    # One blank step shows; the button reveals another.
    steps = page.locator(".path-step:visible")
    expect(steps).to_have_count(1)
    page.locator("#id_step-0-role").fill("MSc computer vision")
    page.locator("#id_step-0-place").select_option("university")
    page.locator("#id_step-0-years").fill("2")
    page.get_by_role("button", name="Add a step").click()
    expect(steps).to_have_count(2)
    expect(page.locator("#id_step-1-role")).to_be_focused()
    page.locator("#id_step-1-role").fill("Perception engineer")
    page.locator("#id_step-1-place").select_option("large")
    page.get_by_role("button", name="Save profile").click()

    expect(page.locator("#background-heading")).to_have_text("Background")
    expect(page.locator(".path-timeline li")).to_have_count(2)
    expect(page.locator(".profile-background")).to_contain_text("MSc computer vision")

    page.goto(site(question.get_absolute_url()))
    page.locator("#answer-form textarea").fill(
        "Mine helped mostly through the thesis project; interviewers asked about it every time."
    )
    page.get_by_role("button", name="Post your answer").click()
    answer = Post.objects.answers().get(parent=question)
    expect(page.locator(f"#answer-{answer.pk} .author-background")).to_have_text(
        "Perception engineer · 6 yrs · large company · MSc"
    )
    assert page_errors == []


def test_a_structured_story_is_found_on_paths_under_its_transition(page, site, page_errors):
    make_user("tomasz")
    earlier = make_experience(title="Mechanical engineer to perception, the long way round")
    CareerMove.record(earlier, from_role="mechanical engineer", to_role="perception engineer")

    log_in(page, site, "tomasz")
    page.goto(site("/posts/new/"))
    page.get_by_label("Title").fill(STORY_TITLE)
    page.get_by_label("Your story").fill(
        "Three evenings a week for two years: courses, then a project built on my old job."
    )
    page.get_by_label("Tags").fill("career-switch")
    page.get_by_label("From role").fill("Mechanical Engineer")
    page.get_by_label("To role").fill("perception engineer")
    page.get_by_label("Years it took").fill("2")
    page.get_by_label("The decision").fill("Kept the day job and studied at night")
    page.locator("#id_step-0-role").fill("Evening courses")
    page.get_by_role("button", name="Publish your post").click()

    expect(page.locator("h1")).to_have_text(STORY_TITLE)
    summary = page.locator(".career-move")
    expect(summary).to_contain_text("Kept the day job and studied at night")
    expect(summary).to_contain_text("2 yrs")

    page.get_by_role("link", name="Paths", exact=True).click()
    row = page.locator(".transition-list li", has_text="Mechanical engineer")
    expect(row).to_contain_text("perception engineer")
    expect(row.locator(".transition-count")).to_have_text("2 stories")
    expect(page.locator(".paths-chart title")).to_have_text("The 1 most told career moves")
    row.get_by_role("link").click()
    expect(page.locator(".path-stories li")).to_have_count(2)
    page.get_by_role("link", name=STORY_TITLE).click()
    expect(page.locator("h1")).to_have_text(STORY_TITLE)
    assert page_errors == []


def test_a_bad_story_keeps_the_typed_steps_with_a_message(page, site, page_errors):
    make_user("ines")
    log_in(page, site, "ines")
    page.goto(site("/posts/new/"))
    page.get_by_label("Title").fill("From pump design to farm robots, part time")
    page.get_by_label("Your story").fill("Two years of a part-time master's while designing pumps.")
    page.get_by_label("Tags").fill("career-switch")
    page.get_by_label("From role").fill("CV engineer")
    page.get_by_label("To role").fill("computer vision engineer")
    page.locator("#id_step-0-role").fill("Part-time MSc")
    page.get_by_role("button", name="Publish your post").click()
    expect(page.locator("#field-to_role .errorlist")).to_have_text(
        "From and to are the same role; name the role you moved to."
    )
    expect(page.locator("#id_step-0-role")).to_have_value("Part-time MSc")
    assert not Post.objects.exists()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_path_pages_have_no_serious_accessibility_violations(page, site, axe_source, scheme):
    author = make_user("writer")
    for index in range(3):
        story = make_experience(author=author, title=f"A long story of a career move, part {index}")
        CareerMove.record(story, from_role="teacher", to_role=f"data role {index % 2}")
    page.emulate_media(color_scheme=scheme)
    found = {}
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.goto(site("/paths/"))
        found[f"paths ({viewport})"] = _violations(page, axe_source)
        page.goto(site("/paths/?from=teacher&to=data+role+0"))
        found[f"paths filtered ({viewport})"] = _violations(page, axe_source)
        page.goto(site(story.get_absolute_url()))
        found[f"structured story ({viewport})"] = _violations(page, axe_source)
    log_in(page, site, "writer")
    page.goto(site("/accounts/profile/edit/"))
    found["profile edit"] = _violations(page, axe_source)
    page.goto(site("/posts/new/"))
    found["experience form"] = _violations(page, axe_source)
    report = [
        _describe(name, violation)
        for name, violations in found.items()
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not report, "\n".join(report)
