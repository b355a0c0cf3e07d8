"""``manage.py add_editor USERNAME``: a staff account in the Editors group.

The password is asked for twice (never on the command line, where shells keep it in
their history) and must pass the site's password validators. For scripts,
``--no-input`` reads it from the ``EDITOR_PASSWORD`` environment variable. It ends with the
one-time link the editor opens to set up their second factor (see ``enrol_staff``).
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from guide.editors import EDITORS_GROUP, clean_editor_identity, editor_create
from guide.management.commands.enrol_staff import enrolment_message

ATTEMPTS = 3


class Command(BaseCommand):
    help = "Make a staff account in the Editors group: it can edit guide content and nothing else."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Optional contact address.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Read the password from the EDITOR_PASSWORD environment variable.",
        )

    def handle(self, *args, username: str, email: str, interactive: bool, **options) -> None:
        try:
            # Before asking for a password, so a taken name is said at once.
            clean_editor_identity(username=username, email=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if interactive:
            password = self.ask_password(username, email)
        else:
            password = os.environ.get("EDITOR_PASSWORD", "")
            if not password:
                raise CommandError("Set EDITOR_PASSWORD, or run without --no-input to be asked.")
        try:
            user = editor_create(username=username, password=password, email=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Made editor “{user.get_username()}” (staff, in the {EDITORS_GROUP} group). "
                "They sign in at /admin/ with their password and a code."
            )
        )
        self.stdout.write(enrolment_message(user))

    def ask_password(self, username: str, email: str) -> str:
        """Ask until two entries match and pass the validators, a few times at most."""
        user_model = get_user_model()
        # An unsaved user lets the similarity validator compare the password with the name.
        probe = user_model(**{user_model.USERNAME_FIELD: username}, email=email)
        for _ in range(ATTEMPTS):
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except EOFError:
                raise CommandError("No account made: the input ended before a password.") from None
            except KeyboardInterrupt:
                raise CommandError("No account made: cancelled.") from None
            if password != again:
                self.stderr.write("The two passwords don't match. Try again.")
                continue
            if not password.strip():
                self.stderr.write("The password can't be blank. Try again.")
                continue
            try:
                validate_password(password, probe)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return password
        raise CommandError("No account made: no acceptable password given.")
