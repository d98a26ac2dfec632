"""Member backgrounds: editing them on the profile, the one-line summary beside answers and
experience posts, the full background on the profile, and filtering answers by it."""

import pytest
from django.urls import reverse

from accounts.models import User
from kb.models import RoleSynonym
from tests.factories import make_answer, make_experience, make_question, make_user

pytestmark = pytest.mark.django_db

EDIT_URL = reverse("accounts:edit-profile")


def _profile_data(user, **changes):
    data = {
        "display_name": user.display_name,
        "headline": "",
        "bio": "",
        "email": user.email,
        "current_role": "",
        "career_field": "",
        "years_experience": "",
        "highest_degree": "",
        "company_size": "",
    }
    data.update(changes)
    return data


def _steps(*rows, total=None):
    """A steps formset's POST data: rows of (role, place, years)."""
    data = {
        "step-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "step-INITIAL_FORMS": "0",
        "step-MIN_NUM_FORMS": "0",
        "step-MAX_NUM_FORMS": "10",
    }
    for index, (role, place, years) in enumerate(rows):
        data.update(
            {f"step-{index}-role": role, f"step-{index}-place": place, f"step-{index}-years": years}
        )
    return data


def _with_background(user, **fields) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


# -- editing -----------------------------------------------------------------------


def test_edit_page_shows_the_background_fields_and_steps(alice_client):
    html = alice_client.get(EDIT_URL).content.decode()
    for name in ("current_role", "career_field", "years_experience", "highest_degree"):
        assert f'name="{name}"' in html
    assert 'name="company_size"' in html
    assert 'name="step-TOTAL_FORMS"' in html
    assert 'name="step-0-role"' in html
    assert "Your background" in html


def test_saving_a_background_normalises_the_role_and_writes_the_summary(alice, alice_client):
    data = _profile_data(
        alice,
        current_role="  Perception-Engineer ",
        career_field="Computer   vision",
        years_experience="6",
        highest_degree="master",
        company_size="large",
        **_steps(
            ("BSc mechanical engineering", "university", "4"), ("Perception engineer", "large", "6")
        ),
    )
    response = alice_client.post(EDIT_URL, data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.current_role == "perception engineer"
    assert alice.career_field == "Computer vision"
    assert alice.background_summary == "Perception engineer · 6 yrs · large company · MSc"
    assert alice.path_steps == [
        {"role": "BSc mechanical engineering", "place": "university", "years": "4"},
        {"role": "Perception engineer", "place": "large", "years": "6"},
    ]


def test_shipped_synonyms_file_swe_as_software_engineer(alice, alice_client):
    alice_client.post(EDIT_URL, _profile_data(alice, current_role="SWE", years_experience="3"))
    alice.refresh_from_db()
    assert alice.current_role == "software engineer"
    assert alice.background_summary == "Software engineer · 3 yrs"


def test_an_admin_synonym_wins_over_the_defaults(alice, alice_client):
    RoleSynonym.objects.create(source="swe", target="software developer")
    alice_client.post(EDIT_URL, _profile_data(alice, current_role="swe"))
    alice.refresh_from_db()
    assert alice.current_role == "software developer"


def test_empty_step_rows_are_skipped_and_removed_steps_dropped(alice, alice_client):
    data = _profile_data(
        alice,
        **_steps(("PhD student", "university", "4"), ("", "", ""), ("Lecturer", "university", "2")),
    )
    data["step-2-DELETE"] = "on"
    assert alice_client.post(EDIT_URL, data).status_code == 302
    alice.refresh_from_db()
    assert alice.path_steps == [{"role": "PhD student", "place": "university", "years": "4"}]


def test_posting_without_the_steps_keeps_the_saved_path(alice, alice_client):
    _with_background(alice, path_steps=[{"role": "Intern", "place": "startup", "years": "1"}])
    assert (
        alice_client.post(EDIT_URL, _profile_data(alice, current_role="data scientist")).status_code
        == 302
    )
    alice.refresh_from_db()
    assert alice.path_steps == [{"role": "Intern", "place": "startup", "years": "1"}]
    assert alice.current_role == "data scientist"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"years_experience": "-1"}, "Years cannot be negative."),
        ({"years_experience": "61"}, "Years must be at most 60."),
        ({"years_experience": "lots"}, "Years must be a number"),
        ({"highest_degree": "wizard"}, "Pick one from the list."),
        ({"company_size": "huge"}, "Pick one from the list."),
        ({"current_role": "x" * 61}, "Keep it to 60 characters"),
        ({"current_role": "!!!"}, "Write the role in words"),
        (_steps(("", "startup", "2")), "Name the role or study of this step"),
        (_steps(("Intern", "moon", "2")), "Pick a kind of place from the list."),
        (_steps(("Intern", "startup", "2.25")), "Use at most one decimal place"),
        (_steps(*[("Intern", "", "1")] * 11), "A path has at most 10 steps."),
        ({"step-TOTAL_FORMS": "2"}, "sent incompletely"),
    ],
)
def test_bad_background_is_400_with_a_message_and_nothing_saved(
    alice, alice_client, changes, message
):
    response = alice_client.post(
        EDIT_URL, _profile_data(alice, **{"current_role": "keep me", **changes})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.current_role == ""
    assert alice.path_steps == []


def test_edit_profile_needs_log_in(client):
    response = client.post(EDIT_URL, {"current_role": "spy"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# -- display -----------------------------------------------------------------------


def test_summary_shows_beside_answers_and_experience_posts_not_questions(alice, bob, client):
    _with_background(
        alice,
        current_role="perception engineer",
        years_experience=6,
        company_size="large",
        highest_degree="master",
    )
    question = make_question(author=alice)
    make_answer(question, author=alice)
    html = client.get(question.get_absolute_url()).content.decode()
    assert html.count("Perception engineer · 6 yrs · large company · MSc") == 1
    story = make_experience(author=alice)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Perception engineer · 6 yrs · large company · MSc" in html


def test_changing_a_background_shows_on_a_cached_question_page(alice, bob, client):
    question = make_question(author=bob)
    make_answer(question, author=alice)
    assert "Data scientist" not in client.get(question.get_absolute_url()).content.decode()
    _with_background(alice, current_role="data scientist")
    assert "Data scientist" in client.get(question.get_absolute_url()).content.decode()


def test_profile_shows_the_full_background_and_path(alice, client):
    _with_background(
        alice,
        current_role="perception engineer",
        career_field="Computer vision",
        years_experience=6,
        highest_degree="master",
        company_size="large",
        path_steps=[
            {"role": "BSc mechanical engineering", "place": "university", "years": "4"},
            {"role": "OMSCS", "place": "self-study", "years": "2.5"},
        ],
    )
    html = client.get(alice.get_absolute_url()).content.decode()
    assert "Perception engineer" in html
    assert "Computer vision" in html
    assert "6 years" in html
    assert "Master&#x27;s (MSc, MA, MEng)" in html
    assert "Large company (over 1,000)" in html
    assert "BSc mechanical engineering" in html
    assert "Self-study or bootcamp · 2.5 yrs" in html


def test_profile_invites_the_owner_to_add_a_background(alice, alice_client, client, bob):
    assert "your background" in alice_client.get(alice.get_absolute_url()).content.decode()
    bob_page = client.get(bob.get_absolute_url()).content.decode()
    assert "Background" not in bob_page


def test_question_page_query_budget_holds_with_backgrounds(client, django_assert_max_num_queries):
    question = make_question()
    for n in range(6):
        author = _with_background(make_user(), current_role=f"engineer {n}", years_experience=n)
        make_answer(question, author=author)
    url = question.get_absolute_url()
    client.get(url)  # warm the session-independent caches
    with django_assert_max_num_queries(12):
        response = client.get(url + "?background=5-years", HTTP_X_NO_CACHE="1")
    assert response.status_code == 200


# -- filtering answers by background -----------------------------------------------


@pytest.fixture
def answered(db, settings):
    """A question with five answers from people with backgrounds, one without."""
    settings.BACKGROUND_FILTER_MIN_ANSWERS = 4
    question = make_question()
    people = [
        ("startup founder", "startup", "phd", 8),
        ("ml engineer", "startup", "master", 3),
        ("staff engineer", "large", "bachelor", 12),
        ("researcher", "large", "phd", 2),
        ("analyst", "mid-size", "bachelor", 1),
    ]
    for role, size, degree, years in people:
        author = _with_background(
            make_user(),
            current_role=role,
            company_size=size,
            highest_degree=degree,
            years_experience=years,
        )
        make_answer(
            question, author=author, body=f"My advice as a {role}: build things and ship them."
        )
    make_answer(
        question, author=make_user(), body="No background given, but this is my advice anyway."
    )
    return question


def _answer_bodies(html: str) -> list[str]:
    return [
        role
        for role in ("startup founder", "ml engineer", "staff engineer", "researcher", "analyst")
        if f"advice as a {role}" in html
    ]


def test_filters_show_with_enough_answers_with_backgrounds(answered, client):
    html = client.get(answered.get_absolute_url()).content.decode()
    assert "Filter answers by the answerer" in html
    assert "?background=startup" in html
    assert "from people with a PhD" in html


def test_filters_hide_below_the_threshold(answered, client, settings):
    settings.BACKGROUND_FILTER_MIN_ANSWERS = 6
    html = client.get(answered.get_absolute_url()).content.decode()
    assert "Filter answers by the answerer" not in html


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("startup", ["startup founder", "machine learning engineer"]),
        ("phd", ["startup founder", "researcher"]),
        ("5-years", ["startup founder", "staff engineer"]),
        ("large", ["staff engineer", "researcher"]),
    ],
)
def test_filtering_answers_by_background(answered, client, key, expected):
    response = client.get(answered.get_absolute_url() + f"?background={key}")
    html = response.content.decode()
    assert response.status_code == 200
    shown = _answer_bodies(html)
    assert sorted(shown) == sorted(
        role.replace("machine learning engineer", "ml engineer") for role in expected
    )
    assert f"{len(expected)} of 6 answers" in html
    assert "No background given" not in html


def test_an_unknown_filter_shows_every_answer(answered, client):
    response = client.get(answered.get_absolute_url() + "?background=<script>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "6 answers" in html
    assert "No background given" in html


def test_filtered_and_unfiltered_pages_are_cached_apart(answered, client):
    url = answered.get_absolute_url()
    assert "No background given" in client.get(url).content.decode()
    assert "No background given" not in client.get(url + "?background=phd").content.decode()
    assert "No background given" in client.get(url).content.decode()


def test_filtered_threads_are_cached_apart_for_members(answered, bob_client):
    url = answered.get_absolute_url()
    assert "No background given" in bob_client.get(url).content.decode()
    assert "No background given" not in bob_client.get(url + "?background=phd").content.decode()
