"""Private data is its owner's alone: other readers get 404, editors and staff see nothing."""

import json
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import get_resolver, reverse

from assessments import services
from assessments.models import Result, SavedStrategy, Subject
from tests.factories import make_user, staff_login

# Per-reader URLs naming one of a reader's objects, with how to fill them in.
OBJECT_URLS = {
    "result": lambda data: {"pk": data["result"].pk},
    "result-delete": lambda data: {"pk": data["result"].pk},
    "note": lambda data: {"slug": data["saved"].strategy_slug},
}
# Per-reader URLs about "my own" data: they show the visitor's data, never someone else's.
OWN_URLS = ["me", "toolkit", "export", "delete-account", "password-change"]


@pytest.fixture
def owned(quiz, reader):
    result = services.result_create(
        owner=reader,
        subject=Subject.SELF,
        key=uuid.uuid4(),
        answers={sign.slug: 2 for sign in quiz.signs},
    )
    saved = services.strategy_save(owner=reader, strategy=quiz.strategies[0])
    services.note_update(saved=saved, note="A very private note about Tuesday")
    return {"result": result, "saved": saved}


def reader_url_names() -> set[str]:
    """Every URL under /me/: a new one fails this test until it is added above."""
    names = set()
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) != "assessments":
            continue
        for inner in pattern.url_patterns:
            if str(inner.pattern).startswith("me/"):
                names.add(inner.name)
    return names


def test_the_access_walk_covers_every_url_of_the_readers_space():
    assert reader_url_names() == set(OBJECT_URLS) | (set(OWN_URLS) - {"password-change"})


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_per_reader_url_answers_404_to_another_reader(
    client, owned, other_reader, name, method
):
    url = reverse(f"assessments:{name}", kwargs=OBJECT_URLS[name](owned))
    client.force_login(other_reader)

    response = getattr(client, method)(url, {"note": "overwritten"} if method == "post" else {})

    assert response.status_code == 404
    assert Result.objects.filter(pk=owned["result"].pk).exists()
    assert SavedStrategy.objects.get(pk=owned["saved"].pk).note.startswith("A very private")


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_the_owner_reaches_each_of_their_urls(client, owned, reader, name):
    client.force_login(reader)
    url = reverse(f"assessments:{name}", kwargs=OBJECT_URLS[name](owned))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", OWN_URLS)
def test_pages_about_my_own_data_show_nothing_of_another_readers(client, owned, other_reader, name):
    client.force_login(other_reader)
    response = client.get(reverse(f"assessments:{name}"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "A very private note" not in body
    assert f"/me/results/{owned['result'].pk}/" not in body
    assert "reader-one" not in body


def test_another_readers_export_holds_only_their_own_data(client, owned, other_reader):
    client.force_login(other_reader)
    data = json.loads(client.get("/me/export/").content)
    assert data["results"] == [] and data["toolkit"] == []
    assert data["account"]["username"] == "reader-two"


def test_another_reader_cannot_unsave_from_someone_elses_toolkit(client, owned, other_reader):
    client.force_login(other_reader)
    client.post(f"/toolkit/unsave/{owned['saved'].strategy_slug}/")
    assert SavedStrategy.objects.filter(pk=owned["saved"].pk).exists()


@pytest.mark.parametrize(
    "url", ["/me/", "/me/toolkit/", "/me/export/", "/me/delete/", "/me/results/1/"]
)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.fixture
def editor(db):
    """Staff with every permission there is, but not a superuser."""
    user = make_user("editor", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.mark.parametrize(
    "url",
    [
        "/admin/assessments/",
        "/admin/assessments/result/",
        "/admin/assessments/answer/",
        "/admin/assessments/savedstrategy/",
    ],
)
def test_staff_without_superuser_rights_never_see_results_or_notes_in_the_admin(
    client, owned, editor, url
):
    staff_login(client, editor)
    assert client.get(url).status_code == 404


def test_the_admin_index_lists_no_reader_data(client, owned, editor):
    staff_login(client, editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quiz results" not in html and "Saved strategies" not in html
    assert "/admin/assessments/" not in html


def test_staff_get_404_on_a_readers_result_page(client, owned, editor):
    staff_login(client, editor)
    assert client.get(f"/me/results/{owned['result'].pk}/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/me/", "/me/toolkit/", "/me/export/", "/me/delete/", "RESULT", "/quiz/"]
)
def test_pages_with_a_readers_answers_are_never_cached(client, owned, reader, url):
    client.force_login(reader)
    if url == "RESULT":
        url = f"/me/results/{owned['result'].pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["editor", "superuser"])
@pytest.mark.parametrize(
    "url", ["/admin/axes/", "/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/"]
)
def test_failed_sign_in_records_are_not_in_the_admin_for_anyone(client, db, editor, who, url):
    """They hold readers' usernames and addresses: not for staff, not even superusers."""
    client.post("/accounts/login/", {"username": "reader-one", "password": "a-wrong-guess"})
    user = editor if who == "editor" else make_user("admin", is_staff=True, is_superuser=True)
    staff_login(client, user)
    assert client.get(url).status_code == 404
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "reader-one" not in index.content.decode()


def test_the_privacy_page_is_private_to_a_signed_in_readers_browser(client, reader):
    anonymous = client.get("/privacy/")
    assert "public" in anonymous["Cache-Control"]
    client.force_login(reader)
    signed_in = client.get("/privacy/")
    assert "private" in signed_in["Cache-Control"]
    assert "public" not in signed_in["Cache-Control"]
