"""Search and related questions prefer fresher advice when relevance ties (issue 13)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb import search
from kb.search.freshness import fresher_first_on_ties, thread_freshness
from tests.factories import make_answer, make_question, make_user
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db

TITLE = "Is a bootcamp enough for a data analyst job?"
BODY = "I finished a twelve week bootcamp and wonder whether employers take it seriously."
ANSWER = "A bootcamp plus two projects on real data got me interviews."
LONG_AGO = timezone.now() - timedelta(days=3 * 365)


@pytest.fixture
def twins(indexed):
    """Two threads with the same words: the first written long ago, the second recently."""
    with indexed():
        old = make_question(title=TITLE, body=BODY, created_at=LONG_AGO)
        old_answer = make_answer(old, make_user(), body=ANSWER, created_at=LONG_AGO)
        new = make_question(title=TITLE, body=BODY)
        make_answer(new, make_user(), body=ANSWER, created_at=LONG_AGO)
    return old, old_answer, new


def test_a_tie_puts_the_fresher_thread_first(engine, twins):
    old, _, new = twins
    assert ids(search.search("bootcamp data analyst")) == [new.pk, old.pk]


def test_re_confirming_old_advice_makes_its_thread_the_fresher(engine, twins, indexed):
    old, old_answer, new = twins
    with indexed():
        old_answer.reconfirm(by=old_answer.author)
    assert ids(search.search("bootcamp data analyst")) == [old.pk, new.pk]


def test_a_better_match_still_wins_over_fresher_advice(engine, indexed):
    with indexed():
        better = make_question(
            title="Bootcamp or degree for a data analyst job?",
            body="Which does a data analyst hiring manager prefer, a bootcamp or a degree?",
            created_at=LONG_AGO,
        )
        fresher = make_question(title="Learning SQL on weekends", body="Is a bootcamp useful?")
    found = ids(search.search("bootcamp data analyst degree"))
    assert found.index(better.pk) < found.index(fresher.pk)


def test_thread_freshness_counts_answers_and_confirmations(alice, bob):
    question = make_question(alice, created_at=LONG_AGO)
    answer = make_answer(question, bob, created_at=LONG_AGO)
    assert thread_freshness([question.pk])[question.pk] == LONG_AGO
    answer.reconfirm(by=bob)
    answer.refresh_from_db()
    assert thread_freshness([question.pk])[question.pk] == answer.confirmed_at


def test_only_ties_move_and_without_a_tie_no_query(alice, django_assert_num_queries):
    old = make_question(alice, created_at=LONG_AGO)
    new = make_question(alice)
    with django_assert_num_queries(0):
        assert fresher_first_on_ties([(old.pk, 2.0), (new.pk, 1.0)]) == [old.pk, new.pk]
    with django_assert_num_queries(1):
        ranked = [(99, 3.0), (old.pk, 2.0), (new.pk, 2.0), (98, 1.0)]
        assert fresher_first_on_ties(ranked) == [99, new.pk, old.pk, 98]


def test_related_questions_prefer_the_fresher_twin(engine, twins, indexed):
    old, old_answer, new = twins
    with indexed():
        third = make_question(title=TITLE, body=BODY)
    assert [document.id for document in search.more_like_this(third)][:2] == [new.pk, old.pk]
    with indexed():
        old_answer.reconfirm(by=old_answer.author)
    assert [document.id for document in search.more_like_this(third)][:2] == [old.pk, new.pk]
