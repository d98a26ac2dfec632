import pytest
from django.db import connection

from kb import search

ENGINES = ["whoosh", "tantivy", "postgres"]


def _skip_unless_available(name):
    if name == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres engine needs KB_DATABASE_URL=postgres://… (CI runs it)")
    if name == "tantivy":
        pytest.importorskip("tantivy")


@pytest.fixture(params=ENGINES)
def engine(request, settings, db):
    """Run the test once per engine, each with an empty index."""
    _skip_unless_available(request.param)
    settings.SEARCH_BACKEND = request.param
    # The words alone: the semantic layer is tested with the `meaning` fixture.
    settings.SEMANTIC_SEARCH = False
    backend = search.get_backend()
    if request.param == "postgres":
        backend.rebuild([])
    return backend


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """A context manager: posts made inside it are indexed on exit, as after a commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ids(page):
    return [hit.id for hit in page.hits]


@pytest.fixture
def meaning(engine, settings):
    """The engine with the semantic layer on, as the site runs."""
    settings.SEMANTIC_SEARCH = True
    return engine
