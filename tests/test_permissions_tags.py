"""Permission matrix for the staff-only tag URLs (description edit, synonym add/delete).

Personas: anonymous -> 302 to log-in, member (even the tag's heaviest user) -> 403, staff ->
success; GET on the POST-only URLs -> 405; a refused request changes nothing.
"""

import pytest
from django.test import Client
from django.urls import reverse

from kb.models import TagInfo, TagSynonym
from kb.tags import get_or_create_tags
from tests.factories import make_question, make_user

LOGIN = reverse("accounts:login")


@pytest.fixture
def world(db):
    author = make_user("taguser")
    tag = get_or_create_tags(["big-tech"])[0]
    question = make_question(author, tags=[tag])
    TagInfo.objects.create(tag=tag, description="Large companies.")
    synonym = TagSynonym.objects.create(source="bigco", target=tag)
    return {"author": author, "tag": tag, "question": question, "synonym": synonym}


def _actions(world):
    return {
        "tag-edit": (
            reverse("kb:tag-edit", args=[world["tag"].slug]),
            {"description": "Companies with more than ten thousand engineers."},
        ),
        "synonym-add": (
            reverse("kb:tag-synonym-add"),
            {"source": "faang", "target": "big-tech"},
        ),
        "synonym-delete": (
            reverse("kb:tag-synonym-delete", args=[world["synonym"].pk]),
            {},
        ),
    }


def _state(world):
    return (
        list(TagInfo.objects.values_list("tag_id", "description", "updated_by_id")),
        sorted(TagSynonym.objects.values_list("source", "target_id")),
        sorted(world["question"].tags.values_list("name", flat=True)),
    )


ACTIONS = ["tag-edit", "synonym-add", "synonym-delete"]


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_is_sent_to_log_in_and_nothing_changes(client, world, action):
    url, data = _actions(world)[action]
    before = _state(world)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert _state(world) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_member_is_refused_with_403_and_nothing_changes(world, action):
    url, data = _actions(world)[action]
    member = Client()
    member.force_login(world["author"])  # wrote the tag's only question: still not staff
    before = _state(world)
    response = member.post(url, data)
    assert response.status_code == 403
    assert _state(world) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_get_on_post_only_url_is_405(staff_client, world, action):
    url, _ = _actions(world)[action]
    before = _state(world)
    assert staff_client.get(url).status_code == 405
    assert _state(world) == before


def test_staff_edits_the_description(staff, staff_client, world):
    url, data = _actions(world)["tag-edit"]
    response = staff_client.post(url, data)
    assert response.status_code == 302
    info = TagInfo.objects.get(tag=world["tag"])
    assert info.description == data["description"]
    assert info.updated_by == staff
    page = staff_client.get(reverse("kb:tag-detail", args=[world["tag"].slug]))
    assert data["description"] in page.content.decode()


def test_staff_adds_a_synonym_and_existing_posts_are_retagged(staff_client, world):
    other = make_question(make_user(), tags=["faang"])
    url, data = _actions(world)["synonym-add"]
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert TagSynonym.objects.filter(source="faang", target=world["tag"]).exists()
    assert sorted(other.tags.values_list("name", flat=True)) == ["big-tech"]


def test_staff_deletes_a_synonym(staff_client, world):
    url, data = _actions(world)["synonym-delete"]
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert not TagSynonym.objects.filter(source="bigco").exists()


def test_member_cannot_even_see_the_synonym_list(world):
    member = Client()
    member.force_login(world["author"])
    assert member.get(reverse("kb:tag-synonyms")).status_code == 403
