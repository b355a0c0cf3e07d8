"""The guide's content types, found in the app registry rather than listed by hand.

``load_guide`` fills them, ``dump_guide`` writes them to the fixture and the permissions test
checks editors hold every permission on them: a new subclass of :class:`guide.models.Content`
reaches all three with nothing else to edit.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder

from guide.models import Content


def content_models() -> list[type[Content]]:
    """Every reader-facing content model of the guide, each after the models it links to
    (references before the chapters citing them), the order a fixture loads in."""
    config = apps.get_app_config("guide")
    models = [model for model in config.get_models() if issubclass(model, Content)]
    return serializers.sort_dependencies([(config, models)])


def editable_field_names(model: type[Content]) -> list[str]:
    """What an editor writes: timestamps and columns derived on save are left out."""
    from guide.drafts import draft_fields

    return [field.name for field in draft_fields(model)]


def guide_records() -> list[dict[str, Any]]:
    """Every content item as a fixture record, by slug (natural keys), in loading order."""
    records = []
    for model in content_models():
        records += serializers.serialize(
            "python",
            model._base_manager.order_by("pk"),
            fields=editable_field_names(model),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
    return records


def guide_json() -> str:
    """:func:`guide_records` as the fixture's text: two-space indents, characters as they are."""
    return json.dumps(guide_records(), indent=2, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"
