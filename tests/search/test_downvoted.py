"""A downvoted answer's negative score goes into every engine: shown, filtered and sorted."""

import pytest

from kb import search
from kb.models import Vote
from kb.search.query import parse
from tests.factories import make_answer, make_question, make_user
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db


def find(raw, **kwargs):
    return search.search(parse(raw), **kwargs)


def test_a_negative_score_is_indexed_filtered_and_sorted_last(engine, indexed):
    critic = make_user(reputation=125)
    with indexed():
        sunk = make_answer(make_question(title="Leaving a team"), body="Quit with no runway.")
        kept = make_answer(make_question(title="Leaving a company"), body="Save a runway first.")
    with indexed():
        sunk.cast_vote(critic, Vote.DOWN)
    page = find("runway is:answer")
    assert {hit.id: hit.score for hit in page.hits} == {sunk.pk: -1, kept.pk: 0}
    assert ids(find("runway is:answer score:0")) == [kept.pk]
    assert ids(find("runway is:answer", sort="votes")) == [kept.pk, sunk.pk]
