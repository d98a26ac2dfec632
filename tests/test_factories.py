"""The test factories make data through the domain methods, so counters come out right."""

import pytest

from accounts.models import User
from kb.models import Post
from tests.factories import make_answer, make_comment, make_question

pytestmark = pytest.mark.django_db


def test_answers_and_comments_are_counted_by_the_domain():
    question = make_question()
    answer = make_answer(question)
    make_answer(question, is_deleted=True)
    make_comment(question)
    make_comment(answer)
    make_comment(answer)
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.answer_count == 1
    assert question.comment_count == 1
    assert answer.comment_count == 2


def test_a_score_is_made_of_real_votes_with_their_reputation():
    answer = make_answer(make_question(), score=3)
    assert answer.score == 3
    assert answer.votes.count() == 3
    assert User.objects.get(pk=answer.author_id).reputation == 30


def test_a_deleted_post_is_deleted_by_its_author():
    question = make_question(is_deleted=True)
    assert question.is_deleted
    assert question.deleted_by_id == question.author_id
    assert not Post.objects.visible().filter(pk=question.pk).exists()


def test_fields_no_domain_method_sets_are_refused():
    with pytest.raises(TypeError, match="answer_count"):
        make_question(answer_count=5)
