"""``manage.py enrol_staff USERNAME``: a one-time link to set up a staff account's second factor.

For staff made before the admin asked for a second factor, and for an editor who lost their
phone (their old app and recovery codes keep working until the new app is confirmed). The
link works once, for 24 hours; whoever opens it must still know the account's password.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config import staff


class Command(BaseCommand):
    help = "Print a one-time link (24 hours) that sets up a staff account's second factor."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user_model = get_user_model()
        user = (
            user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username})
            .only(
                "pk", "is_staff", "is_active", "password", "last_login", user_model.USERNAME_FIELD
            )
            .first()
        )
        if user is None:
            raise CommandError(f"There is no account named “{username}”.")
        if not (user.is_staff and user.is_active):
            raise CommandError(
                f"“{username}” is not an active staff account: only staff sign in to the admin."
            )
        self.stdout.write(f"“{username}” now has {staff.second_factor_methods(user)}.")
        self.stdout.write(enrolment_message(user))


def enrolment_message(user) -> str:
    return (
        "Give them this link to set up their second factor (an authenticator app and recovery "
        "codes). It works once, within 24 hours, and asks for their password:\n"
        f"  {staff.enrolment_url(user)}"
    )
