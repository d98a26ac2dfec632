"""Malformed uploads: a form error naming the problem (400), never a 500, nothing written.

The corpus (tests/importers/malformed.py) covers the classes issue 11 found giving 500s
(deep nesting, NaN / Infinity / huge numbers, wrong types) and the others a file can have:
truncated, wrong encoding, binary, empty, too big, too many items, unsafe links, text the
database would refuse.
"""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kb.importers import reddit
from kb.importers.base import ImportFileError
from kb.models import Comment, Post
from tests.factories import make_question
from tests.importers.helpers import row_counts
from tests.importers.malformed import CASES, VALID, minimal_thread, post_data

pytestmark = pytest.mark.django_db
URL = reverse("kb:import")


@pytest.fixture(autouse=True)
def _small_limits(settings):
    """Small item and text limits, so the corpus stays small; the defaults are far higher."""
    settings.IMPORT_MAX_ITEMS = 50
    settings.IMPORT_MAX_TEXT_CHARS = 1_000


@pytest.fixture
def staff_poster(staff):
    """A client that answers a server error with its 500 page instead of raising."""
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


def _post(client, content: bytes, name="thread.json", **fields):
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(URL, {"file": upload, **fields})


def _form_error(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_malformed_upload_is_a_form_error_and_writes_nothing(staff_poster, case):
    before = row_counts()

    response = _post(staff_poster, case.content)

    assert response.status_code == 400
    page = _form_error(response)
    assert 'class="errorlist"' in page
    assert case.message in page
    assert row_counts() == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_command_gives_the_same_one_line_error(tmp_path, case):
    path = tmp_path / "thread.json"
    path.write_bytes(case.content)
    before = row_counts()

    with pytest.raises(CommandError) as error:
        call_command("import_reddit", str(path))

    assert case.message in str(error.value)
    assert "\n" not in str(error.value)
    assert row_counts() == before


def test_the_valid_thread_of_the_corpus_imports(staff_poster):
    response = _post(staff_poster, VALID)

    assert response.status_code == 302
    assert Post.objects.count() == 2
    assert Comment.objects.count() == 1


def test_errors_name_the_element():
    thread = minimal_thread()
    thread[1]["data"]["children"][0]["data"]["score"] = "many"

    with pytest.raises(ImportFileError) as error:
        reddit.parse_bytes(json.dumps(thread).encode(), name="t.json")

    assert str(error.value) == (
        "t.json, [1].data.children[0].data: score should be a whole number, got 'many'"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_utf_16_and_32_files_import_as_json_allows(staff_poster, encoding):
    text = json.dumps(minimal_thread(), ensure_ascii=False).replace("The post.", "Café à Paris")

    response = _post(staff_poster, text.encode(encoding))

    assert response.status_code == 302
    assert Post.objects.questions().get().body == "Café à Paris"


def test_nul_and_lone_surrogates_in_text_are_dropped_not_a_500(staff_poster):
    thread = minimal_thread()
    post_data(thread)["selftext"] = "before\u0000after \ud800 end"

    response = _post(staff_poster, json.dumps(thread).encode())

    assert response.status_code == 302
    assert Post.objects.questions().get().body == "beforeafter \ufffd end"


def test_a_realistic_depth_is_fine_and_the_limit_is_a_setting(staff_poster, settings):
    settings.IMPORT_MAX_DEPTH = 8  # the minimal thread nests 11 levels

    response = _post(staff_poster, VALID)

    assert response.status_code == 400
    assert "nested more than 8 levels deep" in _form_error(response)


def test_an_upload_over_the_limit_is_dropped_while_it_arrives(staff_poster, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1_000

    response = _post(staff_poster, VALID + b" " * 2_000, tags="career")

    assert response.status_code == 400
    assert "The file is over the limit of 1000\xa0bytes." in _form_error(response)
    assert "This field is required" not in _form_error(response)
    assert Post.objects.count() == 0


# -- links: only http(s) is stored, and only http(s) is rendered ----------------------------


@pytest.mark.parametrize(
    "permalink",
    ["javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x"],
)
def test_a_permalink_that_is_not_http_is_refused(staff_poster, permalink):
    thread = minimal_thread()
    post_data(thread)["permalink"] = permalink

    response = _post(staff_poster, json.dumps(thread).encode())

    assert response.status_code == 400
    assert "permalink is not a Reddit path or an http(s) URL" in _form_error(response)
    assert Post.objects.count() == 0


def test_reddit_paths_and_http_urls_are_stored_as_links():
    thread = minimal_thread()
    post_data(thread)["permalink"] = "https://old.reddit.com/r/careers/comments/abc/"

    parsed = reddit.parse_bytes(json.dumps(thread).encode())

    assert parsed.question.url == "https://old.reddit.com/r/careers/comments/abc/"
    assert parsed.answers[0].url == "https://www.reddit.com/r/careers/comments/abc/t/c1/"


@pytest.mark.parametrize(
    "stored", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil"]
)
def test_a_stored_non_http_source_url_is_not_rendered_as_a_link(client, alice, stored):
    # A row written before the parser checked links (bulk_create skips URL validation).
    question = make_question(alice, title="Imported long ago")
    Post.objects.filter(pk=question.pk).update(
        source="reddit:careers", source_id="t3_old", source_url=stored, source_author="x"
    )

    page = client.get(question.get_absolute_url()).content.decode()

    assert "Imported from" in page
    assert "original thread" not in page
    assert stored not in page


def test_an_http_source_url_is_rendered_as_the_original_thread_link(client, alice):
    question = make_question(alice, title="Imported")
    url = "https://www.reddit.com/r/careers/comments/abc/"
    Post.objects.filter(pk=question.pk).update(
        source="reddit:careers", source_id="t3_abc", source_url=url
    )

    page = client.get(question.get_absolute_url()).content.decode()

    assert f'<a href="{url}" rel="nofollow noopener">original thread</a>' in page


def test_the_import_page_still_checks_csrf(staff):
    # The view is csrf_exempt only to put the upload limit first; the check runs after it.
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = _post(client, VALID)

    assert response.status_code == 403
    assert Post.objects.count() == 0
