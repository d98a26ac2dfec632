import re

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import make_answer, make_question

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "maya",
    "email": "Maya@Example.com",
    "display_name": "Maya P.",
    "password1": "correct-Horse-battery-9",
    "password2": "correct-Horse-battery-9",
}


def test_sign_up_creates_the_user_logs_in_and_shows_the_profile(client):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.redirect_chain[-1] == ("/users/maya/", 302)
    user = User.objects.get(username="maya")
    assert user.email == "maya@example.com"
    assert user.reputation == 0
    assert response.context["user"] == user
    assert "Welcome to CareerKB, Maya P." in response.content.decode()


def test_sign_up_follows_a_safe_next_but_not_an_outside_one(client):
    response = client.post("/accounts/signup/?next=/questions/", SIGNUP)
    assert response["Location"] == "/questions/"
    client.logout()
    other = {**SIGNUP, "username": "lee", "email": "lee@example.com", "display_name": "Lee"}
    response = client.post("/accounts/signup/?next=https://evil.example/", other)
    assert response["Location"] == "/users/lee/"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "This field is required."),
        ({"username": "has space"}, "username", "Enter a valid username."),
        ({"email": "nope"}, "email", "Enter a valid email address."),
        ({"password2": "different-Horse-9"}, "password2", "The two password fields didn"),
        ({"password1": "123", "password2": "123"}, "password2", "This password is too short."),
    ],
)
def test_sign_up_errors_appear_next_to_the_field_and_input_is_kept(client, changes, field, message):
    response = client.post("/accounts/signup/", {**SIGNUP, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    block = re.search(rf'id="field-{field}".*?</div>', html, re.S).group(0)
    assert message in block.replace("&#x27;", "'")
    assert 'value="Maya P."' in html
    assert not User.objects.exists()


def test_sign_up_refuses_a_taken_username_or_email(client, alice):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": "ALICE"})
    assert response.status_code == 400
    assert "That username is taken" in response.content.decode()
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "Alice@example.com"})
    assert "An account with this e-mail already exists." in response.content.decode()
    assert User.objects.count() == 1


def test_sign_up_survives_hostile_input(client):
    payload = dict.fromkeys(SIGNUP, "\x00<script>alert(1)</script>" * 50)
    response = client.post("/accounts/signup/", payload)
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.content.decode()


def test_log_in_and_log_out(client, alice, password):
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 302
    assert client.get("/").context["user"] == alice
    response = client.post("/accounts/logout/", follow=True)
    assert not response.context["user"].is_authenticated
    assert "You are logged out" in response.content.decode()


def test_log_in_with_a_wrong_password_says_so(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert 'value="alice"' in response.content.decode()


def test_logout_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").context["user"] == alice


def test_password_change(alice_client, alice, password):
    response = alice_client.post(
        "/accounts/password/change/",
        {
            "old_password": password,
            "new_password1": "brand-New-secret-77",
            "new_password2": "brand-New-secret-77",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand-New-secret-77")


def test_password_change_with_wrong_old_password_changes_nothing(alice_client, alice, password):
    response = alice_client.post(
        "/accounts/password/change/",
        {
            "old_password": "nope",
            "new_password1": "x-Yz-12345678",
            "new_password2": "x-Yz-12345678",
        },
    )
    assert "Your old password was entered incorrectly" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_password_change_needs_log_in(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_reset_sends_a_working_link(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "reset-Secret-2024x", "new_password2": "reset-Secret-2024x"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("reset-Secret-2024x")


def test_profile_shows_reputation_and_activity(client, alice):
    alice.reputation = 35
    alice.headline = "Perception engineer"
    alice.save()
    question = make_question(author=alice, title="Should I do a PhD before a perception role?")
    make_answer(make_question(), author=alice)
    response = client.get("/users/alice/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice Author" in html
    assert "Perception engineer" in html
    assert '<strong data-testid="reputation">35</strong>' in html
    assert question.title in html
    assert html.count('class="kind-badge"') == 2


def test_profile_hides_deleted_posts(client, alice):
    make_question(author=alice, title="A question I deleted myself later", is_deleted=True)
    assert "A question I deleted" not in client.get("/users/alice/").content.decode()


def test_profile_of_unknown_user_is_404(client, db):
    response = client.get("/users/nobody/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_profile_query_count_does_not_grow_with_activity(
    client, alice, django_assert_max_num_queries
):
    for _ in range(15):
        make_answer(make_question(), author=alice)
    with django_assert_max_num_queries(4):
        client.get("/users/alice/")


def test_edit_profile(alice_client, alice):
    response = alice_client.post(
        "/accounts/profile/edit/",
        {"display_name": "Alice A.", "headline": "MLE", "bio": "Hi", "email": "alice@example.com"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.headline, alice.bio) == ("Alice A.", "MLE", "Hi")


def test_edit_profile_errors_keep_input(alice_client, alice, bob):
    response = alice_client.post(
        "/accounts/profile/edit/",
        {"display_name": "New name", "headline": "x" * 500, "bio": "", "email": "bob@example.com"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Keep it to 120 characters (you wrote 500)." in html
    assert "Another account already uses this e-mail." in html
    assert 'value="New name"' in html
    alice.refresh_from_db()
    assert alice.display_name == "Alice Author"


def test_edit_profile_needs_log_in(client):
    response = client.post("/accounts/profile/edit/", {"display_name": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_list_orders_by_reputation(client, alice, bob):
    bob.reputation = 100
    bob.save()
    html = client.get("/users/").content.decode()
    assert html.index("Bob Other") < html.index("Alice Author")


# ---- names people could mistake, and the e-mail behind the password reset (issue 11) ----

CYRILLIC_A = "\u0430"


@pytest.mark.parametrize(
    "username",
    [
        f"{CYRILLIC_A}lice",  # with a Cyrillic "a"
        "Alice",
        "ALICE",
        "\uff41\uff4c\uff49\uff43\uff45",  # fullwidth letters: NFKC makes them "alice"
        "a1ice",  # the digit one for the letter l
        "alIce",  # capital i for the letter l
    ],
)
def test_sign_up_refuses_a_username_that_looks_like_a_members(client, alice, username):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": username})
    assert response.status_code == 400
    assert "That username is taken, or looks too much like a member" in response.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]


def test_sign_up_stores_the_nfkc_form_of_the_username(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": "\uff4d\uff41\uff59\uff41"})
    assert response.status_code == 302
    assert User.objects.get().username == "maya"


def test_sign_up_refuses_a_username_mixing_look_alike_alphabets(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": f"p{CYRILLIC_A}ypal"})
    assert response.status_code == 400
    assert "cannot mix look-alike letters from different alphabets" in response.content.decode()
    assert not User.objects.exists()


def test_a_username_in_one_other_alphabet_is_welcome(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": "Дмитрий"})
    assert response.status_code == 302
    assert User.objects.get().username == "Дмитрий"


def test_sign_up_refuses_a_username_that_is_another_members_display_name(client, db):
    User.objects.create_user("priya", display_name="Maya")
    response = client.post("/accounts/signup/", SIGNUP)  # username "maya"
    assert response.status_code == 400
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "display_name", ["alice", "Alice Author", "ALICE  AUTHOR", f"{CYRILLIC_A}lice"]
)
def test_sign_up_refuses_a_display_name_copying_a_member(client, alice, display_name):
    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": display_name})
    assert response.status_code == 400
    assert "Another member goes by that name" in response.content.decode()
    assert not User.objects.filter(username="maya").exists()


def test_your_own_username_is_a_fine_display_name(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": "Maya"})
    assert response.status_code == 302


@pytest.mark.parametrize("display_name", ["bob", "Bob Other", "bob other", "B\u043eb  Other"])
def test_profile_refuses_a_display_name_copying_another_member(
    alice_client, alice, bob, display_name
):
    data = {"display_name": display_name, "headline": "", "bio": "", "email": alice.email}
    response = alice_client.post("/accounts/profile/edit/", data)
    assert response.status_code == 400
    assert "Another member goes by that name" in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice Author"


def test_profile_keeps_a_display_name_that_only_resembles_your_own_username(alice_client, alice):
    data = {"display_name": "ALICE", "headline": "", "bio": "", "email": alice.email}
    assert alice_client.post("/accounts/profile/edit/", data).status_code == 302


def test_imported_authors_names_do_not_block_members(alice_client, alice):
    User.objects.create(username="reddit~bob", display_name="Bob Builder", is_imported=True)
    data = {"display_name": "Bob Builder", "headline": "", "bio": "", "email": alice.email}
    assert alice_client.post("/accounts/profile/edit/", data).status_code == 302


def _profile(user, **changes):
    return {
        "display_name": user.display_name,
        "headline": "",
        "bio": "",
        "email": user.email,
        **changes,
    }


def test_changing_the_email_asks_for_the_current_password(alice_client, alice):
    response = alice_client.post(
        "/accounts/profile/edit/", _profile(alice, email="new@example.com")
    )
    assert response.status_code == 400
    assert "Enter your current password to change your e-mail address." in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_a_wrong_password_leaves_the_email_as_it_was(alice_client, alice):
    data = _profile(alice, email="new@example.com", current_password="wrong")
    response = alice_client.post("/accounts/profile/edit/", data)
    assert response.status_code == 400
    assert "That is not your current password" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_the_right_password_changes_the_email(alice_client, alice, password):
    data = _profile(alice, email="New@Example.com", current_password=password)
    assert alice_client.post("/accounts/profile/edit/", data).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "new@example.com"


def test_the_same_email_in_other_capitals_needs_no_password(alice_client, alice):
    data = _profile(alice, email="ALICE@example.com", headline="MLE")
    assert alice_client.post("/accounts/profile/edit/", data).status_code == 302
    alice.refresh_from_db()
    assert (alice.email, alice.headline) == ("alice@example.com", "MLE")


def test_every_path_stores_the_nfkc_username(admin_client):
    fullwidth = "\uff4d\uff41\uff59\uff41"
    User(username=fullwidth + "1").save()
    User.objects.create_user(fullwidth + "2")
    admin_client.post(
        "/admin/accounts/user/add/", {"username": fullwidth, "usable_password": "false"}
    )
    assert set(
        User.objects.filter(username__startswith="maya").values_list("username", flat=True)
    ) == {
        "maya",
        "maya1",
        "maya2",
    }


def test_the_database_refuses_a_look_alike_username_whatever_the_path(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(f"{CYRILLIC_A}lice")
    imported = User.objects.create(username=f"{CYRILLIC_A}lice", is_imported=True)
    assert imported.username_key == alice.username_key


def test_a_sign_up_that_loses_a_race_for_the_name_says_so(client, alice, monkeypatch):
    # Another sign-up took the name between the form's check and the save.
    monkeypatch.setattr("accounts.forms.check_username", lambda username, **kwargs: username)
    response = client.post("/accounts/signup/", {**SIGNUP, "username": "Alice"})
    assert response.status_code == 400
    assert "That username is taken" in response.content.decode()
    assert User.objects.count() == 1


def test_the_admin_refuses_look_alike_usernames_and_copied_display_names(admin_client, alice, bob):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": f"{CYRILLIC_A}lice", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "That username is taken, or looks too much like a member" in response.content.decode()
    assert not User.objects.filter(username=f"{CYRILLIC_A}lice").exists()
    change = admin_client.get(f"/admin/accounts/user/{bob.pk}/change/").context["adminform"].form
    data = {name: value for name, value in change.initial.items() if value is not None}
    data.update(display_name="Alice Author", date_joined_0="2026-01-01", date_joined_1="10:00")
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = admin_client.post(f"/admin/accounts/user/{bob.pk}/change/", data)
    assert "Another member goes by that name" in response.content.decode()
    bob.refresh_from_db()
    assert bob.display_name == "Bob Other"
