"""Private data is its owner's alone: other readers get 404, editors and staff see nothing."""

import json
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import get_resolver, reverse

from assessments import practice, reminders, services
from assessments.models import (
    Plan,
    PracticeEntry,
    ReminderSubscription,
    RepairEntry,
    Result,
    SavedStrategy,
    Subject,
)
from tests.factories import make_user

# Per-reader URLs naming one of a reader's objects, with how to fill them in.
OBJECT_URLS = {
    "result": lambda data: {"pk": data["result"].pk},
    "result-delete": lambda data: {"pk": data["result"].pk},
    "note": lambda data: {"slug": data["saved"].strategy_slug},
    "plan-start": lambda data: {"pk": data["result"].pk},
    "practice-edit": lambda data: {"pk": data["entry"].pk},
    "practice-delete": lambda data: {"pk": data["entry"].pk},
    "repair-edit": lambda data: {"pk": data["repair"].pk},
    "repair-delete": lambda data: {"pk": data["repair"].pk},
}
# Per-reader URLs about "my own" data: they show the visitor's data, never someone else's.
OWN_URLS = [
    "me",
    "toolkit",
    "export",
    "delete-account",
    "password-change",
    "plan",
    "practice",
    "practice-new",
    "repairs",
    "repair-new",
    "timeline",
    "time-zone",
    "reminders",
]
# "My own" URLs that act on something only the visitor's own plan or reminder can be: a
# visitor without one gets 404, never the owner's.
OWN_THING_URLS = {
    "plan-swap": ({"number": 1}, {"strategy": "body-scan"}),
    "plan-change": ({}, {"action": "end"}),
    "reminders-change": ({}, {"action": "stop"}),
}
# Acting on the visitor's own log only: whatever is posted, it lands in their own account.
OWN_POST_URLS = ["practice-quick"]


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
    plan = practice.plan_start(owner=reader, result_id=result.pk)
    entry = practice.practice_log(
        owner=reader,
        strategy=quiz.strategies[0],
        day=practice.today_for(reader),
        situation="A very private situation",
    )
    repair = practice.repair_log(
        owner=reader,
        day=practice.today_for(reader),
        what_happened="A very private rupture",
        feelings=["hurt"],
        feelings_other="",
        script=quiz.strategies[4],
        repaired="partly",
        next_time="",
    )
    reminder, _ = reminders.reminders_set(
        owner=reader, email="reader-one@example.com", weekday=0, hour=8
    )
    reminders.reminders_confirm(subscription=reminder)
    return {
        "result": result,
        "saved": saved,
        "plan": plan,
        "entry": entry,
        "repair": repair,
        "reminder": reminder,
    }


def assert_owner_data_untouched(owned) -> None:
    assert Result.objects.filter(pk=owned["result"].pk).exists()
    assert SavedStrategy.objects.get(pk=owned["saved"].pk).note.startswith("A very private")
    plan = Plan.objects.get(pk=owned["plan"].pk)
    assert plan.status == "active"
    assert plan.weeks.get(number=1).strategy_slug == owned["plan"].weeks.get(number=1).strategy_slug
    assert PracticeEntry.objects.get(pk=owned["entry"].pk).situation == "A very private situation"
    assert RepairEntry.objects.get(pk=owned["repair"].pk).what_happened == "A very private rupture"
    reminder = ReminderSubscription.objects.get(pk=owned["reminder"].pk)
    assert reminder.status == "on" and reminder.email == "reader-one@example.com"


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
    assert reader_url_names() == (
        set(OBJECT_URLS)
        | (set(OWN_URLS) - {"password-change"})
        | set(OWN_THING_URLS)
        | set(OWN_POST_URLS)
    )


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_per_reader_url_answers_404_to_another_reader(
    client, owned, other_reader, name, method
):
    url = reverse(f"assessments:{name}", kwargs=OBJECT_URLS[name](owned))
    client.force_login(other_reader)

    post = {"note": "overwritten", "situation": "overwritten", "what_happened": "overwritten"}
    response = getattr(client, method)(url, post if method == "post" else {})

    assert response.status_code == 404
    assert_owner_data_untouched(owned)


@pytest.mark.parametrize("name", sorted(OWN_THING_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_acting_on_a_plan_or_reminder_reaches_only_the_visitors_own(
    client, owned, other_reader, name, method
):
    kwargs, data = OWN_THING_URLS[name]
    client.force_login(other_reader)

    response = getattr(client, method)(reverse(f"assessments:{name}", kwargs=kwargs), data)

    assert response.status_code in ({404} if method == "post" or name == "plan-swap" else {405})
    assert_owner_data_untouched(owned)


def test_the_quick_log_only_ever_writes_to_the_visitors_own_log(client, owned, other_reader):
    client.force_login(other_reader)
    client.post(reverse("assessments:practice-quick"), {"strategy": "calm-breath", "owner": "1"})
    assert PracticeEntry.objects.filter(owner=other_reader).count() == 1
    assert PracticeEntry.objects.filter(owner=owned["entry"].owner).count() == 1
    assert_owner_data_untouched(owned)


@pytest.mark.parametrize("name", sorted(OWN_THING_URLS))
def test_the_owner_reaches_their_plan_and_reminder_actions(client, owned, reader, name):
    kwargs, data = OWN_THING_URLS[name]
    client.force_login(reader)
    response = client.post(reverse(f"assessments:{name}", kwargs=kwargs), data)
    assert response.status_code == 302


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
    assert "A very private" not in body
    assert f"/me/results/{owned['result'].pk}/" not in body
    assert f"/me/practice/{owned['entry'].pk}/" not in body
    assert f"/me/repairs/{owned['repair'].pk}/" not in body
    assert "reader-one" not in body


def test_another_readers_export_holds_only_their_own_data(client, owned, other_reader):
    client.force_login(other_reader)
    data = json.loads(client.get("/me/export/").content)
    assert data["results"] == [] and data["toolkit"] == []
    assert data["plans"] == [] and data["practice_entries"] == [] and data["repair_entries"] == []
    assert data["reminders"] is None
    assert data["account"]["username"] == "reader-two"


def test_another_reader_cannot_unsave_from_someone_elses_toolkit(client, owned, other_reader):
    client.force_login(other_reader)
    client.post(f"/toolkit/unsave/{owned['saved'].strategy_slug}/")
    assert SavedStrategy.objects.filter(pk=owned["saved"].pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/me/",
        "/me/toolkit/",
        "/me/export/",
        "/me/delete/",
        "/me/results/1/",
        "/me/plan/",
        "/me/plan/from/1/",
        "/me/plan/weeks/1/swap/",
        "/me/practice/",
        "/me/practice/new/",
        "/me/practice/1/",
        "/me/practice/1/delete/",
        "/me/repairs/",
        "/me/repairs/new/",
        "/me/repairs/1/",
        "/me/repairs/1/delete/",
        "/me/timeline/",
        "/me/time-zone/",
        "/me/reminders/",
    ],
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
        "/admin/assessments/plan/",
        "/admin/assessments/practiceentry/",
        "/admin/assessments/repairentry/",
        "/admin/assessments/remindersubscription/",
    ],
)
def test_staff_without_superuser_rights_never_see_results_or_notes_in_the_admin(
    client, owned, editor, url
):
    client.force_login(editor)
    assert client.get(url).status_code == 404


def test_the_admin_index_lists_no_reader_data(client, owned, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Quiz results" not in html and "Saved strategies" not in html
    assert "/admin/assessments/" not in html


def test_staff_get_404_on_a_readers_result_page(client, owned, editor):
    client.force_login(editor)
    assert client.get(f"/me/results/{owned['result'].pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/me/",
        "/me/toolkit/",
        "/me/export/",
        "/me/delete/",
        "RESULT",
        "/quiz/",
        "/me/plan/",
        "/me/practice/",
        "/me/repairs/",
        "/me/timeline/",
        "/me/reminders/",
    ],
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
    client.force_login(user)
    assert client.get(url).status_code == 404
    assert "reader-one" not in client.get("/admin/").content.decode()


def test_the_privacy_page_is_private_to_a_signed_in_readers_browser(client, reader):
    anonymous = client.get("/privacy/")
    assert "public" in anonymous["Cache-Control"]
    client.force_login(reader)
    signed_in = client.get("/privacy/")
    assert "private" in signed_in["Cache-Control"]
    assert "public" not in signed_in["Cache-Control"]
