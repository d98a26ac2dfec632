"""Structured experience posts (CareerMove), role names and synonyms, and the /paths/ page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kb.models import CareerMove, HoldReason, Post, RoleSynonym
from kb.paths import background_summary, clean_steps, format_years, normalise_role
from kb.views import paths as path_views
from tests.factories import make_experience, make_user

pytestmark = pytest.mark.django_db

STORY = "I spent eighteen months moving from mechanical design into perception work. " * 2
PATHS_URL = reverse("kb:paths")


def _create(client, **data):
    fields = {"title": "From mechanical engineering to perception", "body": STORY, "tags": "cv"}
    fields.update(data)
    return client.post(reverse("kb:post-create"), fields)


def _steps(*rows):
    data = {"step-TOTAL_FORMS": str(len(rows)), "step-INITIAL_FORMS": "0"}
    for index, (role, place, years) in enumerate(rows):
        data.update(
            {f"step-{index}-role": role, f"step-{index}-place": place, f"step-{index}-years": years}
        )
    return data


def _story(from_role="", to_role="", author=None, **fields) -> Post:
    post = make_experience(author=author, tags=["career-switch"])
    CareerMove.record(post, from_role=from_role, to_role=to_role, **fields)
    return post


# -- role names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("  Perception   Engineer ", "perception engineer"),
        ("Perception-Engineer.", "perception engineer"),
        ("SWE", "software engineer"),
        ("Software Developer", "software engineer"),
        ("ML engineer", "machine learning engineer"),
        ("ML-Engineer", "machine learning engineer"),
        ("\uff33\uff37\uff25", "software engineer"),  # fullwidth letters
        ("", ""),
    ],
)
def test_roles_are_normalised_like_tags_with_synonyms(typed, role):
    assert normalise_role(typed) == role


def test_an_admin_synonym_is_added_to_the_defaults():
    RoleSynonym.objects.create(source="CV Person", target="Computer Vision Engineer")
    assert normalise_role("cv person") == "computer vision engineer"
    assert normalise_role("swe") == "software engineer"


def test_a_synonym_renames_roles_already_saved(alice):
    story = _story("mech eng", "perception engineer")
    alice.current_role = "mech eng"
    alice.save()
    synonym = RoleSynonym.objects.create(source="mech eng", target="mechanical engineer")
    assert synonym.rename_existing() == 2
    assert CareerMove.objects.get(post=story).from_role == "mechanical engineer"
    alice.refresh_from_db()
    assert alice.current_role == "mechanical engineer"
    assert alice.background_summary == "Mechanical engineer"


def test_summary_and_years_formatting():
    assert format_years(1) == "1 yr"
    assert format_years(Decimal("1.5")) == "1.5 yrs"
    assert format_years(None) == ""
    summary = background_summary(
        role="perception engineer", field="", years=6, degree="master", company_size="large"
    )
    assert summary == "Perception engineer · 6 yrs · large company · MSc"
    assert background_summary(
        role="", field="Robotics", years=None, degree="phd", company_size=""
    ) == ("Robotics · PhD")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("not a list", "A path is a list of steps."),
        ([{"role": "x"}] * 11, "at most 10 steps"),
        ([{"role": ""}], "needs a role or study"),
        ([{"role": "x", "place": "mars"}], "not a kind of place"),
        ([{"role": "x", "years": "-1"}], "between 0 and 60"),
        ([{"role": "x", "years": "abc"}], "must be a number"),
        ([{"role": "x", "salary": 1}], "a role, a place and years only"),
    ],
)
def test_steps_are_checked_in_the_domain_too(steps, message):
    with pytest.raises(ValidationError, match=message):
        clean_steps(steps)


# -- writing a structured experience post -------------------------------------------------


def test_form_shows_the_structured_fields_and_steps(alice_client):
    html = alice_client.get(reverse("kb:post-create")).content.decode()
    for name in ("from_role", "to_role", "years_taken", "size_before", "size_after", "decision"):
        assert f'name="{name}"' in html
    assert 'name="step-TOTAL_FORMS"' in html
    assert "The move, in fields" in html


def test_creating_a_structured_post_saves_the_move(alice_client):
    response = _create(
        alice_client,
        from_role="Mechanical Engineer",
        to_role="perception-engineer",
        years_taken="1.5",
        size_before="large",
        size_after="startup",
        decision="Did OMSCS at night instead of quitting",
        **_steps(("OMSCS", "self-study", "2"), ("Perception intern", "startup", "0.5")),
    )
    assert response.status_code == 302
    move = CareerMove.objects.get()
    assert (move.from_role, move.to_role) == ("mechanical engineer", "perception engineer")
    assert move.years_taken == Decimal("1.5")
    assert (move.size_before, move.size_after) == ("large", "startup")
    assert move.steps == [
        {"role": "OMSCS", "place": "self-study", "years": "2"},
        {"role": "Perception intern", "place": "startup", "years": "0.5"},
    ]


def test_a_post_without_structured_fields_has_no_move(alice_client):
    assert _create(alice_client, **_steps(("", "", ""))).status_code == 302
    assert Post.objects.count() == 1
    assert not CareerMove.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"from_role": "SWE", "to_role": "software engineer"}, "From and to are the same role"),
        ({"years_taken": "-2"}, "Years cannot be negative."),
        ({"years_taken": "75"}, "Years must be at most 60."),
        ({"years_taken": "soon"}, "Years must be a number"),
        ({"size_before": "galactic"}, "Pick a company size from the list."),
        ({"to_role": "r" * 61}, "Keep it to 60 characters"),
        ({"from_role": "???"}, "Write the role in words"),
        ({"decision": "d" * 201}, "Keep it to 200 characters"),
        (_steps(("", "university", "3")), "Name the role or study of this step"),
        (_steps(*[("Intern", "", "1")] * 11), "A path has at most 10 steps."),
    ],
)
def test_bad_structured_fields_are_400_with_a_message_and_nothing_saved(
    alice_client, data, message
):
    response = _create(alice_client, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert STORY.strip()[:40] in html  # the story is kept
    assert not Post.objects.exists()
    assert not CareerMove.objects.exists()


def test_preview_keeps_the_typed_steps(alice_client):
    response = _create(alice_client, preview="1", **_steps(("OMSCS", "self-study", "2")))
    assert response.status_code == 200
    assert 'value="OMSCS"' in response.content.decode()
    assert not Post.objects.exists()


def test_post_page_shows_a_compact_summary_linking_to_paths(client):
    post = _story(
        "mechanical engineer",
        "perception engineer",
        years_taken=Decimal("1.5"),
        size_before="large",
        size_after="startup",
        decision="Left the gearbox team",
        steps=[{"role": "OMSCS", "place": "self-study", "years": "2"}],
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Mechanical engineer" in html
    assert "perception engineer" in html
    assert "1.5 yrs" in html
    assert "Large company (over 1,000)" in html
    assert "Startup (under 100 people)" in html
    assert "Left the gearbox team" in html
    assert "OMSCS" in html
    assert "Self-study or bootcamp · 2 yrs" in html
    assert f"{PATHS_URL}?from=mechanical%20engineer&amp;to=perception%20engineer" in html


def test_post_page_query_budget_holds(client, django_assert_max_num_queries):
    post = _story("a", "b", steps=[{"role": "x"}] * 10)
    with django_assert_max_num_queries(10):
        assert client.get(post.get_absolute_url()).status_code == 200


# -- editing the move ------------------------------------------------------------------


def _edit(client, post, **data):
    fields = {"title": post.title, "body": post.body, "tags": ", ".join(post.tag_names())}
    fields.update(data)
    return client.post(reverse("kb:post-edit", args=[post.pk]), fields)


def test_edit_form_is_filled_with_the_move(alice, alice_client):
    post = _story("data analyst", "data scientist", author=alice, steps=[{"role": "Bootcamp"}])
    html = alice_client.get(reverse("kb:post-edit", args=[post.pk])).content.decode()
    assert 'value="data analyst"' in html
    assert 'value="Bootcamp"' in html


def test_author_edits_the_move(alice, alice_client):
    post = _story("data analyst", "data scientist", author=alice)
    response = _edit(alice_client, post, from_role="Analyst", to_role="ML engineer")
    assert response.status_code == 302
    move = CareerMove.objects.get(post=post)
    assert (move.from_role, move.to_role) == ("analyst", "machine learning engineer")


def test_clearing_every_field_removes_the_move(alice, alice_client):
    post = _story("data analyst", "data scientist", author=alice)
    assert _edit(alice_client, post).status_code == 302
    assert not CareerMove.objects.filter(post=post).exists()


def test_an_unchanged_edit_says_nothing_changed(alice, alice_client):
    post = _story("data analyst", "data scientist", author=alice)
    response = _edit(alice_client, post, from_role="Data Analyst", to_role="data scientist")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Nothing changed, so no new revision was saved."]


def test_a_bad_edit_is_400_and_keeps_the_move(alice, alice_client):
    post = _story("data analyst", "data scientist", author=alice)
    response = _edit(alice_client, post, from_role="x", to_role="x")
    assert response.status_code == 400
    assert "From and to are the same role" in response.content.decode()
    assert CareerMove.objects.get(post=post).to_role == "data scientist"


def test_another_member_cannot_edit_the_move(alice, bob_client):
    post = _story("data analyst", "data scientist", author=alice)
    assert _edit(bob_client, post, to_role="spy").status_code == 403
    assert CareerMove.objects.get(post=post).to_role == "data scientist"


def test_staff_can_edit_the_move(alice, staff_client):
    post = _story("data analyst", "data scientist", author=alice)
    assert (
        _edit(staff_client, post, from_role="data analyst", to_role="statistician").status_code
        == 302
    )
    assert CareerMove.objects.get(post=post).to_role == "statistician"


def test_anonymous_edit_goes_to_log_in(client, alice):
    post = _story("data analyst", "data scientist", author=alice)
    response = _edit(client, post, to_role="spy")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_domain_refuses_a_move_to_the_same_role(alice):
    post = make_experience(author=alice)
    with pytest.raises(ValidationError, match="same role"):
        CareerMove.record(post, from_role="SWE", to_role="Software engineer")
    assert not CareerMove.objects.exists()


def test_only_experience_posts_record_a_move(alice):
    from tests.factories import make_question

    with pytest.raises(ValueError):
        CareerMove.record(make_question(author=alice), from_role="a")


# -- /paths/ -----------------------------------------------------------------------------


@pytest.fixture
def told(db):
    """Three stories of one move (typed three ways), one of another, one deleted."""
    _story("Mechanical engineer", "perception engineer")
    _story("mechanical-engineer", "Perception Engineer")
    _story("MECHANICAL ENGINEER", "perception engineer")
    _story("SWE", "ML engineer")
    deleted = _story("teacher", "data scientist")
    deleted.soft_delete(by=deleted.author)
    _story("", "product manager")  # no "from": not a transition


def test_paths_lists_transitions_with_counts(told, client):
    response = client.get(PATHS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'Mechanical engineer <span aria-hidden="true">→</span>' in html
    assert "3 stories" in html
    assert "Software engineer" in html
    assert "machine learning engineer" in html
    assert "1 story" in html
    assert "teacher" not in html.lower().split("<main")[1]  # deleted stories are not counted
    assert "product manager" not in html


def test_transitions_are_ordered_most_told_first(told, client):
    html = client.get(PATHS_URL).content.decode()
    assert html.index("3 stories") < html.index("1 story")


def _transition_list(html: str) -> str:
    start = html.index('id="transitions-heading"')
    return html[start : html.index("</ul>", start)]


def test_filtering_by_from_role_uses_synonyms(told, client):
    html = client.get(PATHS_URL, {"from": "swe"}).content.decode()
    assert 'value="software engineer"' in html
    assert "machine learning engineer" in _transition_list(html)
    assert "3 stories" not in _transition_list(html)


def test_filtering_by_to_role(told, client):
    html = client.get(PATHS_URL, {"to": "Perception Engineer"}).content.decode()
    assert "3 stories" in _transition_list(html)
    assert "machine learning engineer" not in _transition_list(html)


def test_a_transition_opens_its_stories(told, client):
    response = client.get(PATHS_URL, {"from": "mechanical engineer", "to": "perception engineer"})
    html = response.content.decode()
    stories = Post.objects.filter(career_move__to_role="perception engineer")
    assert stories.count() == 3
    for story in stories:
        assert story.get_absolute_url() in html
    assert 'aria-current="true"' in html


def test_an_unknown_move_says_so(told, client):
    response = client.get(PATHS_URL, {"from": "astronaut", "to": "<b>poet</b>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No story tells this move yet." in html
    assert "<b>poet</b>" not in html


def test_a_very_long_filter_is_cut_not_an_error(client):
    assert client.get(PATHS_URL, {"from": "x" * 5000}).status_code == 200


def test_control_characters_in_a_filter_are_separators_not_an_error(told, client):
    """PostgreSQL refuses a NUL in a query parameter: it never reaches the database."""
    response = client.get(PATHS_URL, {"from": "mechanical\x00engineer", "to": "\x00"})
    assert response.status_code == 200
    assert "3 stories" in response.content.decode()


def test_chart_is_an_accessible_server_rendered_svg(told, client):
    html = client.get(PATHS_URL).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">The 2 most told career moves</title>' in svg
    assert "Mechanical engineer to perception engineer: 3 stories" in svg
    assert svg.count("<rect") == 2
    assert "<script" not in svg


def test_no_chart_without_moves(client):
    html = client.get(PATHS_URL).content.decode()
    assert "<svg" not in html
    assert "No moves told yet." in html


def test_paths_query_budget_is_constant(told, client, django_assert_max_num_queries):
    for n in range(10):
        _story(f"role {n}", "perception engineer")
    with django_assert_max_num_queries(6):
        response = client.get(
            PATHS_URL, {"from": "mechanical engineer", "to": "perception engineer"}
        )
    assert response.status_code == 200


def test_paths_page_follows_new_stories(told, client):
    assert "4 stories" not in _transition_list(client.get(PATHS_URL).content.decode())
    _story("mechanical engineer", "perception engineer")
    assert "4 stories" in _transition_list(client.get(PATHS_URL).content.decode())


def test_paths_is_in_the_main_navigation(client):
    html = client.get(reverse("kb:home")).content.decode()
    assert f'<a href="{PATHS_URL}"' in html


def test_paths_answers_only_get(client):
    assert client.post(PATHS_URL).status_code == 405


# -- the demo community ------------------------------------------------------------------


def test_demo_has_backgrounds_and_a_transition_told_twice(
    client, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import User

    call_command("load_demo", stdout=StringIO())
    assert User.objects.exclude(background_summary="").count() >= 10
    assert CareerMove.objects.count() >= 3
    top = CareerMove.objects.transitions()[0]
    assert (top["from_role"], top["to_role"], top["stories"]) == (
        "mechanical engineer",
        "computer vision engineer",
        2,
    )
    html = client.get(PATHS_URL).content.decode()
    assert "2 stories" in html
    assert "Software engineer" in html  # typed "SWE" in the demo file
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "nothing new created" in again.getvalue()


def test_edit_preview_keeps_the_typed_steps(alice, alice_client):
    post = _story("data analyst", "data scientist", author=alice, steps=[{"role": "Bootcamp"}])
    response = _edit(alice_client, post, preview="1", **_steps(("Evening course", "", "1")))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Evening course"' in html
    assert CareerMove.objects.get(post=post).steps == [
        {"role": "Bootcamp", "place": "", "years": ""}
    ]


# -- the admin ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_staff_add_a_role_synonym_in_the_admin_and_saved_roles_follow(admin_client):
    story = _story("mech eng", "perception engineer")
    response = admin_client.post(
        reverse("admin:kb_rolesynonym_add"),
        {"source": " Mech  Eng ", "target": "Mechanical Engineer"},
    )
    assert response.status_code == 302
    synonym = RoleSynonym.objects.get()
    assert (synonym.source, synonym.target) == ("mech eng", "mechanical engineer")
    assert CareerMove.objects.get(post=story).from_role == "mechanical engineer"
    assert normalise_role("Mech Eng") == "mechanical engineer"


def test_career_moves_are_read_only_in_the_admin(admin_client):
    story = _story("teacher", "data scientist")
    assert admin_client.get(reverse("admin:kb_careermove_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:kb_careermove_add")).status_code == 403
    change = reverse("admin:kb_careermove_change", args=[story.pk])
    assert admin_client.post(change, {"to_role": "spy"}).status_code == 403
    assert CareerMove.objects.get(post=story).to_role == "data scientist"


def test_the_admin_edits_a_members_background(admin_client, alice):
    page = admin_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert page.status_code == 200
    assert "current_role" in page.content.decode()


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [("SWE", " swe ", "A role cannot be a synonym of itself."), ("!!", "x", "in words")],
)
def test_a_bad_role_synonym_is_refused_with_a_message(admin_client, source, target, message):
    response = admin_client.post(
        reverse("admin:kb_rolesynonym_add"), {"source": source, "target": target}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoleSynonym.objects.exists()


def test_a_bad_path_in_the_admin_is_a_form_error(admin_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "username": "alice",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "path_steps": '[{"role": ""}]',
            "reputation": "0",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "needs a role or study" in response.content.decode()
    alice.refresh_from_db()
    assert alice.path_steps == []


def test_a_story_held_for_review_is_not_counted_until_released(told, client):
    held = _story("mechanical engineer", "perception engineer")
    held.hold(HoldReason.FLAGGED)
    assert "4 stories" not in _transition_list(client.get(PATHS_URL).content.decode())
    held.release()
    assert "4 stories" in _transition_list(client.get(PATHS_URL).content.decode())


def test_a_long_list_of_moves_shows_the_most_told_and_says_how_many_more(client, monkeypatch):
    monkeypatch.setattr(path_views, "TRANSITIONS_SHOWN", 2)
    monkeypatch.setattr(path_views, "ROLE_SUGGESTIONS", 3)
    for number, times in ((1, 3), (2, 2), (3, 1), (4, 1)):
        for _ in range(times):
            _story(f"role {number}a", f"role {number}b")
    html = client.get(PATHS_URL).content.decode()
    listed = _transition_list(html)
    assert [role in listed for role in ("Role 1a", "Role 2a", "Role 3a", "Role 4a")] == [
        True,
        True,
        False,
        False,
    ]
    assert "… and 2 more moves, each told less often: filter by a role to find them." in html
    datalist = html.split('<datalist id="path-roles">')[1].split("</datalist>")[0]
    assert datalist.count("<option") == 3
    assert 'value="role 1a"' in datalist
    filtered = client.get(PATHS_URL, {"from": "role 4a"}).content.decode()
    assert "Role 4a" in _transition_list(filtered)
