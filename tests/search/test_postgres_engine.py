"""The PostgreSQL engine's own shortcuts: phrase narrowing, count estimates, ranking pools.

They run only with a PostgreSQL database (KB_DATABASE_URL=postgres://…), like the
postgres half of the contract tests.
"""

import importlib

import pytest
from django.db import connection

from kb import search
from kb.search import postgres_backend
from kb.search.query import parse
from tests.factories import make_question
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db

PHRASE_TEXTS = {
    "adjacent": ("Career notes", "I love machine learning work."),
    "scattered": ("Career notes", "The learning curve of a machine shop is steep."),
    "reversed": ("Career notes", "Learning machine code first."),
    "hyphenated": ("Career notes", "Applied machine-learning roles."),
    "stop word between": ("Career notes", "A machine for learning."),
    "in title": ("Machine learning interviews", "Nothing else here."),
    "plural": ("Career notes", "Machines learned to talk."),
    "title then body": ("Why I left machine", "Learning to let go."),
    "three words": ("Career notes", "Deep learning machine learning models."),
    "three words apart": ("Career notes", "Deep learning and machine learning."),
    "underscore": ("Career notes", "See machine_learning in the config."),
}
PHRASES = [
    "machine learning",
    "learning machine",
    "machine-learning",
    "deep learning machine",
    "learning models",
    "machine for learning",
    "left machine learning",
    "notes i love",
]


@pytest.fixture
def postgres(settings, db):
    if connection.vendor != "postgresql":
        pytest.skip("the postgres engine needs KB_DATABASE_URL=postgres://… (CI runs it)")
    settings.SEARCH_BACKEND = "postgres"
    settings.SEMANTIC_SEARCH = False  # the engine's own ranking, as in tests/search/conftest.py
    backend = search.get_backend()
    backend.rebuild([])
    return backend


def find(raw, **kwargs):
    return search.search(parse(raw), **kwargs)


def phrase_matches(phrase):
    """What PostgreSQL itself calls a phrase match: the full check, on every row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT post_id FROM kb_searchdocument WHERE vector @@ phraseto_tsquery('english', %s)",
            [phrase],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def phrase_posts(postgres, indexed):
    with indexed():
        return {
            name: make_question(title=title, body=body).pk
            for name, (title, body) in PHRASE_TEXTS.items()
        }


@pytest.mark.parametrize("phrase", PHRASES)
def test_phrase_narrowing_finds_exactly_the_phrase_matches(phrase_posts, phrase):
    page = find(f'"{phrase}"')
    expected = phrase_matches(" ".join(parse(f'"{phrase}"').phrases[0]))
    assert set(ids(page)) == expected
    assert page.total == len(expected)


def test_phrase_matches_are_the_expected_posts(phrase_posts):
    def found(raw):
        return {name for name, pk in phrase_posts.items() if pk in ids(find(raw))}

    assert found('"machine learning"') == {
        "adjacent",
        "hyphenated",
        "in title",
        "plural",
        "title then body",
        "three words",
        "three words apart",
        "underscore",
    }
    assert found('"deep learning machine"') == {"three words"}
    assert found('"learning machine"') == {"reversed", "three words"}


def test_an_edit_updates_the_phrase_pairs(postgres, indexed):
    with indexed():
        post = make_question(title="Career notes", body="I love machine learning work.")
    assert ids(find('"machine learning"')) == [post.pk]
    with indexed():
        post.edit(post.author, title=post.title, body="I love learning about every machine.")
    assert ids(find('"machine learning"')) == []
    assert ids(find('"learning about every machine"')) == [post.pk]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Data engineering", "Spark jobs, SQL, and machine learning."),
        ("O'Reilly's naïve café-au-lait", r"C:\path\to it's 'quoted' \\ back-slash 3.14 e-mail"),
        ("Émigré Ärzte straße", "user@example.com https://example.com/a_b?c=d x" * 3),
    ],
)
def test_stored_pairs_are_what_the_migration_computes(postgres, indexed, title, body):
    """The pairs made at indexing equal the migration's, which filled the existing rows."""
    migration = importlib.import_module("kb.migrations.0005_search_shingles")
    assert postgres_backend.pairs_sql("vector") == migration.PAIRS_SQL
    with indexed():
        make_question(title=title, body=body)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT shingles, {migration.PAIRS_SQL} FROM kb_searchdocument")
        stored, recomputed = cursor.fetchone()
    assert sorted(stored) == sorted(recomputed)  # the same pairs (in any order: a set)
    assert len(stored) >= 5


def test_a_large_count_is_an_estimate_shown_as_about(postgres, indexed, monkeypatch):
    monkeypatch.setattr(postgres_backend, "COUNT_CAP", 3)
    with indexed():
        for i in range(8):
            make_question(title=f"Remote work number {i}", body="Working from home.")
    postgres._vacuum_analyze()  # the planner's statistics, as after a rebuild
    newest = find("remote", sort="newest")
    assert newest.estimated
    assert 4 <= newest.total <= 40
    # Relevance ranks every match here (the pools are not full): the count is exact.
    ranked = find("remote")
    assert not ranked.estimated
    assert ranked.total == 8


def test_a_small_count_is_exact(postgres, indexed):
    with indexed():
        for i in range(3):
            make_question(title=f"Remote work number {i}", body="Working from home.")
    page = find("remote", sort="newest")
    assert (page.total, page.estimated) == (3, False)


def test_ranking_pools_keep_titles_first_and_pages_apart(postgres, indexed, monkeypatch):
    monkeypatch.setattr(postgres_backend, "POOL", 4)
    with indexed():
        in_title = [make_question(title=f"Mentoring juniors {i}", body="Notes.") for i in range(6)]
        in_body = [
            make_question(title=f"Team lead notes {i}", body="Mentoring takes time.")
            for i in range(6)
        ]
    first = find("mentoring", per_page=5)
    second = find("mentoring", page=2, per_page=5)
    shown = ids(first) + ids(second)
    assert len(shown) == len(set(shown))
    titles, bodies = {p.pk for p in in_title}, {p.pk for p in in_body}
    seen_body = False
    for pk in shown:
        assert pk in titles | bodies
        seen_body = seen_body or pk in bodies
        assert not (seen_body and pk in titles)  # no title match after a body match


def test_phrase_bonus_with_a_filter(postgres, indexed):
    with indexed():
        scattered = make_question(
            title="Notes", body="Learning is hard; the machine is easy.", tags=["ml"]
        )
        adjacent = make_question(title="Notes", body="Machine learning is hard.", tags=["ml"])
        make_question(title="Notes", body="Machine learning elsewhere.", tags=["other"])
    assert ids(find("machine learning [ml]")) == [adjacent.pk, scattered.pk]


def test_planner_settings_are_restored_after_a_search(postgres, indexed):
    with indexed():
        make_question(title="Mentoring juniors", body="Mentoring takes time.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        before = cursor.fetchone()
        assert ids(find("mentoring time"))
        assert ids(find("mentoring", sort="newest"))
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        assert cursor.fetchone() == before
