"""manage.py load_demo: the demo community, idempotence, and counters consistent with votes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone
from taggit.models import Tag

from accounts.models import User
from kb.demo import read_community
from kb.models import Comment, Post, TagInfo, TagSynonym, Vote
from tests.factories import make_question

pytestmark = pytest.mark.django_db
MAIN_TAGS = [
    "phd-vs-product",
    "startups-vs-big-tech",
    "skills",
    "c++",
    "deployment",
    "portfolio",
    "interviews",
    "computer-vision",
    "career-switch",
]


def _load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Post, Vote, Comment, TagSynonym, TagInfo, Tag)
    }


@pytest.fixture
def demo(db):
    return _load()


def test_creates_a_small_living_community(demo):
    counts = Post.objects.kind_counts()
    assert 20 <= counts["question"] <= 25
    assert counts["experience"] >= 4
    assert counts["answer"] >= 30
    assert Comment.objects.count() >= 15
    assert Vote.objects.count() >= 100
    assert User.objects.count() >= 9
    assert Post.objects.questions().filter(accepted_answer__isnull=False).count() >= 5
    assert Post.objects.questions().filter(answer_count=0).exists()  # "unanswered" has content
    assert "Created" in demo


def test_members_have_names_and_headlines(demo):
    members = User.objects.exclude(username="demo")
    assert members.count() >= 8
    assert not members.filter(display_name="").exists()
    assert not members.filter(headline="").exists()


def test_demo_log_in_works_and_is_printed(demo, client):
    assert "demo" in demo
    assert "careerkb-demo" in demo
    assert client.login(username="demo", password="careerkb-demo")


def test_other_demo_members_cannot_log_in(demo):
    assert not User.objects.get(username="maya").has_usable_password()


def test_tags_descriptions_and_synonyms(demo):
    used = set(Tag.objects.filter(post__isnull=False).values_list("name", flat=True))
    assert set(MAIN_TAGS) <= used
    described = set(TagInfo.objects.values_list("tag__name", flat=True))
    assert set(MAIN_TAGS) <= described
    synonyms = dict(TagSynonym.objects.values_list("source", "target__name"))
    assert synonyms == {"faang": "big-tech", "ml-engineer": "mle"}
    assert Tag.objects.get(name="c++").slug == "cpp"


def test_rich_markdown_is_rendered(demo):
    html = "".join(Post.objects.values_list("body_html", flat=True))
    assert "<table>" in html
    assert "<pre><code" in html
    assert "<ol>" in html
    assert "<ul>" in html


def test_dates_spread_over_months(demo):
    now = timezone.now()
    dates = list(Post.objects.exclude(kind="answer").values_list("created_at", flat=True))
    assert (now - min(dates)).days >= 90
    assert (now - max(dates)).days <= 7
    assert all(date <= now for date in Post.objects.values_list("created_at", flat=True))
    recent = Post.objects.questions().filter(last_activity_at__gte=now - timedelta(days=2))
    assert recent.count() <= 2  # accepting an answer does not make everything "active now"


def test_running_twice_creates_nothing_new(demo):
    before = _row_counts()
    output = _load()
    assert _row_counts() == before
    assert "nothing new created" in output


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


def test_scores_equal_the_votes(demo):
    votes = dict(
        Vote.objects.values("post").annotate(total=Sum("value")).values_list("post", "total")
    )
    for post in Post.objects.all():
        assert post.score == votes.get(post.pk, 0), post


def test_nobody_votes_on_their_own_post(demo):
    for vote in Vote.objects.select_related("post"):
        assert vote.user_id != vote.post.author_id


def test_reputation_follows_the_rules(demo):
    points = {"question": 5, "answer": 10, "experience": 10}
    expected = dict.fromkeys(User.objects.values_list("pk", flat=True), 0)
    for vote in Vote.objects.select_related("post"):
        expected[vote.post.author_id] += points[vote.post.kind] * vote.value
    for question in Post.objects.filter(accepted_answer__isnull=False).select_related(
        "accepted_answer"
    ):
        expected[question.accepted_answer.author_id] += 15
    assert dict(User.objects.values_list("pk", "reputation")) == expected


def test_counters_match_rows(demo):
    answers = dict(
        Post.objects.answers()
        .visible()
        .values("parent")
        .annotate(n=Count("id"))
        .values_list("parent", "n")
    )
    comments = dict(Comment.objects.values("post").annotate(n=Count("id")).values_list("post", "n"))
    for post in Post.objects.all():
        assert post.comment_count == comments.get(post.pk, 0)
        if post.is_question:
            assert post.answer_count == answers.get(post.pk, 0)
            if post.accepted_answer_id:
                assert post.accepted_answer.parent_id == post.pk


def test_comments_fit_the_length_rules(demo):
    for body in Comment.objects.values_list("body", flat=True):
        assert 15 <= len(body) <= 600


def test_titles_and_bodies_fit_the_ask_form_rules(demo):
    for post in Post.objects.exclude(kind="answer"):
        assert 15 <= len(post.title) <= 150, post.title
        assert 1 <= post.tags.count() <= 5
    for body in Post.objects.values_list("body", flat=True):
        assert 30 <= len(body) <= 30000


def test_the_demo_site_renders(demo, client):
    for url in ["/", "/questions/", "/questions/?sort=unanswered", "/posts/", "/tags/"]:
        assert client.get(url).status_code == 200
    html = client.get("/questions/tagged/cpp/").content.decode()
    assert "How much modern C++ do I need for robotics perception roles?" in html
    assert client.get("/questions/tagged/faang/").status_code == 301


# -- the demo is the data file, built through the domain methods ---------------------------


def test_everything_in_the_file_is_loaded(demo):
    community = read_community()
    answers = [answer for question in community.questions for answer in question.answers]
    posts = [*community.questions, *community.experiences, *answers]
    assert User.objects.count() == len(community.members)
    assert TagInfo.objects.count() == len(community.tags)
    assert Post.objects.questions().count() == len(community.questions)
    assert Post.objects.experiences().count() == len(community.experiences)
    assert Post.objects.answers().count() == len(answers)
    assert Vote.objects.count() == sum(len(post.votes) for post in posts)
    assert Comment.objects.count() == sum(len(post.comments) for post in posts)
    accepted = {
        (question.title, answer.author)
        for question in community.questions
        for answer in question.answers
        if answer.accepted
    }
    loaded = Post.objects.filter(accepted_answer__isnull=False).values_list(
        "title", "accepted_answer__author__username"
    )
    assert set(loaded) == accepted


def test_comment_counts_count_visible_comments(demo):
    visible = dict(
        Comment.objects.filter(is_deleted=False)
        .values("post")
        .annotate(n=Count("id"))
        .values_list("post", "n")
    )
    assert sum(visible.values()) >= 15
    for post in Post.objects.all():
        assert post.comment_count == visible.get(post.pk, 0), post


def test_every_demo_post_is_at_its_canonical_address(demo, client):
    # A question page redirects when the slug in the URL is not the one the title gives.
    for post in Post.objects.exclude(kind="answer"):
        assert client.get(post.get_absolute_url()).status_code == 200, post


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

    assert "Created 1 answers, 2 votes, 1 accepted answers." in output
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
