"""The demo shows outcomes, dated advice and a start-here answer (issue 13, item 5)."""

import pytest
from django.urls import reverse

from kb.models import CanonicalAnswer, Outcome, Post
from tests.test_load_demo import _demo_once, demo  # noqa: F401 (the demo, loaded once)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

PHD_QUESTION = "Should I finish my PhD or take the product ML offer I have now?"
OLD_QUESTION = (
    "Do I need a master's degree to move from mechanical engineering into computer vision?"
)


def test_two_demo_questions_have_outcomes(client):
    outcomes = Outcome.objects.select_related("question", "author")
    assert {outcome.question.title for outcome in outcomes} == {PHD_QUESTION, OLD_QUESTION}
    for outcome in outcomes:
        assert outcome.author_id == outcome.question.author_id
        assert outcome.question.outcome_reported_at == outcome.created_at
    page = client.get(reverse("kb:question-list"), {"outcomes": "1"}).content.decode()
    assert page.count("outcome reported") == 2


def test_an_old_demo_answer_shows_its_age_and_a_reconfirmed_one_does_not(client):
    question = Post.objects.get(title=OLD_QUESTION)
    old, confirmed = question.answers.order_by("created_at")
    assert old.is_advice_dated
    assert not confirmed.is_advice_dated
    page = client.get(question.get_absolute_url()).content.decode()
    assert page.count("Advice from") == 1
    assert f"Advice from {old.created_at:%Y}." in page


def test_the_demo_has_a_start_here_answer(client):
    mark = CanonicalAnswer.objects.select_related("answer__parent", "answer__author").get()
    assert mark.tag.name == "phd-vs-product"
    assert mark.answer.parent.title == PHD_QUESTION
    assert mark.answer.author.username == "priya"
    page = client.get(reverse("kb:tag-detail", args=["phd-vs-product"])).content.decode()
    assert "Start here for phd-vs-product" in page


def test_demo_accepts_are_dated_for_the_reminder():
    accepted = Post.objects.questions().filter(accepted_answer__isnull=False)
    assert accepted.exists()
    assert not accepted.filter(accepted_at__isnull=True).exists()
