"""Forms as people type them (issue 11): tags with spaces, lengths counted like the browser,
double submits."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from kb.form_fields import browser_length, normalize_newlines
from kb.forms import BODY_MAX
from kb.models import Post, TagSynonym
from kb.tags import TAG_SPACE_CLASS, get_or_create_tags, parse_tag_input
from tests.factories import make_question, make_user

pytestmark = pytest.mark.django_db

ASK = "/questions/ask/"
TITLE = "Which skills matter for a move into machine learning?"
BODY = "I am a backend developer with five years of Go and some statistics from university."


def _ask(client, **changes):
    return client.post(ASK, {"title": TITLE, "body": BODY, "tags": "career-switch", **changes})


# ---- tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "tags"),
    [
        ("machine learning, Career Switch", ["machine-learning", "career-switch"]),
        ("python big-tech", ["python", "big-tech"]),
        ("python,big-tech", ["python", "big-tech"]),
        ("  Machine   Learning  ,, , ", ["machine-learning"]),
        ("machine - learning, -career--switch-", ["machine-learning", "career-switch"]),
        ("phd, PhD, phd", ["phd"]),
        ("python  Python\tc++\nC#", ["python", "c++", "c#"]),
        ("data\u00a0science, deep\u3000learning", ["data-science", "deep-learning"]),
        ("data\u00a0science deep\u2003learning", ["data", "science", "deep", "learning"]),
        ("", []),
        (" , - ,", []),
    ],
)
def test_commas_separate_tags_and_keep_inner_spaces_as_hyphens(typed, tags):
    assert parse_tag_input(typed) == tags


def test_the_ask_form_files_comma_separated_tags_as_typed(alice_client):
    response = _ask(alice_client, tags="machine learning, Career Switch")
    assert response.status_code == 302
    assert Post.objects.get().tag_names() == ["career-switch", "machine-learning"]


def test_the_edit_form_lists_tags_with_commas_so_a_new_tag_with_a_space_stays_one(
    alice_client, alice
):
    question = make_question(author=alice, tags=["phd", "big-tech"])
    form = alice_client.get(f"/posts/{question.pk}/edit/").context["form"]
    assert form.initial["tags"] == "big-tech, phd"
    response = alice_client.post(
        f"/posts/{question.pk}/edit/",
        {"title": question.title, "body": question.body, "tags": "big-tech, phd, deep learning"},
    )
    assert response.status_code == 302
    assert question.tag_names() == ["big-tech", "deep-learning", "phd"]


def test_the_tags_field_carries_the_rules_the_live_preview_follows(alice_client):
    html = alice_client.get(ASK).content.decode()
    assert 'data-tag-status-url="/tags/status/"' in html
    assert 'data-max-tags="5"' in html
    assert 'data-max-tag-length="35"' in html
    assert 'data-tag-pattern="^(?:[a-z0-9+#.-]+)$"' in html
    assert f'data-tag-space="{TAG_SPACE_CLASS}"' in html


def test_tag_status_says_which_tags_are_new_used_or_synonyms(client):
    make_question(tags=["python"])
    make_question(tags=["python"])
    make_question(tags=["abandoned"], is_deleted=True)
    TagSynonym.objects.create(source="faang", target=get_or_create_tags(["big-tech"])[0])
    make_question(tags=["big-tech"])
    response = client.get("/tags/status/", {"q": "Python, FAANG, abandoned, deep learning"})
    assert response.status_code == 200
    assert response.json() == {
        "tags": [
            {"name": "python", "tag": "python", "count": 2},
            {"name": "faang", "tag": "big-tech", "count": 1},
            {"name": "abandoned", "tag": "abandoned", "count": 0},  # only deleted posts
            {"name": "deep-learning", "tag": "deep-learning", "count": 0},
        ]
    }


def test_tag_status_is_bounded_and_read_only(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/tags/status/", {"q": ", ".join(f"t{i}" for i in range(200))})
    assert len(response.json()["tags"]) == 10
    assert client.post("/tags/status/", {"q": "python"}).status_code == 405
    assert client.get("/tags/status/").json() == {"tags": []}


# ---- lengths ---------------------------------------------------------------------------


def test_line_breaks_count_once_and_utf16_units_as_the_browser_counts():
    assert normalize_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert browser_length("a\nb") == 3
    assert browser_length("😀") == 2  # outside the BMP: two UTF-16 units, as maxlength counts
    assert browser_length("é") == 1


def test_a_body_the_browser_cut_to_the_limit_is_accepted_and_stored_with_plain_line_breaks(
    alice_client,
):
    # What a browser sends for a pasted text that maxlength cut to the limit (30,000 in the
    # issue): every line break goes out as \r\n, so 30,566 characters arrive.
    text = (("x" * 52 + "\n") * (BODY_MAX // 50))[:BODY_MAX]
    on_the_wire = text.replace("\n", "\r\n")
    assert len(on_the_wire) > BODY_MAX
    response = _ask(alice_client, body=on_the_wire)
    assert response.status_code == 302
    stored = Post.objects.get().body
    assert "\r" not in stored
    assert stored == text.strip()


def test_one_character_over_is_refused_with_the_count_the_browser_shows(alice_client):
    text = "x\n" * (BODY_MAX // 2) + "y" * (BODY_MAX % 2 + 1)
    response = _ask(alice_client, body=text.replace("\n", "\r\n"))
    assert response.status_code == 400
    message = f"Keep it to {BODY_MAX:,} characters (you wrote {BODY_MAX + 1:,})."
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_a_lone_carriage_return_is_a_line_break_too(alice_client):
    response = _ask(alice_client, body="First line of my question here.\rSecond line of it.")
    assert response.status_code == 302
    assert Post.objects.get().body == "First line of my question here.\nSecond line of it."


def test_emoji_count_as_two_like_the_browser_maxlength(alice_client):
    response = _ask(alice_client, title="😀" * 76)
    assert response.status_code == 400
    assert "Keep it to 150 characters (you wrote 152)." in response.content.decode()
    assert _ask(alice_client, title="😀" * 75).status_code == 302


def test_answers_and_comments_count_line_breaks_once(bob_client):
    question = make_question()
    # The limit as the browser counts, more on the wire.
    body = ("y" * 299 + "\r\n") * (BODY_MAX // 300) + "y" * (BODY_MAX % 300)
    response = bob_client.post(f"/questions/{question.pk}/answer/", {"body": body})
    assert response.status_code == 302
    assert Post.objects.answers().get().body == body.replace("\r\n", "\n").strip()
    comment = ("z" * 59 + "\r\n") * 10  # 600 in the browser, 610 on the wire
    response = bob_client.post(f"/posts/{question.pk}/comments/", {"body": comment})
    assert response.status_code == 302
    assert question.comments.get().body == comment.replace("\r\n", "\n").strip()


def test_the_short_minimum_message_counts_the_same_way(alice_client):
    response = _ask(alice_client, body="Too\r\nshort\r\nby\r\nfar.")
    assert response.status_code == 400
    assert "Write at least 30 characters (you wrote 17)." in response.content.decode()


def test_limited_fields_carry_their_limits_for_the_characters_left_counter(alice_client):
    html = alice_client.get(ASK).content.decode()
    assert 'maxlength="150" minlength="15" data-counter' in html  # title
    assert f'maxlength="{BODY_MAX}" minlength="30" data-counter' in html  # body
    profile = alice_client.get("/accounts/profile/edit/").content.decode()
    assert 'maxlength="3000" data-counter' in profile  # bio
    assert 'maxlength="60" data-counter' in profile  # display name


def test_a_profile_bio_counts_line_breaks_once(alice_client, alice):
    bio = ("b" * 29 + "\r\n") * 100  # 3,000 in the browser
    data = {"display_name": "Alice A.", "headline": "", "bio": bio, "email": alice.email}
    response = alice_client.post("/accounts/profile/edit/", data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.bio == bio.replace("\r\n", "\n").strip()


# ---- double submits --------------------------------------------------------------------


def test_sending_the_ask_form_twice_makes_one_question(alice_client):
    first = _ask(alice_client)
    second = _ask(alice_client)
    question = Post.objects.get()
    assert first["Location"] == second["Location"] == question.get_absolute_url()
    page = alice_client.get(second["Location"]).content.decode()
    assert "You had just posted this; here it is" in page


def test_a_different_question_or_another_author_is_not_a_repeat(alice_client, alice, bob):
    _ask(alice_client)
    _ask(alice_client, body=BODY + " Also: does a master's degree help?")
    alice_client.force_login(bob)
    _ask(alice_client)
    assert sorted(Post.objects.values_list("author__username", flat=True)) == [
        "alice",
        "alice",
        "bob",
    ]


def test_the_same_question_again_later_or_after_deleting_it_is_new(alice_client):
    _ask(alice_client)
    Post.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    _ask(alice_client)
    assert Post.objects.count() == 2
    Post.objects.update(is_deleted=True)
    _ask(alice_client)
    assert Post.objects.filter(is_deleted=False).count() == 1


def test_sending_an_answer_twice_makes_one_answer(bob_client):
    question = make_question()
    url = f"/questions/{question.pk}/answer/"
    body = "Start with an evaluation tool for the perception team; it got me in."
    first = bob_client.post(url, {"body": body})
    second = bob_client.post(url, {"body": body})
    answer = Post.objects.answers().get()
    assert first["Location"] == second["Location"] == answer.get_absolute_url()
    question.refresh_from_db()
    assert question.answer_count == 1


def test_sending_an_experience_post_twice_makes_one_post(alice_client):
    data = {"title": "From backend to perception in 18 months", "body": BODY, "tags": "phd"}
    alice_client.post("/posts/new/", data)
    alice_client.post("/posts/new/", data)
    assert Post.objects.experiences().count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_asks_at_the_same_moment_make_one_question():
    author = make_user("racer")
    barrier = threading.Barrier(4)
    statuses = []

    def ask():
        client = Client()
        client.force_login(author)
        barrier.wait()
        statuses.append(_ask(client).status_code)
        connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 4
    assert Post.objects.count() == 1
