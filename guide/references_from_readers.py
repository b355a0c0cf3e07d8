"""Readers' own data that points at guide content, found without importing the apps that hold it.

The quiz app keeps readers' answers (pointing at signs) and toolkits (pointing at
strategies). Guide code must not depend on it, so it asks Django at run time which
models of *other* apps refer to a guide item, and how many of their rows do. The
admin uses the answer to refuse deletions that would change what readers saved,
without ever showing whose data it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

# Deleting the guide item leaves the reader's row in place, only unlinked: their own copy
# of what it said (a result's snapshot of a sign's wording) keeps its meaning.
_UNLINKING = {models.SET_NULL, models.SET_DEFAULT, models.DB_SET_NULL, models.DB_SET_DEFAULT}


@dataclass(frozen=True)
class ReaderReference:
    """How many rows of one model of readers' data point at a guide item."""

    model: type[models.Model]
    count: int
    # True when deleting the item would only unlink those rows, not delete or break them.
    unlinks: bool

    @property
    def label(self) -> str:
        opts = self.model._meta
        return str(opts.verbose_name if self.count == 1 else opts.verbose_name_plural)


def _unlinks(relation: models.ForeignObjectRel) -> bool:
    if relation.many_to_many:
        return False  # the link row itself would go
    on_delete = relation.on_delete
    return on_delete in _UNLINKING or getattr(on_delete, "__name__", "") == "set_on_delete"


def _is_loose(relation: models.ForeignObjectRel) -> bool:
    """A pointer with no database constraint that nothing follows on delete (history rows)."""
    field = relation.field
    return relation.on_delete is models.DO_NOTHING and not getattr(field, "db_constraint", True)


def reader_references(obj: models.Model) -> list[ReaderReference]:
    """Rows of other apps' models that point at ``obj``, one entry per model that has any."""
    opts = obj._meta
    found = []
    for relation in opts.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue  # only reverse relations: other models pointing here
        related = relation.related_model
        if related._meta.app_label == opts.app_label or related._meta.auto_created:
            continue  # the guide's own links and history; M2M rows are counted via the M2M
        if _is_loose(relation):
            continue
        count = related._base_manager.filter(**{relation.field.name: obj.pk}).count()
        if count:
            found.append(ReaderReference(related, count, _unlinks(relation)))
    return found
