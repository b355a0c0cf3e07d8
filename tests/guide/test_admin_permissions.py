"""Who can open what: anonymous visitors and readers are sent to sign in, editors reach guide
content and nothing else, superusers reach everything. Same for the markdown endpoints."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.urls import resolve, reverse

from guide.admin_views import markdown_preview, markdown_upload
from guide.content import content_models
from guide.editors import EDITORS_GROUP
from tests.factories import (
    make_bubble_principle,
    make_faq,
    make_reference,
    make_reflection_prompt,
    make_reviewer,
    make_section,
    make_sign,
    make_strategy,
    make_support_resource,
    make_therapy,
    staff_login,
)

pytestmark = pytest.mark.django_db

ACTIONS = ("add", "change", "delete", "view")
# What editing needs beside the content: change notes, drafts, their events and who is
# editing, all written for editors by the admin.
EDITING_MODELS = ("changenote", "draft", "draftevent", "editingpresence")


def guide_permissions() -> set[tuple[str, str]]:
    """Every permission editors need: on each content type, its history and the history of
    its links (a chapter's references), and on the editing machinery."""
    names = [*EDITING_MODELS]
    for model in content_models():
        history = model.history.model
        names += [model._meta.model_name, history._meta.model_name]
        names += [
            getattr(history, field.name).model._meta.model_name
            for field in history._history_m2m_fields
        ]
    return {("guide", f"{action}_{name}") for name in names for action in ACTIONS}


FACTORIES = {
    "section": make_section,
    "sign": make_sign,
    "strategy": make_strategy,
    "therapy": make_therapy,
    "faq": make_faq,
    "reference": make_reference,
    "reviewer": make_reviewer,
    "supportresource": make_support_resource,
    "bubbleprinciple": make_bubble_principle,
    "reflectionprompt": make_reflection_prompt,
}


def test_every_content_type_has_its_admin_pages_checked_here():
    assert set(FACTORIES) == {model._meta.model_name for model in content_models()}


def admin_pages(model_name: str, obj) -> list[str]:
    history = obj.history.earliest()
    return [
        reverse(f"admin:guide_{model_name}_changelist"),
        reverse(f"admin:guide_{model_name}_add"),
        reverse(f"admin:guide_{model_name}_change", args=[obj.pk]),
        reverse(f"admin:guide_{model_name}_history", args=[obj.pk]),
        reverse(f"admin:guide_{model_name}_simple_history", args=[obj.pk, history.pk]),
        reverse(f"admin:guide_{model_name}_delete", args=[obj.pk]),
    ]


@pytest.fixture(params=FACTORIES, ids=FACTORIES)
def guide_pages(request):
    obj = FACTORIES[request.param]()
    return admin_pages(request.param, obj)


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_people_who_are_not_staff_are_sent_to_sign_in(client, guide_pages, who, reader):
    if who == "reader":
        client.force_login(reader)
    for url in guide_pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_editors_and_superusers_open_every_guide_page(client, guide_pages, who, editor, superuser):
    staff_login(client, editor if who == "editor" else superuser)
    for url in guide_pages:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
    ],
)
def test_editors_cannot_open_accounts_or_groups(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editors_see_only_guide_content_on_the_admin_home(editor_client):
    response = editor_client.get(reverse("admin:index"))

    app_labels = {app["app_label"] for app in response.context["app_list"]}
    assert app_labels == {"guide"}
    assert "Secure Base editors" in response.content.decode()


def test_editors_cannot_read_a_readers_account_through_the_admin(editor_client, reader):
    assert editor_client.get(f"/admin/auth/user/{reader.pk}/change/").status_code == 403


def test_the_editors_group_holds_guide_permissions_and_nothing_else():
    group = Group.objects.get(name=EDITORS_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    expected = guide_permissions()
    # Spelled out, so the derivation above cannot quietly miss the content itself.
    assert {("guide", "change_section"), ("guide", "add_historicalsign_strategies")} < expected
    assert granted == expected
    assert not any(label != "guide" for label, _ in granted)
    assert Permission.objects.filter(group=group).count() == len(expected)


def test_markdownx_paths_are_served_by_the_staff_only_views():
    assert resolve(settings.MARKDOWNX_URLS_PATH).func is markdown_preview
    assert resolve(settings.MARKDOWNX_UPLOAD_URLS_PATH).func is markdown_upload


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_the_preview_refuses_people_who_are_not_staff(client, reader, who):
    if who == "reader":
        client.force_login(reader)
    response = client.post(settings.MARKDOWNX_URLS_PATH, {"content": "**hi**"})

    assert response.status_code == 403
    assert b"<strong>" not in response.content


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_the_preview_answers_staff_with_the_sites_rendering(client, editor, superuser, who):
    staff_login(client, editor if who == "editor" else superuser)
    response = client.post(settings.MARKDOWNX_URLS_PATH, {"content": "**hi**"})

    assert response.status_code == 200
    assert response.content == b"<p><strong>hi</strong></p>"
    assert "no-cache" in response["Cache-Control"]


def test_the_preview_only_takes_posts(editor_client):
    assert editor_client.get(settings.MARKDOWNX_URLS_PATH).status_code == 405


def test_the_preview_needs_content(editor_client):
    assert editor_client.post(settings.MARKDOWNX_URLS_PATH, {}).status_code == 400


def test_the_preview_checks_the_token_a_form_carries(client, editor):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    staff_login(csrf_client, editor)

    assert csrf_client.post(settings.MARKDOWNX_URLS_PATH, {"content": "x"}).status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor", "superuser"])
def test_image_upload_is_turned_off_for_everyone(client, reader, editor, superuser, who):
    user = {"anonymous": None, "reader": reader, "editor": editor, "superuser": superuser}[who]
    if user == reader:
        client.force_login(user)
    elif user:
        staff_login(client, user)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        settings.MARKDOWNX_UPLOAD_URLS_PATH,
        {"image": SimpleUploadedFile("x.png", png, content_type="image/png")},
    )

    assert response.status_code == 404
    assert b"turned off" in response.content


def test_the_editors_group_comes_back_after_a_database_flush():
    from django.core.management import call_command

    Group.objects.filter(name=EDITORS_GROUP).delete()

    call_command("migrate", verbosity=0)

    group = Group.objects.get(name=EDITORS_GROUP)
    assert group.permissions.count() == len(guide_permissions())
    assert set(group.permissions.values_list("content_type__app_label", flat=True)) == {"guide"}


def test_every_migrate_gives_editors_the_guide_permissions_they_lack_and_takes_none():
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    group = Group.objects.get(name=EDITORS_GROUP)
    # As if a guide model (and its history) arrived in a later release...
    new_type = ContentType.objects.create(app_label="guide", model="glossaryterm")
    new_permissions = [
        Permission.objects.create(content_type=new_type, codename=f"{action}_glossaryterm")
        for action in ("add", "change", "view")
    ]
    # ...one of the group's permissions went missing, and administrators added their own.
    group.permissions.remove(Permission.objects.get(codename="change_section"))
    extra = Permission.objects.get(codename="view_group")
    group.permissions.add(extra)

    call_command("migrate", verbosity=0)

    granted = set(group.permissions.all())
    assert set(new_permissions) <= granted
    assert Permission.objects.get(codename="change_section") in granted
    assert extra in granted  # never removed
    assert len(granted) == len(guide_permissions()) + len(new_permissions) + 1
