"""manage.py load_demo: the demo community from kb/demo/community.toml, idempotence, and
counters consistent with the rows (options and malformed files: test_load_demo_file.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag

from accounts.models import User
from kb import search
from kb.demo import read_community
from kb.models import Comment, Post, TagInfo, TagSynonym, Vote

pytestmark = pytest.mark.django_db
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
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


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo loaded once for this module's tests, each in its own savepoint; rolled back
    at the end (loading takes seconds, and these tests only read it)."""
    # The hasher tests/conftest.py gives each test, so the demo log-in works in them.
    fast_hasher = override_settings(PASSWORD_HASHERS=[MD5_HASHER])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast_hasher:
            output = _load()
        search._pending_ids().clear()  # their after-commit indexing never runs: rolled back
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_once, db):
    return _demo_once


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
    # Through the log-in form: django-axes needs the request that client.login() lacks.
    response = client.post("/accounts/login/", {"username": "demo", "password": "careerkb-demo"})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "demo"


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
        if not vote.post.is_anonymous:  # votes on an anonymous post earn its author nothing
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


def test_the_report_counts_one_thing_in_the_singular():
    from kb.management.commands.load_demo import _counted

    assert _counted(1, "start-here answers") == "1 start-here answer"
    assert _counted(2, "outcomes") == "2 outcomes"
