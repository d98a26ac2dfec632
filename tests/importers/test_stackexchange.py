from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from taggit.models import Tag

from kb import search
from kb.importers.stackexchange import parse_tags
from kb.models import ACCEPT_REPUTATION, Comment, Post, PostLink
from tests.importers.helpers import (
    CONLANG,
    CONLANG_SITE,
    copy_dump,
    edit_file,
    line_of,
    row_counts,
)

User = get_user_model()
pytestmark = pytest.mark.django_db
SOURCE = f"stackexchange:{CONLANG_SITE}"

# Counted independently from the XML (see the sample's README): 177 rows in Posts.xml are
# 54 questions, 115 answers and 8 tag-wiki posts (skipped); all 230 comments are on
# questions or answers; 11 questions have an accepted answer; the questions use 20
# distinct tags; 65 user ids wrote a post or comment, plus 6 names without an account.
QUESTIONS, ANSWERS, COMMENTS, ACCEPTED, TAGS, USERS = 54, 115, 230, 11, 20, 71


def _accept_points(user) -> int:
    """The reputation a member's accepted answers earn (their questions' askers differ)."""
    accepted = Post.objects.filter(accepted_answer__author=user).exclude(author=user)
    return ACCEPT_REPUTATION * accepted.count()


def _import(folder=CONLANG, *args) -> str:
    out = StringIO()
    call_command(
        "import_stackexchange", str(folder), "--site-name", CONLANG_SITE, *args, stdout=out
    )
    return out.getvalue()


def test_the_sample_dump_gives_the_expected_counts():
    output = _import()

    assert Post.objects.questions().count() == QUESTIONS
    assert Post.objects.answers().count() == ANSWERS
    assert Comment.objects.count() == COMMENTS
    assert Post.objects.filter(accepted_answer__isnull=False).count() == ACCEPTED
    assert Tag.objects.count() == TAGS
    assert User.objects.filter(is_imported=True).count() == USERS
    assert (
        f"Imported {QUESTIONS} questions, {ANSWERS} answers, {COMMENTS} comments, "
        f"{USERS} users, {TAGS} new tags, {ACCEPTED} accepted answers from {SOURCE}." in output
    )


def test_counters_match_the_rows():
    _import()

    for post in Post.objects.all():
        assert post.comment_count == post.comments.count(), post.source_id
        if post.is_question:
            assert post.answer_count == post.answers.count(), post.source_id
    assert sum(Post.objects.questions().values_list("answer_count", flat=True)) == ANSWERS


def test_a_question_keeps_its_fields_and_accepted_answer():
    _import()

    question = Post.objects.get(source_id="1")
    assert question.title == "Are questions asked in conlangs accepted on this site?"
    assert question.accepted_answer == Post.objects.get(source_id="2")
    assert (question.source_score, question.score, question.view_count) == (10, 0, 172)
    assert question.created_at.isoformat() == "2018-02-06T20:19:50.957000+00:00"
    assert question.source_url == f"https://{CONLANG_SITE}/q/1"
    assert Post.objects.get(source_id="2").source_url == f"https://{CONLANG_SITE}/a/2"
    assert question.body.startswith("<p>We anticipate conlang specialists")
    assert question.body_html.startswith("<p>We anticipate conlang specialists")
    assert (
        Post.objects.get(source_id="3").title == 'Is the icon for this site supposed to be "art"?'
    )


def test_placeholders_have_no_password_and_no_reputation_from_imported_scores():
    _import()

    author = Post.objects.get(source_id="2").author
    assert author.is_imported
    assert author.imported_from == SOURCE
    assert not author.is_active
    assert not author.has_usable_password()
    # Scores stay in source_score; an accepted answer earns its +15 as on the site.
    assert Post.objects.get(source_id="2").source_score > 0
    assert _accept_points(author) == ACCEPT_REPUTATION
    assert author.reputation == _accept_points(author)
    assert author.username.startswith(f"se~{CONLANG_SITE}~")
    # rows with only a display name (deleted accounts) become one placeholder per name
    named = User.objects.get(username=f"se~{CONLANG_SITE}~name:user4".replace(":", "~"))
    assert named.display_name == "user4"
    assert named.posts.exists()
    # members who wrote nothing in the dump are not kept
    assert not User.objects.filter(display_name="Adam Lear").exists()


def test_importing_twice_creates_nothing_new():
    _import()
    before = row_counts()

    output = _import()

    assert row_counts() == before
    assert f"Imported nothing new from {SOURCE}: all 399 items were imported before." in output


def test_limit_takes_the_first_questions_with_their_answers_and_comments():
    output = _import(CONLANG, "--limit", "3")

    questions = Post.objects.questions()
    assert sorted(questions.values_list("source_id", flat=True)) == ["1", "3", "5"]
    assert Post.objects.answers().count() == sum(q.answer_count for q in questions)
    assert all(c.post.source_id in {"1", "3", "5"} or c.post.parent for c in Comment.objects.all())
    assert "Imported 3 questions" in output


def test_dry_run_changes_nothing():
    before = row_counts()

    output = _import(CONLANG, "--dry-run")

    assert row_counts() == before
    assert output.startswith(f"Would import {QUESTIONS} questions")


def test_both_tag_forms():
    assert parse_tags("<career><job-search>") == ["career", "job-search"]
    assert parse_tags("|career|job-search|") == ["career", "job-search"]
    assert parse_tags("") == []


def test_pipe_tags_and_odd_names_are_normalised(tmp_path):
    folder = copy_dump(tmp_path)
    edit_file(
        folder / "Posts.xml", 'Tags="&lt;discussion&gt;&lt;scope&gt;"', 'Tags="|C_Sharp|Big Tech|"'
    )

    _import(folder)

    assert "big-tech" in Tag.objects.values_list("name", flat=True)
    assert "c-sharp" in Tag.objects.values_list("name", flat=True)


def test_html_bodies_go_through_the_sanitiser(tmp_path):
    folder = copy_dump(tmp_path)
    edit_file(
        folder / "Posts.xml",
        'Body="&lt;p&gt;We anticipate',
        'Body="&lt;script&gt;alert(1)&lt;/script&gt;'
        "&lt;img src=x onerror=alert(2)&gt;&lt;p&gt;We anticipate",
    )

    _import(folder)

    question = Post.objects.get(source_id="1")
    assert "<script" in question.body  # the source is kept as it came
    assert "<script" not in question.body_html
    assert "onerror" not in question.body_html


def test_duplicate_and_related_links_are_kept_and_shown(tmp_path, client):
    folder = copy_dump(tmp_path)
    rows = [(1, 5, 1, 3), (2, 3, 1, 1), (3, 3, 999999, 1)]  # duplicate, related, dangling
    (folder / "PostLinks.xml").write_text(
        '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<postlinks>\n'
        + "".join(
            f'  <row Id="{row_id}" CreationDate="2018-02-07T00:00:00.000" PostId="{post}" '
            f'RelatedPostId="{related}" LinkTypeId="{kind}" />\n'
            for row_id, post, related, kind in rows
        )
        + "</postlinks>\n",
        encoding="utf-8",
    )

    output = _import(folder)

    assert PostLink.objects.count() == 2
    duplicate = PostLink.objects.get(kind="duplicate")
    assert (duplicate.from_post.source_id, duplicate.to_post.source_id) == ("5", "1")
    assert "1 links to posts outside the dump skipped" in output
    original = Post.objects.get(source_id="1")
    html = client.get(Post.objects.get(source_id="5").get_absolute_url()).content.decode()
    assert "Duplicate of" in html
    assert original.title in html
    html = client.get(original.get_absolute_url()).content.decode()
    assert "Duplicated by" in html
    assert "Related" in html
    assert "Imported nothing new" in _import(folder)  # the second run adds no link


# -- broken dumps: one clear line, nothing left behind --------------------------------------


def _fails(folder, *fragments) -> str:
    before = row_counts()
    with pytest.raises(CommandError) as error:
        _import(folder)
    message = str(error.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    assert row_counts() == before
    return message


def test_a_missing_attribute_names_file_line_and_row(tmp_path):
    folder = copy_dump(tmp_path)
    edit_file(folder / "Posts.xml", '<row Id="5" PostTypeId="1" ', '<row Id="5" ')

    _fails(folder, f"{folder / 'Posts.xml'}, line 7 (row Id=5)", "missing attribute PostTypeId")


def test_a_comment_whose_post_is_absent_rolls_back_the_whole_import(tmp_path):
    folder = copy_dump(tmp_path)
    edit_file(
        folder / "Comments.xml",
        "</comments>",
        '  <row Id="9999" PostId="424242" Score="0" Text="orphan" '
        'CreationDate="2020-01-01T00:00:00.000" UserId="31" />\n</comments>',
    )
    line = line_of(folder / "Comments.xml", 'Id="9999"')

    # posts, users and the other comments were written before this row: all undone
    _fails(folder, f"{folder / 'Comments.xml'}, line {line} (row Id=9999)", "post 424242 is absent")


def test_truncated_xml_names_the_line(tmp_path):
    folder = copy_dump(tmp_path)
    path = folder / "Comments.xml"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("\ufeff" + "".join(lines[:50]) + lines[50][:40], encoding="utf-8")

    _fails(folder, str(path), "line 51", "XML ends too early")


def test_malformed_xml_names_the_line(tmp_path):
    folder = copy_dump(tmp_path)
    edit_file(folder / "Users.xml", '<row Id="1" ', '<row Id="1" Id="1" ')

    _fails(folder, str(folder / "Users.xml"), "line 4", "not well-formed XML")


def test_a_bad_date_names_the_row(tmp_path):
    folder = copy_dump(tmp_path)
    edit_file(
        folder / "Posts.xml", 'CreationDate="2018-02-06T20:30:43.967"', 'CreationDate="yesterday"'
    )

    _fails(folder, "line 7 (row Id=5)", "CreationDate is not a date")


def test_a_missing_file_or_folder(tmp_path):
    folder = copy_dump(tmp_path)
    (folder / "Comments.xml").unlink()

    _fails(folder, "Comments.xml: missing from the dump folder")
    _fails(tmp_path / "nowhere", "not a folder")


# -- search and page -----------------------------------------------------------------------


def test_imported_posts_are_found_by_search(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _import()

    question = Post.objects.get(source_id="3")
    page = search.search("icon tabs art")
    assert question.pk in [hit.id for hit in page.hits]


def test_question_page_shows_the_cc_by_sa_attribution(client):
    _import()
    question = Post.objects.get(source_id="1")
    answer = Post.objects.get(source_id="2")

    html = client.get(question.get_absolute_url()).content.decode()

    assert f'href="https://{CONLANG_SITE}/"' in html
    assert f'href="https://{CONLANG_SITE}/q/1"' in html
    assert f'href="https://{CONLANG_SITE}/a/2"' in html
    assert f"by {question.source_author}" in html
    assert f"by {answer.source_author}" in html
    assert 'rel="license nofollow noopener">CC BY-SA</a>' in html
    assert "Accepted answer" in html


def test_question_page_query_count_stays_constant(client, django_assert_max_num_queries):
    _import()
    small = Post.objects.questions().order_by("answer_count", "pk").first()
    large = Post.objects.questions().order_by("-answer_count", "pk").first()
    assert large.answer_count > small.answer_count + 3
    for question in (small, large):
        with django_assert_max_num_queries(12):
            response = client.get(question.get_absolute_url())
        assert response.content.decode().count("original answer") == question.answer_count


def test_the_benchmark_generator_writes_an_importable_dump(tmp_path):
    call_command("make_se_dump", str(tmp_path / "synthetic"), "--posts", "90", stdout=StringIO())

    output = _import(tmp_path / "synthetic")

    assert Post.objects.questions().count() == 30
    assert Post.objects.answers().count() == 60
    assert Comment.objects.count() == 90
    assert Post.objects.filter(accepted_answer__isnull=False).count() == 10
    assert "1 link" in output


def test_imported_accepts_go_through_the_domain_and_can_be_undone_exactly():
    _import()
    staff = User.objects.create_user("moderator", is_staff=True)
    for question in Post.objects.filter(accepted_answer__isnull=False).select_related(
        "accepted_answer__author"
    ):
        answerer = question.accepted_answer.author
        before = User.objects.get(pk=answerer.pk).reputation
        question.unaccept(by=staff)
        after = User.objects.get(pk=answerer.pk).reputation
        points = 0 if answerer.pk == question.author_id else ACCEPT_REPUTATION
        assert before - after == points
    assert not User.objects.filter(reputation__lt=0).exists()
    assert not User.objects.filter(reputation__gt=0, is_imported=True).exists()


def test_imported_html_stays_html_when_the_post_is_edited_later():
    _import()
    answer = Post.objects.get(source_id="2")
    assert answer.body_format == "html"
    html = answer.body_html
    staff = User.objects.create_user("moderator", is_staff=True)
    answer.edit(staff, body=answer.body + "<p>Moderator note.</p>")
    answer.refresh_from_db()
    assert answer.body_html.startswith(html.rstrip()[:40])
    assert "<p>Moderator note.</p>" in answer.body_html
    assert "&lt;p&gt;" not in answer.body_html


def test_imported_slugs_follow_the_model_rule():
    from kb.models import slug_for

    _import()
    for post in Post.objects.exclude(title=""):
        assert post.slug == slug_for(post.title)
