"""Role names in search documents: an experience post's move and an author's current role
are found by search, and results show the author's background."""

import pytest
from django.urls import reverse

from kb import search
from kb.models import CareerMove
from tests.factories import make_answer, make_experience, make_question, make_user
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db


def _member(role: str, **fields):
    user = make_user()
    user.current_role = role
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


def test_a_story_is_found_by_its_from_and_to_roles(engine, indexed):
    with indexed():
        story = make_experience(
            title="Eighteen months of evenings and one lucky referral",
            body="Gearboxes by day, courses at night, then a referral that opened a door.",
        )
        CareerMove.record(story, from_role="Mechanical engineer", to_role="Perception engineer")
        make_experience(title="A year of night classes", body="Courses at night, no move yet.")
    assert story.pk in ids(search.search(search.parse("perception engineer")))
    assert ids(search.search(search.parse('"mechanical engineer" is:post'))) == [story.pk]


def test_an_answer_is_found_by_its_authors_current_role(engine, indexed):
    with indexed():
        question = make_question(title="Is a master's degree worth it for robotics jobs?")
        answer = make_answer(
            question,
            author=_member("Perception engineer"),
            body="I hired for three teams; projects mattered more than the degree.",
        )
    page = search.search(search.parse("perception engineer is:answer"))
    assert ids(page) == [answer.pk]


def test_a_changed_background_is_reindexed(engine, indexed):
    with indexed():
        author = _member("")
        answer = make_answer(
            make_question(), author=author, body="Ship something small every month and write it up."
        )
    assert ids(search.search(search.parse("statistician is:answer"))) == []
    with indexed():
        author.current_role = "Statistician"
        author.save()
    assert ids(search.search(search.parse("statistician is:answer"))) == [answer.pk]


def test_results_show_the_authors_background(
    settings, client, indexed, django_assert_max_num_queries
):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEMANTIC_SEARCH = False
    with indexed():
        story = make_experience(
            author=_member("perception engineer", years_experience=6, company_size="large"),
            title="Gearboxes to cameras: my switch",
            body="Self-study, a portfolio and a referral got me there.",
        )
        for _ in range(3):
            make_experience(
                author=_member("data scientist", highest_degree="phd"),
                title="Gearboxes and what came after",
                body="Another story about leaving gearbox design behind.",
            )
    with django_assert_max_num_queries(8):
        html = client.get(reverse("kb:search"), {"q": "gearboxes"}).content.decode()
    assert story.get_absolute_url() in html
    assert "Perception engineer · 6 yrs · large company" in html
    assert html.count("Data scientist · PhD") == 3
