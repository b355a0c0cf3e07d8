"""Template context every page may use, computed only if a template asks for it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def toolkit(request: HttpRequest) -> dict:
    """``saved_slugs``: the strategies in the signed-in reader's toolkit.

    Lazy, so a page that shows no Save button (or a signed-out reader's page, which
    shows a sign-in link instead) costs no query and touches no session for it.
    """
    from assessments.presenters import saved_slugs_for

    return {"saved_slugs": SimpleLazyObject(lambda: saved_slugs_for(request.user))}
