"""Editors: the staff accounts that keep the guide current, and nothing more.

The Editors group itself comes from a data migration (guide/migrations/0002), so every
database has it; this module makes accounts that belong to it.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

EDITORS_GROUP = "Editors"
# Who a review is credited to when the editor's account has no full name: never the login
# name, which is a credential half and means nothing to readers.
EDITORIAL_TEAM = f"{settings.SITE_NAME} editorial team"


def clean_editor_identity(*, username: str, email: str = "") -> str:
    """The username, checked: valid, free, and with a well-formed email if one is given."""
    user_model = get_user_model()
    username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    username = username_field.clean(username, None)
    if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists():
        raise ValidationError(f"An account named “{username}” already exists.", code="taken")
    if email:
        validate_email(email)
    return username


def editor_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """A staff account in the Editors group; raises ``ValidationError`` and saves nothing
    when the username is taken or invalid, the email malformed or the password weak."""
    username = clean_editor_identity(username=username, email=email)
    user_model = get_user_model()
    user = user_model(**{user_model.USERNAME_FIELD: username}, email=email, is_staff=True)
    validate_password(password, user)
    try:
        group = Group.objects.get(name=EDITORS_GROUP)
    except Group.DoesNotExist:
        raise ValidationError(
            "There is no Editors group: run `manage.py migrate` first.", code="no_group"
        ) from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        user.groups.add(group)
    return user


def ensure_editors_group(sender, *, using: str, apps=global_apps, **kwargs) -> None:
    """After every ``migrate``: the Editors group exists and holds every permission of the
    guide app, its history tables included, so a guide model added later reaches editors
    without a data migration of its own. Permissions are only ever added: whatever else
    administrators gave the group stays. (This also puts the group back in a database
    that was flushed, as tests do between transactional tests; the data migration that
    made it doesn't run again, post_migrate does.)"""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.using(using).get_or_create(name=EDITORS_GROUP)
    missing = (
        permission_model.objects.using(using)
        .filter(content_type__app_label="guide")
        .exclude(group=group)
    )
    group.permissions.add(*missing)
