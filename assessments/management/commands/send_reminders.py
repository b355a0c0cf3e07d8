"""Queue the weekly reminders that are due. Safe to run as often as you like, on as many
servers as you like: a database constraint lets each reader's week be queued once."""

from django.core.management.base import BaseCommand

from assessments.reminders import enqueue_due


class Command(BaseCommand):
    help = "Queue this week's reminder for every reader whose chosen day and hour has come."

    def handle(self, *args, **options) -> None:
        queued = enqueue_due()
        self.stdout.write(f"{queued} reminder{'' if queued == 1 else 's'} queued.")
