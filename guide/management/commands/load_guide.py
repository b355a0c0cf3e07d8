"""Load the guide's initial content from fixtures/ into the tables that are empty.

Idempotent and safe to run on every start. Each content type is filled only while its table is
empty, so a type added in a later release (reflection prompts, help lines, …) reaches databases
that already hold the guide, and what editors changed (or deleted) is never overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from guide.content import content_models
from guide.history import history_collapse, latest_history_id

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "guide.json"


class Command(BaseCommand):
    help = "Fill each empty guide content table from fixtures/guide.json."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fixture", type=Path, default=FIXTURE)

    def handle(self, *args, fixture: Path, **options) -> None:
        if not fixture.exists():
            raise CommandError(f"No fixture at {fixture}.")
        loaded = load_fixture(fixture)
        if not loaded:
            self.stdout.write("Guide content already present: left as editors left it.")
            return
        count = sum(loaded.values())
        kinds = ", ".join(f"{n} {model._meta.verbose_name_plural}" for model, n in loaded.items())
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {count} guide items from {fixture.name} ({kinds}).")
        )


@transaction.atomic
def load_fixture(path: Path) -> dict[type[models.Model], int]:
    """Load the fixture's items of every type whose table is empty; return the counts per type.

    Each object is saved the ordinary way, so timestamps and history are recorded: one
    "Created" version each, its links included (reverting to it must not drop a chapter's
    citations). Types that already hold rows are skipped whole, never merged into.
    """
    with path.open(encoding="utf-8") as stream:
        records = json.load(stream)
    by_label: dict[str, list[dict]] = {}
    for record in records:
        by_label.setdefault(record["model"], []).append(record)
    kinds = {model._meta.label_lower: model for model in content_models()}
    unknown = sorted(set(by_label) - set(kinds))
    if unknown:
        raise CommandError(f"{path.name} holds {', '.join(unknown)}: not guide content.")
    # Only the empty types' records are deserialized, each type after those it links to: a
    # link in a skipped record may name an item editors have since deleted, and must not
    # stop the new types from loading.
    wanted = [
        record
        for label, model in kinds.items()
        if not model.objects.exists()
        for record in by_label.get(label, [])
    ]
    items = serializers.deserialize("python", wanted, handle_forward_references=False)
    loaded: dict[type[models.Model], int] = {}
    for item in items:
        obj = item.object
        model = type(obj)
        after = latest_history_id(model)
        obj.save()
        for field_name, values in item.m2m_data.items():
            getattr(obj, field_name).set(values)
        history_collapse(obj, after=after)
        loaded[model] = loaded.get(model, 0) + 1
    return loaded
