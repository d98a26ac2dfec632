"""Outcomes, re-confirmed answers and start-here answers in a demo data file: loaded through
the domain rules, and bad entries named (issue 13, item 5)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb.models import Outcome, Post
from tests.test_load_demo_file import SMALL_COMMUNITY

pytestmark = pytest.mark.django_db


def _load_file(path) -> str:
    out = StringIO()
    call_command("load_demo", "--file", str(path), stdout=out)
    return out.getvalue()


ACCEPTED = SMALL_COMMUNITY.replace(
    "days_after = 1\nvotes", "days_after = 1\naccepted = true\nvotes", 1
)
OUTCOME_BY_BOB = """
[questions.outcome]
author = "bob"
days_ago = 2
body = '''
Alice took my advice, built one project and got an interview. (Reported by the answerer.)
'''
"""


def test_an_outcome_by_the_accepted_answerer_gets_the_askers_consent(tmp_path):
    path = tmp_path / "community.toml"
    path.write_text(ACCEPTED + OUTCOME_BY_BOB, encoding="utf-8")
    assert "1 outcome." in _load_file(path)
    outcome = Outcome.objects.select_related("question", "author").get()
    assert outcome.author.username == "bob"
    assert outcome.question.outcome_by_answerer
    assert "nothing new created" in _load_file(path)  # idempotent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SMALL_COMMUNITY + OUTCOME_BY_BOB, "bob neither asked the question nor wrote its accepted"),
        (
            ACCEPTED + OUTCOME_BY_BOB.replace("days_ago = 2", "days_ago = 20"),
            "days_ago must be after the question was asked",
        ),
        (
            ACCEPTED
            + OUTCOME_BY_BOB.replace("Alice took", "Short.\n").split("Short.")[0]
            + "Too short.\n'''\n",
            "outcomes take 20 to",
        ),
        (
            SMALL_COMMUNITY
            + '\n[[start_here]]\ntag = "skills"\nquestion = "Nope"\nanswer = "bob"\n',
            "no question is titled “Nope”",
        ),
        (
            SMALL_COMMUNITY
            + '\n[[start_here]]\ntag = "self-study"\n'
            + 'question = "How do I move from mechanical design into ML?"\nanswer = "carol"\n',
            "carol has no answer",
        ),
    ],
    ids=["not-the-asker", "before-the-question", "too-short", "no-question", "no-answer"],
)
def test_bad_outcome_or_start_here_entries_are_named(tmp_path, db, text, expected):
    path = tmp_path / "community.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        _load_file(path)
    assert expected in str(error.value)
    assert not Post.objects.exists()
