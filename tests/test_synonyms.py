"""Tag synonyms staff manage: the page, adding (which re-tags posts), removing, permissions."""

import pytest
from django.test import Client
from taggit.models import Tag

from kb.models import TagSynonym
from kb.tags import get_or_create_tags, resolve_synonyms
from tests.factories import make_experience, make_question

pytestmark = pytest.mark.django_db


def _tagged(post, *names):
    post.tags.set(get_or_create_tags(names))
    return post


def _names(post):
    return sorted(tag.name for tag in post.tags.all())


# -- permissions --------------------------------------------------------------------------


def test_synonym_page_permissions(client, bob, staff):
    response = client.get("/tags/synonyms/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(bob)
    assert client.get("/tags/synonyms/").status_code == 403
    client.force_login(staff)
    response = client.get("/tags/synonyms/")
    assert response.status_code == 200
    assert "<title>Tag synonyms · CareerKB</title>" in response.content.decode()


def test_add_permissions_change_nothing_for_others(client, bob):
    data = {"source": "faang", "target": "big-tech"}
    response = client.post("/tags/synonyms/add/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(bob)
    assert client.post("/tags/synonyms/add/", data).status_code == 403
    assert not TagSynonym.objects.exists()


def test_get_on_add_and_delete_is_405(staff_client):
    synonym = TagSynonym.objects.create(source="faang", target=get_or_create_tags(["x"])[0])
    assert staff_client.get("/tags/synonyms/add/").status_code == 405
    assert staff_client.get(f"/tags/synonyms/{synonym.pk}/delete/").status_code == 405
    assert TagSynonym.objects.count() == 1


def test_delete_permissions(client, bob, staff):
    synonym = TagSynonym.objects.create(source="faang", target=get_or_create_tags(["x"])[0])
    url = f"/tags/synonyms/{synonym.pk}/delete/"
    assert client.post(url).status_code == 302
    client.force_login(bob)
    assert client.post(url).status_code == 403
    assert TagSynonym.objects.count() == 1
    staff_client = Client()
    staff_client.force_login(staff)
    response = staff_client.post(url, follow=True)
    assert response.status_code == 200
    assert "The synonym “faang” is removed." in response.content.decode()
    assert not TagSynonym.objects.exists()
    assert staff_client.post(url).status_code == 404


# -- adding ---------------------------------------------------------------------------------


def test_staff_adds_a_synonym_and_it_is_listed(staff_client):
    response = staff_client.post(
        "/tags/synonyms/add/", {"source": "FAANG", "target": "big-tech"}, follow=True
    )
    synonym = TagSynonym.objects.get()
    assert (synonym.source, synonym.target.name) == ("faang", "big-tech")
    html = response.content.decode()
    assert "“faang” now means “big-tech”; 0 posts re-tagged." in html
    assert "<code>faang</code>" in html
    assert resolve_synonyms(["faang", "skills"]) == ["big-tech", "skills"]


def test_adding_a_synonym_retags_existing_posts(staff_client):
    only_source = _tagged(make_question(), "faang", "interviews")
    both = _tagged(make_question(), "faang", "big-tech")
    experience = _tagged(make_experience(), "faang")
    untouched = _tagged(make_question(), "skills")
    response = staff_client.post("/tags/synonyms/add/", {"source": "faang", "target": "big-tech"})
    assert response.status_code == 302
    assert _names(only_source) == ["big-tech", "interviews"]
    assert _names(both) == ["big-tech"]
    assert _names(experience) == ["big-tech"]
    assert _names(untouched) == ["skills"]
    assert not Tag.objects.filter(name="faang").exists()
    page = staff_client.get("/tags/")
    counts = {tag.name: tag.n for tag in page.context["page"].object_list}
    assert counts["big-tech"] == 3
    assert "faang" not in counts


def test_browsing_the_old_tag_redirects_after_retagging(client, staff):
    _tagged(make_question(), "faang")
    staff_client = Client()
    staff_client.force_login(staff)
    staff_client.post("/tags/synonyms/add/", {"source": "faang", "target": "big-tech"})
    response = client.get("/questions/tagged/faang/")
    assert response.status_code == 301
    assert response["Location"] == "/questions/tagged/big-tech/"
    assert len(client.get("/questions/tagged/big-tech/").context["page"].object_list) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"source": "mle", "target": "mle"}, "A tag cannot be a synonym of itself."),
        ({"source": "bad tag", "target": "mle"}, "Give exactly one tag name."),
        ({"source": "<script>", "target": "mle"}, "may only use lower-case letters"),
        ({"source": "", "target": "mle"}, "This field is required."),
        ({"source": "x" * 36, "target": "mle"}, "at most 35 characters"),
    ],
)
def test_invalid_synonyms_rerender_with_400(staff_client, data, error):
    response = staff_client.post("/tags/synonyms/add/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not TagSynonym.objects.exists()


def test_chains_and_duplicates_are_refused(staff_client):
    staff_client.post("/tags/synonyms/add/", {"source": "faang", "target": "big-tech"})
    cases = [
        ({"source": "faang", "target": "mle"}, "already a synonym"),
        ({"source": "big-tech", "target": "mle"}, "main tag of other synonyms"),
        ({"source": "maang", "target": "faang"}, "is itself a synonym"),
    ]
    for data, error in cases:
        response = staff_client.post("/tags/synonyms/add/", data)
        assert response.status_code == 400, data
        assert error in response.content.decode()
    assert TagSynonym.objects.count() == 1


def test_synonyms_link_from_the_tag_list_for_staff_only(client, staff):
    _tagged(make_question(), "skills")
    assert "Manage synonyms" not in client.get("/tags/").content.decode()
    client.force_login(staff)
    assert 'href="/tags/synonyms/"' in client.get("/tags/").content.decode()


def test_a_synonym_added_concurrently_is_a_clear_400(staff_client, monkeypatch):
    from kb.views import tags as tag_views

    # The form check passed, then someone else saved the same source first.
    monkeypatch.setattr(tag_views.SynonymForm, "clean_source", lambda form: "faang")
    TagSynonym.objects.create(source="faang", target=get_or_create_tags(["big-tech"])[0])
    response = staff_client.post("/tags/synonyms/add/", {"source": "faang", "target": "mle"})
    assert response.status_code == 400
    assert "already a synonym" in response.content.decode()
    assert TagSynonym.objects.get().target.name == "big-tech"
