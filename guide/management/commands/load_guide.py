"""Load the guide's initial content from fixtures/ into an empty database.

Idempotent and safe to run on every start: once any guide content exists, it
does nothing, so what editors changed (or deleted) is never overwritten.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guide.history import history_collapse, latest_history_id
from guide.models import FAQ, Reference, Section, Sign, Strategy, Therapy

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "guide.json"
CONTENT_MODELS = (Reference, Strategy, Section, Sign, Therapy, FAQ)


class Command(BaseCommand):
    help = "Fill an empty database with the guide's content from fixtures/guide.json."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fixture", type=Path, default=FIXTURE)

    def handle(self, *args, fixture: Path, **options) -> None:
        if any(model.objects.exists() for model in CONTENT_MODELS):
            self.stdout.write("Guide content already present: left as editors left it.")
            return
        if not fixture.exists():
            raise CommandError(f"No fixture at {fixture}.")
        count = load_fixture(fixture)
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} guide items from {fixture.name}."))


@transaction.atomic
def load_fixture(path: Path) -> int:
    """Save each object the ordinary way, so timestamps and history are recorded: one
    "Created" version each, its links included (reverting to it must not drop a
    chapter's citations)."""
    count = 0
    with path.open(encoding="utf-8") as stream:
        for item in serializers.deserialize("json", stream, handle_forward_references=False):
            obj = item.object
            after = latest_history_id(type(obj))
            obj.save()
            for field_name, values in item.m2m_data.items():
                getattr(obj, field_name).set(values)
            history_collapse(obj, after=after)
            count += 1
    return count
