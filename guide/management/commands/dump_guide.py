"""Write the guide's content, as editors left it, to fixtures/guide.json (``make dump-guide``).

Every content type (:func:`guide.content.content_models`), each item by its slug, without
timestamps or columns derived on save: loading the file and dumping again gives the same file.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from guide.content import guide_json
from guide.management.commands.load_guide import FIXTURE


class Command(BaseCommand):
    help = "Write every guide content item to fixtures/guide.json."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fixture", type=Path, default=FIXTURE)

    def handle(self, *args, fixture: Path, **options) -> None:
        fixture.write_text(guide_json(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote the guide to {fixture}."))
