"""The real guide, and the people who visit the admin: nobody, a reader, an editor, a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_editor, make_user, staff_login
from tests.guide_snapshot import load_guide


@pytest.fixture
def guide(db):
    """The real guide, loaded from fixtures/guide.json as `make run` loads it."""
    load_guide()


@pytest.fixture
def reader(db):
    return make_user()


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "a-long-pass-42")


@pytest.fixture
def editor_client(client, editor):
    staff_login(client, editor)
    return client


@pytest.fixture
def public():
    """A signed-out visitor, separate from ``client`` (which the editor may be using)."""
    return Client()


# What an editor writes when saving a published change readers would notice: the admin asks
# for it (guide.admin.ChangeNoteFields).
NOTED = {"change_note": "Reworded for clarity."}


def form_data(form) -> dict:
    """What a browser would post back for a rendered admin form, untouched."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    return data


# What pressing "Publish" on an item readers see adds to its form: the button, and the
# minor-edit box that stands in for a change note.
PUBLISH = {"_publish": "Publish", "minor_edit": "on"}
