"""A question closed as a duplicate ranks below its original and names it (issue 12)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kb import search
from tests.factories import make_question
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_pair(engine, indexed, staff):
    with indexed():
        original = make_question(
            title="Should I join a startup or a large company?",
            body="Offers from both; which is better for learning?",
            created_at=timezone.now() - timedelta(days=2),
        )
        duplicate = make_question(
            title="Startup or Big Tech for a first engineering job",
            body="Startup or Big Tech? Startup equity or Big Tech salary?",
        )
    with indexed():
        duplicate.close_as_duplicate(original, by=staff)
    return original, duplicate


def test_searching_the_duplicates_exact_title_shows_the_original_first(closed_pair):
    original, duplicate = closed_pair
    page = search.search(duplicate.title)
    assert ids(page)[:2] == [original.pk, duplicate.pk]
    assert page.hits[1].duplicate_of.url == original.get_absolute_url()
    assert page.hits[0].duplicate_of is None


def test_an_original_the_words_miss_is_brought_in_above_its_duplicate(engine, indexed, staff):
    with indexed():
        original = make_question(title="Choosing an employer", body="Which offer to take?")
        duplicate = make_question(title="Zebracorn offer dilemma", body="Zebracorn or not?")
    with indexed():
        duplicate.close_as_duplicate(original, by=staff)
    page = search.search("zebracorn")
    assert ids(page) == [original.pk, duplicate.pk]
    assert page.total == 2


def test_without_closing_the_order_is_the_words_order(engine, indexed):
    with indexed():
        first = make_question(title="Should I join a startup or a large company?")
        second = make_question(title="Startup or Big Tech for a first engineering job")
    assert ids(search.search(second.title))[0] == second.pk
    assert first.pk in ids(search.search("startup"))


def test_reopening_restores_the_words_order(closed_pair, indexed, staff):
    _, duplicate = closed_pair
    with indexed():
        duplicate.reopen(by=staff)
    page = search.search(duplicate.title)
    assert ids(page)[0] == duplicate.pk
    assert all(hit.duplicate_of is None for hit in page.hits)


def test_newest_sort_keeps_its_order_but_names_the_original(closed_pair):
    original, duplicate = closed_pair
    page = search.search("startup", sort="newest")
    assert ids(page) == [duplicate.pk, original.pk]
    assert page.hits[0].duplicate_of.title == original.title


def test_the_results_page_says_duplicate_of_with_a_link(client, closed_pair):
    original, duplicate = closed_pair
    html = client.get(reverse("kb:search"), {"q": duplicate.title}).content.decode()
    assert f'Duplicate of <a href="{original.get_absolute_url()}">' in html
    assert html.index(f'href="{original.get_absolute_url()}"') < html.index(
        f'href="{duplicate.get_absolute_url()}"'
    )
