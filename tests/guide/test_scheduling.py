"""Scheduled publishing: a task waits on the queue until the time, the real worker publishes
the draft exactly once, the backstop command catches what the queue missed (and is harmless
run twice at once), and a scheduled draft edited later keeps its schedule, saying so."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from guide.drafts import draft_for
from guide.models import Draft, Section
from guide.signals import content_published
from tests.factories import make_editor, staff_login
from tests.guide.test_publishing import NEW, OLD, draft_url, live_section, save

ROOT = Path(__file__).resolve().parents[2]
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def make_due(section: Section) -> None:
    Draft.objects.filter(pk=draft_for(section).pk).update(
        publish_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_scheduling_enqueues_a_publish_to_run_at_that_time(
    settings, editor_client, public, django_capture_on_commit_callbacks
):
    from django.tasks import default_task_backend

    settings.TASKS = DUMMY
    section, url = live_section()
    save(editor_client, section, body=f"{NEW}.")
    at = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            draft_url(section),
            {"_schedule": "x", "publish_at": local(at), "change_note": "Tomorrow's rework."},
            follow=True,
        )

    assert "Scheduled: it goes live at" in response.content.decode()
    [result] = default_task_backend.results
    assert result.task.name == "publish_scheduled_draft"
    assert result.task.run_after == at
    assert result.kwargs == {"draft_id": draft_for(section).pk}
    draft = draft_for(section)
    assert draft.publish_at == at and draft.change_note == "Tomorrow's rework."
    assert OLD in public.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "fields", "message"),
    [
        ("", {"minor_edit": "on"}, "Give the date and time to publish at"),
        ("past", {"minor_edit": "on"}, "Choose a time in the future, or publish now."),
        ("future", {}, "Say in a sentence what changed for readers"),
    ],
)
def test_a_schedule_that_cannot_happen_is_refused_with_the_reason(
    editor_client, when, fields, message
):
    section, _ = live_section()
    save(editor_client, section, body=f"{NEW}.")
    moment = {
        "": "",
        "past": local(timezone.now() - timedelta(hours=1)),
        "future": local(timezone.now() + timedelta(hours=1)),
    }[when]

    response = editor_client.post(
        draft_url(section), {"_schedule": "x", "publish_at": moment, **fields}, follow=True
    )

    assert message in response.content.decode()
    assert draft_for(section).publish_at is None


@pytest.mark.django_db
def test_a_scheduled_draft_edited_later_keeps_its_schedule_and_says_so(editor_client):
    section, _ = live_section()
    save(editor_client, section, body=f"{NEW}.")
    at = timezone.now() + timedelta(days=2)
    editor_client.post(
        draft_url(section), {"_schedule": "x", "publish_at": local(at), "minor_edit": "on"}
    )
    scheduled = draft_for(section).publish_at

    response = save(editor_client, section, body=f"{NEW}, improved.", follow=True)

    assert draft_for(section).publish_at == scheduled
    assert "This draft is still scheduled: your changes go live at" in response.content.decode()
    assert draft_for(section).changes["body"] == f"{NEW}, improved."


@pytest.mark.django_db
def test_the_backstop_publishes_what_is_due_once_and_leaves_the_rest(editor_client, public):
    section, url = live_section()
    save(editor_client, section, body=f"{NEW}.")
    editor_client.post(
        draft_url(section),
        {
            "_schedule": "x",
            "publish_at": local(timezone.now() + timedelta(hours=1)),
            "change_note": "Scheduled rework.",
        },
    )

    call_command("publish_scheduled", verbosity=0)
    assert OLD in public.get(url).content.decode()  # not yet

    make_due(section)
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    content_published.connect(receiver)
    try:
        call_command("publish_scheduled", verbosity=0)
        call_command("publish_scheduled", verbosity=0)
    finally:
        content_published.disconnect(receiver)

    [signal] = sent
    assert signal["editor"] is None and signal["instance"].pk == section.pk
    assert signal["note"] == "Scheduled rework." and signal["minor_edit"] is False
    assert signal["changed_fields"] == ["body"]

    assert NEW in public.get(url).content.decode()
    published = section.history.filter(history_change_reason="Published: Scheduled rework.")
    assert published.count() == 1
    assert published.get().history_user is None
    assert draft_for(section).events.filter(action="published").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_backstop_runs_at_the_same_moment_publish_exactly_once():
    editor = make_editor()
    section = Section.objects.create(slug="racing", title="Racing", summary="S.", body=f"{OLD}.")
    from django.test import Client

    client = Client()
    staff_login(client, editor)
    save(client, section, body=f"{NEW}.")
    Draft.objects.filter(pk=draft_for(section).pk).update(
        publish_at=timezone.now() - timedelta(seconds=1), minor_edit=True
    )
    sent = []
    content_published.connect(lambda **kwargs: sent.append(kwargs), weak=False, dispatch_uid="t")
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait()
            call_command("publish_scheduled", verbosity=0)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        content_published.disconnect(dispatch_uid="t")

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(sent) == 1
    section.refresh_from_db()
    assert section.body == f"{NEW}."
    assert section.history.filter(history_change_reason__startswith="Published").count() == 1
    assert draft_for(section).events.filter(action="published").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_publishes_a_scheduled_draft_once_its_time_comes(settings):
    settings.TASKS = DATABASE
    editor = make_editor()
    section = Section.objects.create(slug="queued", title="Queued", summary="S.", body=f"{OLD}.")
    from django.test import Client

    client = Client()
    staff_login(client, editor)
    save(client, section, body=f"{NEW}.")
    # datetime-local has minutes only: schedule for the next minute, then bring the task's
    # time near so the test waits seconds, not a minute.
    at = timezone.now() + timedelta(minutes=1)
    client.post(draft_url(section), {"_schedule": "x", "publish_at": local(at), "minor_edit": "on"})
    from django_tasks_db.models import DBTaskResult

    [queued] = DBTaskResult.objects.all()
    assert queued.run_after is not None and queued.run_after > timezone.now()
    soon = timezone.now() + timedelta(seconds=2)
    DBTaskResult.objects.update(run_after=soon)
    Draft.objects.filter(pk=draft_for(section).pk).update(publish_at=soon)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres:///{connection.settings_dict['NAME']}",
        "SECRET_KEY": "worker-only-" + "k" * 50,
        "ALLOWED_HOSTS": "localhost",
        "HTTPS": "0",
    }
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--max-tasks",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output.decode()

    section.refresh_from_db()
    assert section.body == f"{NEW}."
    assert timezone.now() >= soon
    [done] = DBTaskResult.objects.all()
    assert done.status == "SUCCESSFUL" and done.return_value is True
    assert section.history.filter(history_change_reason__startswith="Published").count() == 1
    assert not draft_for(section).pending
