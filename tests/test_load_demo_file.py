"""manage.py load_demo with a data file of its own: --file, --if-empty, --dry-run, a file
that grew since the last load, and malformed files (a clear error naming the entry, nothing
written)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError
from django.utils import timezone

from accounts.models import User
from kb.models import Post
from tests.factories import make_question
from tests.test_load_demo import _load, _row_counts

pytestmark = pytest.mark.django_db


def test_if_empty_does_nothing_when_posts_exist(db):
    make_question()
    output = _load("--if-empty")
    assert "not loaded" in output
    assert Post.objects.count() == 1
    assert not User.objects.filter(username="demo").exists()


def test_if_empty_loads_an_empty_database(db):
    _load("--if-empty")
    assert Post.objects.questions().count() >= 20


def test_dry_run_changes_nothing(db):
    output = _load("--dry-run")
    assert "Would create" in output
    assert Post.objects.count() == 0
    assert User.objects.count() == 0


SMALL_COMMUNITY = """
[[members]]
username = "alice"
name = "Alice Example"
headline = "Mechanical design engineer"
bio = "Gearboxes by day."
password = "alice-demo-pass"

[[members]]
username = "bob"
name = "Bob Example"
headline = "ML engineer"
bio = "Ships models."

[[members]]
username = "carol"
name = "Carol Example"
headline = "Hiring manager"
bio = "Reads CVs."

[[tags]]
name = "career-switch"
description = "Moving into a new field."
synonyms = ["switching"]

[[questions]]
title = "How do I move from mechanical design into ML?"
author = "alice"
days_ago = 10
tags = ["switching", "self-study"]
views = 12
votes = ["bob"]
comments = [
    { author = "bob", body = "Which kind of ML work do you mean?" },
]
body = '''
I design gearboxes and want to move into machine learning. Where do I start?
'''

[[questions.answers]]
author = "bob"
days_after = 1
votes = ["alice"]
body = '''
Start with one small project end to end, and write up what you measured.
'''
"""

NEW_ANSWER = """
[[questions.answers]]
author = "carol"
days_after = 2
accepted = true
votes = ["alice", "bob"]
body = '''
From the hiring side: one finished project beats five half-done courses.
'''
"""


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "community.toml"
    path.write_text(SMALL_COMMUNITY, encoding="utf-8")
    return path


def test_a_small_file_loads_through_the_site_rules(small_file):
    output = _load("--file", str(small_file))
    question = Post.objects.questions().get()
    assert question.tag_names() == ["career-switch", "self-study"]  # the synonym is resolved
    assert (question.score, question.answer_count, question.comment_count) == (1, 1, 1)
    assert question.view_count == 12
    assert (timezone.now() - question.created_at).days == 10
    assert dict(User.objects.values_list("username", "reputation")) == {
        "alice": 5,
        "bob": 10,
        "carol": 0,
    }
    assert "Demo log-in: username 'alice', password 'alice-demo-pass'." in output
    assert not User.objects.get(username="bob").has_usable_password()


def test_a_grown_file_adds_only_what_is_new(small_file):
    _load("--file", str(small_file))
    small_file.write_text(SMALL_COMMUNITY + NEW_ANSWER, encoding="utf-8")

    output = _load("--file", str(small_file))

    assert "Created 1 answer, 2 votes, 1 accepted answer." in output
    question = Post.objects.questions().get()
    answer = Post.objects.get(author__username="carol")
    assert question.accepted_answer == answer
    assert question.answer_count == 2
    assert question.last_activity_at == answer.created_at
    assert answer.created_at - question.created_at == timedelta(days=2, hours=3)
    assert User.objects.get(username="carol").reputation == 2 * 10 + 15


MALFORMED = [
    pytest.param(
        "views = 12", "views = 12 12", ["not valid TOML", "line 31, column 12"], id="toml-syntax"
    ),
    pytest.param(
        'votes = ["bob"]',
        'votes = ["bobb"]',
        ["question 1 “How do I move from mechanical design into ML?”", "'bobb' is not a member"],
        id="unknown-voter",
    ),
    pytest.param(
        'votes = ["bob"]',
        'votes = ["alice"]',
        ["question 1 “How do I move", "alice votes on their own post"],
        id="own-vote",
    ),
    pytest.param(
        "days_after = 1",
        "days_later = 1",
        ["question 1 “How do I move", "answer 1 (by bob)", "“days_after” is missing"],
        id="missing-key",
    ),
    pytest.param(
        "views = 12",
        'views = "twelve"',
        ["“views” must be a whole number, not str 'twelve'"],
        id="wrong-type",
    ),
    pytest.param(
        "views = 12",
        "views = 12\nvotez = []",
        ["question 1 “How do I move", "unknown key(s) votez"],
        id="unknown-key",
    ),
    pytest.param(
        'tags = ["switching", "self-study"]',
        'tags = ["Machine Learning"]',
        ["“Machine Learning” may only use lower-case letters"],
        id="bad-tag",
    ),
    pytest.param(
        "days_after = 1",
        "days_after = 11",
        ["answer 1 (by bob)", "puts it in the future"],
        id="answer-in-the-future",
    ),
    pytest.param(
        'title = "How do I move from mechanical design into ML?"',
        'title = "ML?"',
        ["question 1 “ML?”", "the title has 3 characters"],
        id="short-title",
    ),
    pytest.param(
        'name = "Bob Example"\n',
        "",
        ["member 'bob': “name” is missing"],
        id="member-without-name",
    ),
    pytest.param(
        "Ships models.",
        'Ships models."\n[[members]]\nusername = "bob',
        ["member 3: the username 'bob' is taken by an earlier member"],
        id="duplicate-member",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), MALFORMED)
def test_a_malformed_file_names_the_entry_and_writes_nothing(small_file, old, new, expected):
    assert old in SMALL_COMMUNITY
    small_file.write_text(SMALL_COMMUNITY.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        _load("--file", str(small_file))

    message = str(error.value)
    assert message.startswith(f"Demo content not loaded: {small_file}: ")
    for fragment in expected:
        assert fragment in message
    assert _row_counts() == dict.fromkeys(_row_counts(), 0)


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read the demo data file"):
        _load("--file", str(tmp_path / "nowhere.toml"))


def test_two_accepted_answers_are_refused(small_file):
    grown = SMALL_COMMUNITY.replace("days_after = 1", "days_after = 1\naccepted = true")
    small_file.write_text(grown + NEW_ANSWER, encoding="utf-8")
    with pytest.raises(CommandError, match="more than one answer is accepted"):
        _load("--file", str(small_file))
