import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kb.models import Comment, Post
from tests.importers.helpers import REDDIT_FUNNY, REDDIT_SELF, row_counts

pytestmark = pytest.mark.django_db
URL = reverse("kb:import")


def _upload(path=REDDIT_SELF, content=None, name=None):
    data = content if content is not None else path.read_bytes()
    return SimpleUploadedFile(name or path.name, data, content_type="application/json")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_members_who_are_not_staff_get_403(bob_client):
    assert bob_client.get(URL).status_code == 403
    assert bob_client.post(URL, {"file": _upload()}).status_code == 403
    assert Post.objects.count() == 0


def test_staff_see_the_form(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="file"' in html
    assert 'name="as_experience"' in html


def test_other_methods_are_405(staff_client):
    assert staff_client.put(URL).status_code == 405


def test_staff_import_a_thread_and_get_a_link_to_it(staff_client):
    response = staff_client.post(URL, {"file": _upload(), "tags": "career, PRAW"})

    question = Post.objects.questions().get()
    assert response.status_code == 302
    assert response.url == f"{URL}?imported={question.pk}"
    assert question.tag_names() == ["career", "praw"]
    assert Post.objects.answers().count() == 1
    assert Comment.objects.count() == 1
    page = staff_client.get(response.url).content.decode()
    assert (
        "Imported 1 question, 1 answer, 1 comment, 2 users, 2 new tags from reddit:redditdev."
        in page
    )
    assert f'href="{question.get_absolute_url()}"' in page


def test_as_experience(staff_client):
    staff_client.post(URL, {"file": _upload(REDDIT_FUNNY), "as_experience": "on"})

    assert Post.objects.experiences().count() == 1
    assert Post.objects.answers().count() == 0


def test_uploading_twice_creates_nothing_new_and_still_links_the_post(staff_client):
    staff_client.post(URL, {"file": _upload()})
    before = row_counts()

    response = staff_client.post(URL, {"file": _upload()}, follow=True)

    assert row_counts() == before
    html = response.content.decode()
    assert "Imported nothing new from reddit:redditdev: all 3 items were imported" in html
    assert Post.objects.questions().get().get_absolute_url() in html


def test_a_file_over_5_mb_is_a_form_error(staff_client):
    big = b"[" + b" " * (5 * 1024 * 1024) + b"]"

    response = staff_client.post(URL, {"file": _upload(content=big, name="big.json")})

    assert response.status_code == 400
    assert "The file is over the limit of 5.0\xa0MB." in response.content.decode()
    assert Post.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"kind": "Listing", "data": {"children": [', "broken.json, line 1 column 44"),
        (b'{"kind": "Listing"}', "expected a Reddit thread"),
        (b"caf\xe9 not utf-8", "broken.json, byte 3: not UTF-8 text (byte 0xe9)"),
    ],
)
def test_broken_files_are_form_errors_and_change_nothing(staff_client, content, message):
    before = row_counts()

    response = staff_client.post(URL, {"file": _upload(content=content, name="broken.json")})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


def test_invalid_tags_are_a_form_error(staff_client):
    response = staff_client.post(URL, {"file": _upload(), "tags": "a b c d e f"})

    assert response.status_code == 400
    assert "at most 5 tags" in response.content.decode()
    assert Post.objects.count() == 0


def test_a_missing_file_is_a_form_error(staff_client):
    response = staff_client.post(URL, {"tags": "career"})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
