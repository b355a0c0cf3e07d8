"""Publish every scheduled draft whose time has passed: the backstop behind the task queue.

Run it as often as you like (the housekeeping runs it every minute), from several boxes at
once if need be: each draft is published exactly once, by whichever run locks it first.
"""

from django.core.management.base import BaseCommand

from guide.drafts import publish_due


class Command(BaseCommand):
    help = "Publish scheduled drafts whose time has come (idempotent; safe to run in parallel)."

    def handle(self, *args, **options) -> None:
        published = publish_due()
        if options["verbosity"]:
            drafts = "draft" if published == 1 else "drafts"
            self.stdout.write(f"Published {published} scheduled {drafts}.")
