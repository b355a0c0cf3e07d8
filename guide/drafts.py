"""Drafts of live content: changes kept beside the live item until an editor publishes them.

Readers only ever read the content tables; a draft lives in :class:`guide.models.Draft` as
the fields (and links) that differ from the live item, so nothing a reader can reach shows
it. Staff see it on the real page through a preview link (:func:`preview`). Publishing
(:func:`draft_publish`) copies it onto the live item, links included, in one transaction,
exactly once however many workers try at the same moment: the draft's row is locked and
emptied by the first.

A content type opts in with its admin (``guide.draft_admin.DraftAdminMixin``, which every
``ContentAdmin`` has) and, if it has public pages, by passing what they show through
:func:`preview`. Every editable field and many-to-many link is drafted.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from markdownx.models import MarkdownxField
from simple_history.utils import get_m2m_reverse_field_name

from guide import page_cache
from guide.changes import NOTE_REQUIRED, needs_note
from guide.history import history_collapse, latest_history_id, text_diff
from guide.markdown import render as render_markdown
from guide.models import Draft, DraftEvent, EditingPresence
from guide.references_from_readers import reader_references
from guide.signals import content_published

# "Editing" means the form was opened or saved this recently.
EDITING_WINDOW = timedelta(minutes=30)
PREVIEW_PARAM, PREVIEW_VALUE = "preview", "draft"


class PublishError(Exception):
    """A draft action that can't happen, with the reason in words an editor can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def review_required() -> bool:
    """``EDITORIAL_REVIEW=1``: a second editor approves every draft before it is published."""
    return bool(getattr(settings, "EDITORIAL_REVIEW", False))


# What a draft holds -----------------------------------------------------------------------


def draft_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields an editor edits, links last: everything a draft may change."""
    concrete = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    return [*concrete, *[f for f in model._meta.many_to_many if f.editable]]


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model, links: dict[str, list[int]] | None = None) -> dict:
    """Every drafted field of ``obj`` as JSON; links from ``links``, else as ``obj`` has them."""
    data = {}
    for field in draft_fields(type(obj)):
        if field.many_to_many:
            if links is not None and field.name in links:
                pks = links[field.name]
            else:
                pks = [linked.pk for linked in getattr(obj, field.name).all()] if obj.pk else []
            data[field.name] = sorted(pks)
        else:
            data[field.name] = _json(field.value_from_object(obj))
    return data


def apply_fields(obj: models.Model, changes: dict) -> None:
    """Set ``obj``'s fields (not its links) to the draft's values, in memory."""
    for field in draft_fields(type(obj)):
        if field.name in changes and not field.many_to_many:
            setattr(obj, field.attname, field.to_python(changes[field.name]))


def show_links(obj: models.Model, changes: dict, queryset_for=None) -> None:
    """Make ``obj``'s links read as the draft has them (``obj.<field>.all()``), in memory."""
    for field in draft_fields(type(obj)):
        if field.name in changes and field.many_to_many:
            target = field.related_model
            queryset = queryset_for(target) if queryset_for else target._default_manager.all()
            linked = queryset.filter(pk__in=changes[field.name])
            list(linked)  # evaluate once, as a prefetch would
            obj.__dict__.setdefault("_prefetched_objects_cache", {})[field.name] = linked


def overlay(obj: models.Model, draft: Draft | None, queryset_for=None) -> models.Model:
    """``obj`` as its draft would make it (fields and links), in memory."""
    if draft is not None and draft.pending:
        apply_fields(obj, draft.changes)
        show_links(obj, draft.changes, queryset_for)
        obj.draft_preview = draft
    return obj


def content_type_of(model_or_obj) -> ContentType:
    return ContentType.objects.get_for_model(model_or_obj, for_concrete_model=True)


def draft_for(obj: models.Model) -> Draft | None:
    return Draft.objects.filter(content_type=content_type_of(obj), object_id=obj.pk).first()


def lock_draft(obj: models.Model) -> Draft:
    """``obj``'s draft row, made if need be, locked until the transaction ends."""
    draft, _ = Draft.objects.select_for_update().get_or_create(
        content_type=content_type_of(obj), object_id=obj.pk
    )
    return draft


def _locked(draft_id: int) -> Draft:
    try:
        return Draft.objects.select_for_update().select_related("content_type").get(pk=draft_id)
    except Draft.DoesNotExist:
        raise PublishError("This draft no longer exists: its item was deleted.") from None


def _check_version(draft: Draft, expected: int | None) -> None:
    if expected is not None and draft.version != expected:
        who = name_of(draft.updated_by) if draft.updated_by else "Someone"
        raise PublishError(
            f"{who} changed this draft since you opened it, so nothing was done. Look at the "
            "draft as it is now, then try again."
        )


def _check_note(note: str, minor_edit: bool, changes: dict) -> None:
    if not note.strip() and not minor_edit and needs_note(changes):
        raise PublishError(NOTE_REQUIRED)


def name_of(user) -> str:
    """How editors see each other: full name, else the account name (staff pages only)."""
    if user is None:
        return "the schedule"
    return user.get_full_name() or user.get_username()


def _clear(draft: Draft) -> None:
    draft.changes = {}
    draft.authors = []
    draft.change_note = ""
    draft.minor_edit = False
    draft.approved_by = None
    draft.approved_version = None
    draft.approval_comment = ""
    draft.publish_at = None


# Writing ----------------------------------------------------------------------------------


@transaction.atomic
def draft_save(
    *,
    draft: Draft,
    obj: models.Model,
    links: dict[str, list[int]] | None,
    editor,
    note: str = "",
    minor_edit: bool = False,
) -> Draft:
    """Keep ``obj`` as edited (unsaved) in ``draft`` (locked by the caller), beside the live
    item: only what differs from live is kept. The schedule, if any, stays; an approval is
    for the version approved, so an edit needs approving again."""
    live = type(obj)._base_manager.get(pk=obj.pk)
    live_data, edited = snapshot(live), snapshot(obj, links)
    draft.changes = {name: value for name, value in edited.items() if live_data[name] != value}
    draft.version += 1
    draft.updated_by = editor
    draft.updated = timezone.now()
    draft.change_note = note.strip()
    draft.minor_edit = minor_edit
    if not draft.changes:
        _clear(draft)  # nothing differs from live: no draft remains
    elif editor is not None and editor.pk not in draft.authors:
        draft.authors = [*draft.authors, editor.pk]
    draft.save()
    DraftEvent.objects.create(
        draft=draft,
        action=DraftEvent.Action.SAVED,
        user=editor,
        version=draft.version,
        snapshot=edited,
        comment=draft.change_note,
    )
    return draft


@transaction.atomic
def drafts_to_publish(items, *, editor) -> int:
    """A draft that makes each hidden item visible (the list's Publish, with review on)."""
    count = 0
    for obj in items:
        draft = lock_draft(obj)
        obj.published = True
        draft_save(draft=draft, obj=obj, links=None, editor=editor, note=draft.change_note)
        count += 1
    return count


def draft_publish(
    *,
    draft_id: int,
    editor,
    note: str | None = None,
    minor_edit: bool | None = None,
    expected_version: int | None = None,
    scheduled: bool = False,
) -> models.Model | None:
    """Make the draft live: its fields and links on the live item, one version in the
    history, the note for readers, ``content_published`` sent, all in one transaction
    (any failure leaves the live item and the draft as they were). Returns the live item,
    or ``None`` when there was nothing to do: already published by someone else, or, for
    a scheduled publish, rescheduled to later. Raises :class:`PublishError` otherwise."""
    with transaction.atomic():
        draft = _locked(draft_id)
        if not draft.pending:
            if scheduled:
                return None
            raise PublishError("There is no draft to publish: it was published or discarded.")
        if scheduled and (draft.publish_at is None or draft.publish_at > timezone.now()):
            return None
        _check_version(draft, expected_version)
        if review_required() and not draft.approved:
            if scheduled:
                return None  # goes out once approved (approving enqueues it again)
            raise PublishError(
                "This draft needs a second editor’s approval before it can be published."
            )
        note = draft.change_note if note is None else note.strip()
        minor_edit = draft.minor_edit if minor_edit is None else minor_edit
        _check_note(note, minor_edit, draft.changes)

        model = draft.content_type.model_class()
        obj = model._base_manager.select_for_update().get(pk=draft.object_id)
        changes = draft.changes
        if "slug" in changes and changes["slug"] != obj.slug and reader_references(obj):
            raise PublishError(
                "Not published: readers’ own data now knows this item by its slug, so it "
                "can’t change. Put the old slug back in the draft, then publish."
            )
        apply_fields(obj, changes)
        try:
            obj.full_clean(exclude=[f.name for f in model._meta.many_to_many])
        except ValidationError as error:
            raise PublishError(
                "Not published: " + " ".join(error.messages) + " Edit the draft, then try again."
            ) from None
        after = latest_history_id(model)
        obj._history_user = editor
        obj.save()
        for field in draft_fields(model):
            if field.many_to_many and field.name in changes:
                existing = field.related_model._base_manager.filter(pk__in=changes[field.name])
                getattr(obj, field.name).set(list(existing))
        history_collapse(obj, after=after)
        reason = f"Published: {note}" if note else "Published (minor edit)"
        obj.history.filter(history_id__gt=after).update(history_change_reason=reason[:100])

        version = draft.version + 1
        _clear(draft)
        draft.version = version
        draft.updated = timezone.now()
        draft.save()
        DraftEvent.objects.create(
            draft=draft,
            action=DraftEvent.Action.PUBLISHED,
            user=editor,
            version=version,
            comment=note or "Minor edit",
        )
        content_published.send(
            sender=model,
            instance=obj,
            editor=editor,
            note=note,
            minor_edit=minor_edit,
            changed_fields=sorted(changes),
        )
        transaction.on_commit(page_cache.content_changed)
    return obj


@transaction.atomic
def draft_discard(*, draft_id: int, editor, expected_version: int | None = None) -> Draft:
    """Drop the draft; the live item was never touched, so nothing needs restoring."""
    draft = _locked(draft_id)
    if not draft.pending:
        raise PublishError("There is no draft to discard.")
    _check_version(draft, expected_version)
    _clear(draft)
    draft.version += 1
    draft.updated_by = editor
    draft.updated = timezone.now()
    draft.save()
    DraftEvent.objects.create(
        draft=draft, action=DraftEvent.Action.DISCARDED, user=editor, version=draft.version
    )
    return draft


@transaction.atomic
def draft_approve(
    *, draft_id: int, editor, comment: str = "", expected_version: int | None = None
) -> Draft:
    """A second editor's approval of the draft as it stands (an edit after it needs another)."""
    draft = _locked(draft_id)
    if not draft.pending:
        raise PublishError("There is no draft to approve.")
    _check_version(draft, expected_version)
    if editor.pk in draft.authors:
        raise PublishError(
            "You can’t approve a draft you wrote or edited: another editor has to review it."
        )
    draft.approved_by = editor
    draft.approved_version = draft.version
    draft.approval_comment = comment.strip()
    draft.save()
    DraftEvent.objects.create(
        draft=draft,
        action=DraftEvent.Action.APPROVED,
        user=editor,
        version=draft.version,
        comment=draft.approval_comment,
    )
    if draft.publish_at is not None:
        _enqueue(draft)  # a schedule that waited for this approval
    return draft


@transaction.atomic
def draft_schedule(
    *,
    draft_id: int,
    editor,
    publish_at: datetime,
    note: str,
    minor_edit: bool,
    expected_version: int | None = None,
) -> Draft:
    """Publish the draft at ``publish_at``: a task waits on the queue until then, and the
    ``publish_scheduled`` command catches any the queue missed."""
    draft = _locked(draft_id)
    if not draft.pending:
        raise PublishError("There is no draft to schedule.")
    _check_version(draft, expected_version)
    if publish_at <= timezone.now():
        raise PublishError("Choose a time in the future, or publish now.")
    _check_note(note, minor_edit, draft.changes)
    draft.publish_at = publish_at
    draft.change_note = note.strip()
    draft.minor_edit = minor_edit
    draft.save()
    DraftEvent.objects.create(
        draft=draft,
        action=DraftEvent.Action.SCHEDULED,
        user=editor,
        version=draft.version,
        comment=f"For {timezone.localtime(publish_at):%Y-%m-%d %H:%M}",
    )
    _enqueue(draft)
    return draft


@transaction.atomic
def draft_unschedule(*, draft_id: int, editor) -> Draft:
    draft = _locked(draft_id)
    if draft.publish_at is None:
        raise PublishError("This draft is not scheduled.")
    draft.publish_at = None
    draft.save()
    DraftEvent.objects.create(
        draft=draft, action=DraftEvent.Action.UNSCHEDULED, user=editor, version=draft.version
    )
    return draft


def _enqueue(draft: Draft) -> None:
    from guide.tasks import publish_scheduled_draft

    if not publish_scheduled_draft.get_backend().supports_defer:
        return  # a backend that runs tasks at once can't wait: the backstop command will
    run_after = max(draft.publish_at, timezone.now())
    draft_id = draft.pk
    transaction.on_commit(
        lambda: publish_scheduled_draft.using(run_after=run_after).enqueue(draft_id=draft_id)
    )


def publish_due() -> int:
    """Publish every scheduled draft whose time has come; safe to run any number of times,
    at once or in parallel (each draft is published by whoever locks it first). Returns how
    many this call published."""
    published = 0
    due = Draft.objects.scheduled().filter(publish_at__lte=timezone.now())
    for draft_id in due.values_list("pk", flat=True):
        try:
            if draft_publish(draft_id=draft_id, editor=None, scheduled=True) is not None:
                published += 1
        except PublishError:
            continue  # stays scheduled and visible to editors, with its reason on Publish
    return published


def forget_drafts(sender, instance, **kwargs) -> None:
    """An item deleted takes its draft and its editors' presence with it (restoring it from
    "Recently deleted" brings back the live version, never a stale draft)."""
    content_type = content_type_of(instance)
    Draft.objects.filter(content_type=content_type, object_id=instance.pk).delete()
    EditingPresence.objects.filter(content_type=content_type, object_id=instance.pk).delete()


# Who else is editing ---------------------------------------------------------------------


def presence_touch(obj: models.Model, user) -> list[EditingPresence]:
    """Note that ``user`` is editing ``obj`` now; the others editing it (opened or saved in
    the last 30 minutes), longest first."""
    now = timezone.now()
    since_window = now - EDITING_WINDOW
    content_type = content_type_of(obj)
    mine, created = EditingPresence.objects.get_or_create(
        content_type=content_type, object_id=obj.pk, user=user, defaults={"since": now, "seen": now}
    )
    if not created:
        if mine.seen < since_window:
            mine.since = now
        mine.seen = now
        mine.save(update_fields=["since", "seen"])
    return list(
        EditingPresence.objects.filter(
            content_type=content_type, object_id=obj.pk, seen__gte=since_window
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("since")
    )


# Previewing on the real page ----------------------------------------------------------------


def previewing(request) -> bool:
    user = request.user
    return (
        user.is_authenticated and user.is_staff and request.GET.get(PREVIEW_PARAM) == PREVIEW_VALUE
    )


def preview_url(obj: models.Model) -> str:
    """Where staff see ``obj``'s draft on its real page (before any #anchor)."""
    path, _, anchor = obj.get_absolute_url().partition("#")
    return f"{path}?{PREVIEW_PARAM}={PREVIEW_VALUE}" + (f"#{anchor}" if anchor else "")


def preview(request, *objs: models.Model) -> list[models.Model]:
    """On a preview link, show staff the drafts of ``objs`` in place (fields and links);
    returns the items shown as drafts. For everyone else, and without the link, nothing
    changes and no query is made."""
    if not previewing(request) or not objs:
        return []
    if not hasattr(request, "_pending_drafts"):
        # Every pending draft at once: editors keep a handful, and a page asks several times.
        request._pending_drafts = {
            (draft.content_type_id, draft.object_id): draft for draft in Draft.objects.pending()
        }
    drafts = request._pending_drafts
    user = request.user

    def visible(target):
        manager = target._default_manager
        return manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()

    shown = []
    for obj in objs:
        draft = drafts.get((content_type_of(obj).pk, obj.pk))
        if draft is not None:
            overlay(obj, draft, visible)
            # The HTML stored at the last save is the live text's: the draft's text is
            # rendered in place instead (guide.stored_html renders rows it can't trust).
            if hasattr(obj, "rendered_with"):
                obj.rendered_with = ""
            shown.append(obj)
    return shown


# Comparing versions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One state of an item, live or draft, as a whole: what a comparison reads."""

    key: str  # "live-<history_id>" or "draft-<event id>"
    label: str
    at: datetime
    user: object
    data: dict


def live_version(record, links: dict[str, dict[int, list[int]]] | None = None) -> Version:
    """A simple-history version as a whole, links as they were then (``links``: each
    tracked field's links by version, read for many versions at once by :func:`versions`)."""
    model = record.instance_type
    if links is None:
        links = _version_links(model, [record])
    data = {}
    for field in draft_fields(model):
        if field.many_to_many:
            if field.name in links:
                data[field.name] = sorted(links[field.name].get(record.history_id, []))
        else:
            data[field.name] = _json(getattr(record, field.attname))
    reason = record.history_change_reason or record.get_history_type_display()
    return Version(
        f"live-{record.history_id}",
        f"Live: {reason}",
        record.history_date,
        record.history_user,
        data,
    )


def _version_links(model, records) -> dict[str, dict[int, list[int]]]:
    """Each tracked link field's links per version: one query per field."""
    links: dict[str, dict[int, list[int]]] = {}
    for field in getattr(model.history.model, "_history_m2m_fields", []):
        m2m_history = getattr(model.history.model, field.name).model
        target = f"{get_m2m_reverse_field_name(field)}_id"
        rows = m2m_history.objects.filter(history__in=[r.history_id for r in records])
        by_version: dict[int, list[int]] = defaultdict(list)
        for history_id, linked in rows.values_list("history_id", target):
            by_version[history_id].append(linked)
        links[field.name] = by_version
    return links


def draft_version(event: DraftEvent) -> Version:
    return Version(f"draft-{event.pk}", "Draft saved", event.at, event.user, event.snapshot)


def versions(obj: models.Model) -> list[Version]:
    """Every version of ``obj`` there is, newest first: what went live, and each draft saved.
    A fixed number of queries, however many versions."""
    records = list(obj.history.select_related("history_user").exclude(history_type="-"))
    links = _version_links(type(obj), records)
    found = [live_version(record, links) for record in records]
    saved = DraftEvent.objects.filter(
        draft__content_type=content_type_of(obj),
        draft__object_id=obj.pk,
        action=DraftEvent.Action.SAVED,
    ).select_related("user")
    found.extend(draft_version(event) for event in saved)
    return sorted(found, key=lambda version: version.at, reverse=True)


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|tr|td|th|pre|div)>|<br\s*/?>", re.I)


def rendered_text(markdown: str) -> str:
    """What a reader reads of a markdown text, one block a line: the rendered words only."""
    html = _BLOCK_END.sub(lambda match: match.group(0) + "\n", str(render_markdown(markdown)))
    lines = (" ".join(unescape(strip_tags(line)).split()) for line in html.splitlines())
    return "\n".join(line for line in lines if line)


def _shown(field: models.Field, value) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def compare(model: type[models.Model], old: dict, new: dict) -> list[dict]:
    """Every drafted field of ``model``, from ``old`` to ``new``: unchanged, or what changed,
    word by word for texts (and, for markdown, as readers will read it), links by name."""
    rows = []
    for field in draft_fields(model):
        before, after = old.get(field.name), new.get(field.name)
        row = {"name": field.name, "label": capfirst(field.verbose_name), "changed": False}
        if before == after:
            shown = f"{len(before or [])} linked" if field.many_to_many else _shown(field, before)
            row["shown"] = shown if len(shown) <= 120 else shown[:117] + "…"
        elif field.many_to_many:
            before, after = set(before or []), set(after or [])
            names = {
                item.pk: str(item)
                for item in field.related_model._base_manager.filter(pk__in=before | after)
            }
            row.update(
                changed=True,
                removed=[names.get(pk, f"(deleted, #{pk})") for pk in sorted(before - after)],
                added=[names.get(pk, f"(deleted, #{pk})") for pk in sorted(after - before)],
            )
        elif isinstance(field, models.CharField | models.TextField) and not field.choices:
            row.update(changed=True, diff=text_diff(before or "", after or ""))
            if isinstance(field, MarkdownxField):
                row["rendered_diff"] = text_diff(
                    rendered_text(before or ""), rendered_text(after or "")
                )
        else:
            row.update(changed=True, before=_shown(field, before), after=_shown(field, after))
        rows.append(row)
    return rows


def compare_draft(obj: models.Model, draft: Draft) -> list[dict]:
    live = snapshot(obj)
    return compare(type(obj), live, {**live, **draft.changes})


def changed_summary(rows: list[dict]) -> SafeString | str:
    changed = [row["label"] for row in rows if row["changed"]]
    return ", ".join(changed) if changed else "nothing"
