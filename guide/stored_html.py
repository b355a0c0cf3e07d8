"""Markdown rendered once, when an editor saves, and read from the row ever after.

Each markdown field ``x`` has an ``x_html`` column beside it, filled by
:func:`guide.markdown.render` (the one renderer, the admin preview's too) whenever the item
is saved, and a ``rendered_with`` column naming the renderer that filled it:
:data:`RENDERER_VERSION`, a digest of the renderer's code and the versions of Markdown and
nh3. Change any of them and the stored HTML is stale: ``migrate`` re-renders every stale
row (``post_migrate``, which the container's start runs too), and until it has, a page
renders a stale row's text afresh, so no reader ever gets the old renderer's output.

A page that shows several texts keeps their heading and footnote ids unique across them
(``render(source, ids)``). A stored text was rendered alone, so it is used only when none
of its ids is already taken on the page: exactly the case where rendering it in place
would have given the same HTML. Otherwise it is rendered in place, as before.
"""

from __future__ import annotations

import functools
import hashlib
import re
from importlib.metadata import version
from pathlib import Path

from django.db import models, transaction
from django.utils.safestring import SafeString, mark_safe

from guide import markdown


def _renderer_version() -> str:
    digest = hashlib.sha256()
    for module in sorted(Path(markdown.__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    for package in ("markdown", "nh3"):
        digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()[:16]


RENDERER_VERSION = _renderer_version()
# Sanitised HTML keeps ids only on headings and footnotes, always double-quoted.
_ID = re.compile(r'\sid="([^"]+)"')


def html_field(name: str) -> str:
    return f"{name}_html"


def fill(item: models.Model, fields: tuple[str, ...]) -> list[str]:
    """Render ``item``'s markdown ``fields`` into their HTML columns; the columns written."""
    for name in fields:
        setattr(item, html_field(name), str(markdown.render(getattr(item, name))))
    item.rendered_with = RENDERER_VERSION
    return [*map(html_field, fields), "rendered_with"]


def save_fields(item: models.Model, update_fields) -> list[str]:
    """For ``Model.save``: fill the HTML of the markdown fields being saved (all of them on an
    ordinary save) and name the extra columns to write when only some fields are."""
    fields = type(item).markdown_fields
    if update_fields is not None:
        fields = tuple(name for name in fields if name in update_fields)
    return fill(item, fields) if fields else []


def html(item: models.Model, name: str, ids: set[str] | None = None) -> SafeString:
    """``item``'s markdown field ``name`` as HTML: stored when current and its ids are free
    on the page (``ids``, updated in place as ``render`` does), rendered now otherwise."""
    stored = getattr(item, html_field(name), None)
    if stored is not None and getattr(item, "rendered_with", "") == RENDERER_VERSION:
        own = ids_in(stored)
        if ids is None:
            return mark_safe(stored)  # sanitised by guide.markdown.render when saved
        if own.isdisjoint(ids):
            ids |= markdown.RESERVED_IDS | own
            return mark_safe(stored)  # sanitised by guide.markdown.render when saved
    return markdown.render(getattr(item, name), ids)


@functools.lru_cache(maxsize=512)
def ids_in(html_text: str) -> frozenset[str]:
    return frozenset(_ID.findall(html_text))


def refresh(model: type[models.Model], fields: tuple[str, ...], *, stale_only: bool = True) -> int:
    """Render the stored HTML of ``model``'s rows again (only stale ones by default), without
    touching their history or ``updated`` date; how many rows changed. Works on the
    migration's historical models as well as on the real ones."""
    rows = model._base_manager.all()
    if stale_only:
        rows = rows.exclude(rendered_with=RENDERER_VERSION)
    changed = []
    for row in rows.only("pk", *fields).iterator(chunk_size=200):
        fill(row, fields)
        changed.append(row)
    with transaction.atomic():
        model._base_manager.bulk_update(
            changed, [*map(html_field, fields), "rendered_with"], batch_size=200
        )
    return len(changed)


def refresh_all(sender=None, **kwargs) -> None:
    """After ``migrate``: re-render what an older renderer wrote, then empty the page cache."""
    from django.apps import apps

    from guide import page_cache

    count = 0
    for model in apps.get_app_config("guide").get_models():
        fields = getattr(model, "markdown_fields", ())
        if fields and not model._meta.abstract:
            count += refresh(model, fields)
    if count:
        page_cache.content_changed()
