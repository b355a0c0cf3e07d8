"""Database sessions that know which reader is signed in to them.

Django's own session table cannot be searched by reader (its data is signed and encoded),
so deleting an account would leave the reader's sessions on other browsers behind. This
store keeps the signed-in reader's id in a column of its own (Django's documented way of
extending the database session engine), and ``services.account_delete`` deletes them all.

A session nobody is signed in to (an anonymous quiz taker's) ends when the browser closes: its
cookie carries no expiry, so a shared laptop keeps no answers for the next person. The row on
the server, which nothing can reach once the cookie is gone, expires as usual and
``clearsessions`` deletes it.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone

from guide.compiled import AT, VALUE, compiled


@compiled
def _live_session():
    """The data of the unexpired session whose key stands in for VALUE, as at AT."""
    from assessments.models import ReaderSession

    return ReaderSession.objects.filter(session_key=VALUE, expire_date__gt=AT).values_list(
        "session_data"
    )


def _reader_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(DBStore):
    def get_expire_at_browser_close(self) -> bool:
        if self.get("_session_expiry") is None and _reader_id(self._session) is None:
            return True
        return super().get_expire_at_browser_close()

    def load(self) -> dict:
        """Django's, reading the row with a query compiled once per process: every page a
        signed-in reader opens starts here, and building the query cost more than running it."""
        rows = _live_session().tuples(self.session_key, at=timezone.now())
        if not rows:
            self._session_key = None  # as Django's: a missing or expired session starts anew
            return {}
        return self.decode(rows[0][0])

    @classmethod
    def get_model_class(cls):
        from assessments.models import ReaderSession

        return ReaderSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _reader_id(data)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.user_id = _reader_id(data)
        return session
