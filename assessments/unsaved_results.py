"""An anonymous reader's quiz result, kept in their session until they keep it in an account.

The session is a row on the server (found through the browser's cookie), linked to no
account; nothing about the result reaches the results tables unless the reader signs up or
signs in and asks to keep it. The session holds the bare minimum: the form's key, the subject, the
answers and when they were given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from assessments.models import Subject
from assessments.scoring import ANSWER_VALUES

SESSION_KEY = "quiz_pending"
CLAIMED_KEY = "quiz_claimed"


@dataclass(frozen=True)
class PendingResult:
    key: uuid.UUID
    subject: str
    answers: dict[str, int]
    taken_at: datetime

    @property
    def about_partner(self) -> bool:
        return self.subject == Subject.PARTNER

    def to_session(self) -> dict:
        return {
            "key": str(self.key),
            "subject": self.subject,
            "answers": dict(self.answers),
            "taken_at": self.taken_at.isoformat(),
        }

    @classmethod
    def from_session(cls, data: object) -> PendingResult | None:
        """Read back what we stored; anything malformed counts as no result."""
        if not isinstance(data, dict):
            return None
        try:
            answers = {str(slug): int(value) for slug, value in data["answers"].items()}
            pending = cls(
                key=uuid.UUID(str(data["key"])),
                subject=Subject(data["subject"]).value,
                answers=answers,
                taken_at=datetime.fromisoformat(data["taken_at"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if not answers or not all(value in ANSWER_VALUES for value in answers.values()):
            return None
        return pending


def kept_for_days() -> int:
    """How long a session, and so an anonymous result, lasts at most: as pages state it."""
    return settings.SESSION_COOKIE_AGE // 86_400


def get_pending(session: SessionBase) -> PendingResult | None:
    return PendingResult.from_session(session.get(SESSION_KEY))


def put_pending(
    session: SessionBase, *, key: uuid.UUID, subject: str, answers: dict[str, int]
) -> PendingResult:
    pending = PendingResult(key=key, subject=subject, answers=answers, taken_at=timezone.now())
    session[SESSION_KEY] = pending.to_session()
    session.pop(CLAIMED_KEY, None)
    return pending


def forget_pending(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
    session.pop(CLAIMED_KEY, None)


def mark_claimed(session: SessionBase, result_id: int) -> None:
    """The pending result is now stored: its page points to the stored one from here on."""
    session.pop(SESSION_KEY, None)
    session[CLAIMED_KEY] = result_id


def claimed_id(session: SessionBase) -> int | None:
    value = session.get(CLAIMED_KEY)
    return value if isinstance(value, int) else None
