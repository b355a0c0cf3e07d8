"""Template context every page may use, computed only if a template asks for it."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


def toolkit(request: HttpRequest) -> dict:
    """``saved_slugs``: the strategies in the signed-in reader's toolkit.

    Lazy, so a page that shows no Save button (or a signed-out reader's page, which
    shows a sign-in link instead) costs no query and touches no session for it.
    """
    from assessments.presenters import saved_slugs_for

    return {"saved_slugs": SimpleLazyObject(lambda: saved_slugs_for(request.user))}


def practise_urls(request: HttpRequest) -> dict:
    """``practise_urls``: where the "I practised this today" buttons post and link, resolved
    once per page however many of them a page shows (a toolkit shows one per strategy)."""
    return {
        "practise_urls": SimpleLazyObject(
            lambda: {
                "quick": reverse("assessments:practice-quick"),
                "new": reverse("assessments:practice-new"),
            }
        )
    }
