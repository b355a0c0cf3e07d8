"""Revision history that can be trusted to restore: one version per save, links included,
and deleted items brought back with the links other items had to them.

simple-history writes a version when an item is saved and another each time one of its
many-to-many fields changes, so a save that edits text and links leaves a version with
the new text and the old links: restoring that one would bring back a state that never
was. :func:`history_collapse` folds the versions one save made into its last one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher

from django.apps import apps
from django.db import models
from django.db.models import Max
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name


def latest_history_id(model: type[models.Model]) -> int:
    """The newest version of any ``model`` item so far (0 for none): what
    :func:`history_collapse` counts from, taken before the save."""
    return model.history.aggregate(newest=Max("history_id"))["newest"] or 0


def history_collapse(obj: models.Model, *, after: int) -> None:
    """Keep one version for everything written to ``obj``'s history after version ``after``:
    the last (whose links are the saved ones), typed as the first ("Created" or "Changed")."""
    versions = list(obj.history.filter(history_id__gt=after).order_by("history_id"))
    if len(versions) < 2:
        return
    first, last = versions[0], versions[-1]
    if last.history_type != first.history_type:
        last.history_type = first.history_type
        last.save(update_fields=["history_type"])
    obj.history.filter(history_id__in=[v.history_id for v in versions[:-1]]).delete()


def tracked_links_to(model: type[models.Model]) -> Iterator[tuple[type[models.Model], object]]:
    """Every guide model whose history records a many-to-many field pointing at ``model``
    (a sign's strategies, a chapter's references), with that field."""
    for other in apps.get_app_config("guide").get_models():
        if not hasattr(other._meta, "simple_history_manager_attribute"):
            continue  # not tracked, or a history table itself
        for field in other.history.model._history_m2m_fields:
            if field.related_model is model:
                yield other, field


def tracked_foreign_keys_to(
    model: type[models.Model],
) -> Iterator[tuple[type[models.Model], models.ForeignKey]]:
    """Every tracked guide model with a foreign key to ``model`` that deleting ``model``'s
    item empties (a chapter's reviewer), with that key. Keys that delete along with the item
    (a sign's reflection prompts) leave nothing to relink."""
    for other in apps.get_app_config("guide").get_models():
        if not hasattr(other._meta, "simple_history_manager_attribute"):
            continue  # not tracked, or a history table itself
        for field in other._meta.concrete_fields:
            if (
                field.many_to_one
                and field.related_model is model
                and field.remote_field.on_delete is models.SET_NULL
            ):
                yield other, field


def deleted_records(model: type[models.Model]) -> list:
    """The deletion of each item of ``model`` that is gone now, newest first."""
    deletions = (
        model.history.filter(history_type="-")
        .exclude(id__in=model._base_manager.values("pk"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    latest: dict[int, object] = {}
    for record in deletions:
        latest.setdefault(record.id, record)
    return list(latest.values())


def last_version_before_deletion(model: type[models.Model], pk: int):
    """The item as it was just before it was deleted (``None`` if it never was saved)."""
    return (
        model.history.filter(id=pk)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )


def relink_restored(obj: models.Model, *, user=None) -> int:
    """Put back the links other items had to ``obj`` when it was deleted (the signs a
    strategy helped, the chapters that cited a reference or named a reviewer): deleting
    removed them without a new version of those items, so their versions at that moment
    still name ``obj``. Returns how many links were put back."""
    deletion = obj.history.filter(history_type="-").order_by("-history_date", "-history_id").first()
    if deletion is None:
        return 0
    restored = _relink_foreign_keys(obj, deletion, user=user)
    for other, field in tracked_links_to(type(obj)):
        m2m_history = getattr(other.history.model, field.name).model
        target = get_m2m_reverse_field_name(field)
        source = get_m2m_field_name(field)
        linking = set(
            m2m_history.objects.filter(**{f"{target}_id": obj.pk}).values_list(
                "history_id", flat=True
            )
        )
        if not linking:
            continue
        # Each item's version as it stood when obj was deleted: did it link to obj then?
        candidates = other.history.filter(
            id__in=other.history.filter(history_id__in=linking).values("id"),
            history_date__lte=deletion.history_date,
        ).order_by("id", "-history_date", "-history_id")
        at_deletion: dict[int, int] = {}
        for version in candidates:
            at_deletion.setdefault(version.id, version.history_id)
        linked_ids = [pk for pk, history_id in at_deletion.items() if history_id in linking]
        through = field.remote_field.through
        live = other._base_manager.filter(pk__in=linked_ids)
        for item in live:
            if not through.objects.filter(**{source: item, target: obj}).exists():
                item._history_user = user
                getattr(item, field.name).add(obj)  # recorded as a new version of item
                restored += 1
    return restored


def _relink_foreign_keys(obj: models.Model, deletion, *, user) -> int:
    """The foreign-key half of :func:`relink_restored`: each item that named ``obj`` when it
    was deleted, and names nothing since (an editor's later choice stands), names it again."""
    restored = 0
    for other, field in tracked_foreign_keys_to(type(obj)):
        candidates = other.history.filter(
            id__in=other.history.filter(**{field.attname: obj.pk}).values("id"),
            history_date__lte=deletion.history_date,
        ).order_by("id", "-history_date", "-history_id")
        at_deletion: dict[int, object] = {}
        for version in candidates:
            at_deletion.setdefault(version.id, getattr(version, field.attname))
        linked_ids = [pk for pk, value in at_deletion.items() if value == obj.pk]
        live = other._base_manager.filter(pk__in=linked_ids, **{f"{field.attname}__isnull": True})
        for item in live:
            item._history_user = user
            setattr(item, field.attname, obj.pk)
            item.save(update_fields=[field.name])  # recorded as a new version of item
            restored += 1
    return restored


# Reading what changed ------------------------------------------------------------------

_LINE_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# Words (and the spaces between them) kept either side of a change: enough to find it.
CONTEXT_TOKENS = 8
# Two passages whose word lists multiply past this are shown whole, not compared word by
# word: the comparison's cost grows with the product, and a rewrite that large reads as
# a rewrite anyway.
WORD_DIFF_LIMIT = 1_000_000
WHOLE_PASSAGE_CHARS = 300


def text_diff(old: str, new: str) -> SafeString:
    """Just the passages that changed between two texts, word by word: removed words in
    ``<del>``, added ones in ``<ins>``, a few words of context either side, everything
    escaped. Paragraphs are matched first, so an edit in one is found in a long text
    without comparing every word with every other."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    passages: list[SafeString] = []
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        if tag != "equal":
            before, after = "\n".join(old_lines[i1:i2]), "\n".join(new_lines[j1:j2])
            passages.extend(_word_passages(before, after))
    items = format_html_join("", '<li class="diff-passage">{}</li>', ((p,) for p in passages))
    return format_html('<ol class="text-diff">{}</ol>', items)


def _word_passages(before: str, after: str) -> list[SafeString]:
    old, new = _LINE_TOKENS.findall(before), _LINE_TOKENS.findall(after)
    if len(old) * len(new) > WORD_DIFF_LIMIT:
        return [
            format_html(
                "{}{}",
                _marked("del", Truncator(before).chars(WHOLE_PASSAGE_CHARS)),
                _marked("ins", Truncator(after).chars(WHOLE_PASSAGE_CHARS)),
            )
        ]
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    passages = []
    for group in matcher.get_grouped_opcodes(CONTEXT_TOKENS):
        pieces = []
        for position, (tag, i1, i2, j1, j2) in enumerate(group):
            if tag == "equal":
                context = "".join(old[i1:i2])
                if position == 0 and i1 > 0:  # cut short before: say so
                    context = "… " + context.lstrip()
                if position == len(group) - 1 and i2 < len(old):  # and after
                    context = context.rstrip() + " …"
                pieces.append(escape(context))
            if tag in {"delete", "replace"}:
                pieces.append(_marked("del", "".join(old[i1:i2])))
            if tag in {"insert", "replace"}:
                pieces.append(_marked("ins", "".join(new[j1:j2])))
        passages.append(mark_safe("".join(pieces)))  # each piece escaped above
    return passages


def _marked(tag: str, text: str) -> SafeString:
    return format_html("<{}>{}</{}>", tag, text, tag) if text else mark_safe("")
