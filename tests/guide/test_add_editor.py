"""`manage.py add_editor USERNAME`: a staff account in the Editors group, password asked twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from guide.editors import EDITORS_GROUP
from guide.management.commands import add_editor
from tests.factories import enrol_through_link, link_in, totp_code

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD = "river-stone-lantern-42"


@pytest.fixture
def typed(monkeypatch):
    """Answers to the password prompts, in order; records how many were asked."""
    answers: list[str] = []
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(add_editor.getpass, "getpass", getpass)
    return answers, asked


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("add_editor", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_makes_a_staff_editor_who_can_sign_in_to_the_admin(typed):
    typed[0].extend([GOOD, GOOD])

    out, _ = run("maya", "--email", "maya@example.com")

    user = User.objects.get(username="maya")
    assert user.is_staff and not user.is_superuser
    assert user.email == "maya@example.com"
    assert list(user.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    assert user.check_password(GOOD)
    assert "Made editor “maya”" in out
    assert "works once, within 24 hours" in out
    browser = Client()
    password_only = browser.post(
        "/admin/login/?next=/admin/", {"username": "maya", "password": GOOD, "next": "/admin/"}
    )
    assert password_only.status_code == 200  # no second factor yet: refused
    device, _ = enrol_through_link(Client(), link_in(out), GOOD)
    signed_in = browser.post(
        "/admin/login/?next=/admin/",
        {"username": "maya", "password": GOOD, "otp_token": totp_code(device), "next": "/admin/"},
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert browser.get(reverse("admin:guide_section_changelist")).status_code == 200
    assert browser.get("/admin/auth/user/").status_code == 403


def test_asks_again_when_the_two_entries_differ(typed):
    answers, asked = typed
    answers.extend([GOOD, "something-else-entirely", GOOD, GOOD])

    _, err = run("noor")

    assert "The two passwords don't match." in err
    assert len(asked) == 4
    assert User.objects.get(username="noor").check_password(GOOD)


def test_weak_passwords_are_explained_and_refused(typed):
    typed[0].extend(["password", "password", "12345678901", "12345678901", "short", "short"])

    with pytest.raises(CommandError, match="No account made"):
        run("lee")

    assert not User.objects.filter(username="lee").exists()


def test_a_password_like_the_username_is_refused(typed):
    typed[0].extend(["leonora-editor", "leonora-editor"] * 3)

    with pytest.raises(CommandError):
        run("leonora-editor")

    assert not User.objects.exists()


def test_a_taken_username_is_refused_before_asking_for_a_password(typed):
    User.objects.create_user("ines", password=GOOD)

    with pytest.raises(CommandError, match="An account named “ines” already exists."):
        run("ines")

    assert typed[1] == []
    assert not User.objects.get(username="ines").is_staff


@pytest.mark.parametrize("args", [["bad name!"], ["ok", "--email", "not-an-email"]])
def test_malformed_names_and_emails_are_refused(typed, args):
    with pytest.raises(CommandError):
        run(*args)

    assert not User.objects.exists()


def test_scripts_pass_the_password_in_the_environment(monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", GOOD)

    run("robot-editor", "--no-input")

    assert User.objects.get(username="robot-editor").check_password(GOOD)


def test_no_input_without_a_password_makes_nothing(monkeypatch):
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="EDITOR_PASSWORD"):
        run("robot-editor", "--no-input")

    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("interruption", "message"),
    [
        (EOFError, "No account made: the input ended before a password."),
        (KeyboardInterrupt, "No account made: cancelled."),
    ],
)
def test_ending_the_input_or_pressing_ctrl_c_says_so_and_makes_nothing(
    monkeypatch, interruption, message
):
    def getpass(prompt: str) -> str:
        raise interruption

    monkeypatch.setattr(add_editor.getpass, "getpass", getpass)

    with pytest.raises(CommandError) as raised:
        run("maya")

    assert str(raised.value) == message
    assert not User.objects.exists()
