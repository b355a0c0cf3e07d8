"""The Editors group: add, change, delete and view guide content and its history, nothing else.

Permissions are normally created after migrations finish (post_migrate), so on a
fresh database they would not exist yet: create them here for the guide app first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"


def guide_permissions(apps):
    """Every permission of every guide model at this point: content, history, M2M history."""
    app_config = apps.get_app_config("guide")
    # Migration state app configs have no models module; create_permissions skips those.
    app_config.models_module = True
    try:
        create_permissions(app_config, verbosity=0, apps=apps)
    finally:
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_types = ContentType.objects.filter(app_label="guide")
    return Permission.objects.filter(content_type__in=content_types)


def create_editors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(guide_permissions(apps))


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guide", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
