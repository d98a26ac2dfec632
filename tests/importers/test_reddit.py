import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from kb import search
from kb.models import Comment, Post
from tests.importers.helpers import REDDIT_FUNNY, REDDIT_SELF, row_counts

User = get_user_model()
pytestmark = pytest.mark.django_db


def _import(path, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_reddit", str(path), *args, stdout=out)
    return out.getvalue()


def _write(tmp_path, data, name="thread.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _self_post_data():
    return json.loads(REDDIT_SELF.read_text(encoding="utf-8"))


# -- the samples ---------------------------------------------------------------------------


def test_self_post_thread_becomes_a_question_with_an_answer_and_a_comment():
    output = _import(REDDIT_SELF)

    question = Post.objects.questions().get()
    answer = Post.objects.answers().get()
    comment = Comment.objects.get()
    assert question.title == "[PRAW] HTTPS enabled PRAW testing needed"
    assert question.body.startswith("PRAW client developers,")
    assert "<p>PRAW client developers,</p>" in question.body_html
    assert question.source == "reddit:redditdev"
    assert question.source_id == "t3_2gmzqe"
    assert question.source_url == (
        "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/"
    )
    assert question.created_at == datetime.fromtimestamp(1410935671, tz=UTC)
    assert (question.source_score, question.score) == (11, 0)
    assert question.tag_names() == ["redditdev"]
    assert (question.answer_count, question.comment_count) == (1, 0)
    assert answer.parent == question
    assert answer.source_author == "paneer_burrito"
    assert (answer.source_score, answer.comment_count) == (1, 1)
    assert comment.post == answer
    assert comment.author.display_name == "bboe"
    assert comment.body.startswith("Yes it does.")
    assert "Imported 1 question" in output
    assert "1 answer" in output
    assert "2 users" in output


def test_authors_become_inactive_placeholders_without_reputation():
    _import(REDDIT_SELF)

    users = User.objects.order_by("username")
    assert [user.username for user in users] == ["reddit~bboe", "reddit~paneer_burrito"]
    for user in users:
        assert user.is_imported
        assert user.imported_from == "reddit"
        assert not user.is_active
        assert not user.has_usable_password()
        assert user.reputation == 0
    # one placeholder per Reddit name: bboe wrote the post and a comment
    assert Post.objects.questions().get().author == Comment.objects.get().author


def test_link_post_with_more_stubs_and_a_deleted_author():
    output = _import(REDDIT_FUNNY)

    question = Post.objects.questions().get()
    assert Post.objects.answers().count() == 5
    assert Comment.objects.count() == 5
    assert User.objects.filter(is_imported=True).count() == 11
    assert question.answer_count == 5
    assert "http://i.imgur.com/eoF76hj.gifv" in question.body_html
    assert question.tag_names() == ["funny"]
    # 11 "more" stubs hide 559 comments (their "count" fields)
    assert "559 comments not in the file" in output
    deleted = User.objects.get(display_name="[deleted]")
    assert deleted.username == "reddit~~deleted~"
    assert Comment.objects.get(source_id="t1_cu5th6m").author == deleted


def test_deeper_replies_are_flattened_in_order_with_a_mention():
    _import(REDDIT_FUNNY)

    answer = Post.objects.get(source_id="t1_cu5pebp")
    bodies = [comment.body for comment in answer.shown_comments]
    assert bodies[0].startswith("Better than being a fat guy")  # direct reply: no mention
    assert bodies[1].startswith("in reply to Lommo97: >I have a glandular problem!")
    assert answer.comment_count == 2


def test_importing_twice_creates_nothing_new():
    _import(REDDIT_FUNNY)
    before = row_counts()

    output = _import(REDDIT_FUNNY)

    assert row_counts() == before
    assert "Imported nothing new from reddit:funny: all 11 items were imported before." in output


def test_tags_option_replaces_subreddit_and_flair():
    _import(REDDIT_SELF, "--tags", "Career, Job_Search")

    assert Post.objects.questions().get().tag_names() == ["career", "job-search"]


def test_as_experience_turns_answers_into_comments_on_the_post():
    _import(REDDIT_FUNNY, "--as-experience")

    post = Post.objects.experiences().get()
    assert Post.objects.answers().count() == 0
    assert post.comment_count == 10
    assert Comment.objects.get(source_id="t1_cu5pebp").body.startswith("Man I am glad")
    reply = Comment.objects.get(source_id="t1_cu5sye5")
    assert reply.body.startswith("in reply to johnnwho: Better than being")


def test_dry_run_counts_and_changes_nothing():
    before = row_counts()

    output = _import(REDDIT_FUNNY, "--dry-run")

    assert row_counts() == before
    assert output.startswith("Would import 1 question")


# -- format details ------------------------------------------------------------------------


def test_escaped_files_are_unescaped_once(tmp_path):
    data = _self_post_data()
    data[0]["data"]["children"][0]["data"]["selftext"] = "Use &lt;b&gt; &amp;amp; more"
    reply = data[1]["data"]["children"][0]["data"]["replies"]["data"]["children"][0]["data"]
    reply["body"] = "Tom &amp; Jerry"

    _import(_write(tmp_path, data))

    assert Post.objects.questions().get().body == "Use <b> &amp; more"
    assert Comment.objects.get().body == "Tom & Jerry"


def test_raw_json_files_are_left_alone(tmp_path):
    data = _self_post_data()
    data[0]["data"]["children"][0]["data"]["selftext"] = "a > b, and &amp; stays"

    _import(_write(tmp_path, data))

    assert Post.objects.questions().get().body == "a > b, and &amp; stays"


@pytest.mark.parametrize("body", ["[deleted]", "[removed]"])
def test_deleted_comments_without_replies_are_skipped(tmp_path, body):
    data = _self_post_data()
    top = data[1]["data"]["children"][0]["data"]
    top["body"], top["replies"] = body, ""

    output = _import(_write(tmp_path, data))

    assert Post.objects.answers().count() == 0
    assert "1 deleted or removed comments without replies skipped" in output


def test_a_deleted_comment_with_replies_is_kept_for_them(tmp_path):
    data = _self_post_data()
    data[1]["data"]["children"][0]["data"]["body"] = "[deleted]"

    _import(_write(tmp_path, data))

    assert Post.objects.answers().get().body == "[deleted]"
    assert Comment.objects.count() == 1


def test_continue_this_thread_stub_counts_as_missing(tmp_path):
    data = _self_post_data()
    data[1]["data"]["children"].append(
        {"kind": "more", "data": {"id": "_", "count": 0, "children": [], "parent_id": "t3_x"}}
    )

    assert "1 comments not in the file" in _import(_write(tmp_path, data))


# -- broken files: one clear line, nothing left behind --------------------------------------


def _fails(path, *fragments):
    before = row_counts()
    with pytest.raises(CommandError) as error:
        _import(path)
    message = str(error.value)
    assert "\n" not in message
    for fragment in (str(path), *fragments):
        assert fragment in message
    assert row_counts() == before
    return message


def test_truncated_json_names_the_line(tmp_path):
    path = tmp_path / "truncated.json"
    path.write_text(REDDIT_SELF.read_text(encoding="utf-8")[:3000], encoding="utf-8")

    _fails(path, "line 1 column", "not valid JSON")


def test_wrong_top_level_shape(tmp_path):
    _fails(_write(tmp_path, {"kind": "Listing", "data": {}}), "top level", "two Listings")


def test_missing_field_names_the_element(tmp_path):
    data = _self_post_data()
    del data[1]["data"]["children"][0]["data"]["replies"]["data"]["children"][0]["data"]["body"]

    _fails(
        _write(tmp_path, data),
        "[1].data.children[0].data.replies.data.children[0].data",
        "missing field 'body'",
    )


def test_missing_file():
    with pytest.raises(CommandError, match=r"nope\.json: cannot read the file"):
        _import("nope.json")


def test_a_failure_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    from kb.importers import save

    def broken(self, comments):
        raise save.ImportFileError("thread.json", "comment t1_x", "boom")

    monkeypatch.setattr(save.ImportWriter, "save_comments", broken)
    before = row_counts()
    with pytest.raises(CommandError, match="boom"):
        _import(REDDIT_FUNNY)
    assert row_counts() == before


# -- search and page -----------------------------------------------------------------------


def test_imported_posts_are_found_by_search(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _import(REDDIT_SELF)

    question = Post.objects.questions().get()
    page = search.search("HTTPS PRAW testing")
    assert question.pk in [hit.id for hit in page.hits]


def test_question_page_shows_the_reddit_attribution(client):
    _import(REDDIT_SELF)
    question = Post.objects.questions().get()

    html = client.get(question.get_absolute_url()).content.decode()

    assert "Imported from" in html
    assert 'href="https://www.reddit.com/r/redditdev/"' in html
    assert f'href="{question.source_url}"' in html
    assert "original thread" in html
    assert "u/bboe" in html
    assert "u/paneer_burrito" in html
    assert "original comment" in html
