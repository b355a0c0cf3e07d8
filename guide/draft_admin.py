"""The editors' side of drafts: Save draft and Publish on the change form, the draft's panel
(preview, compare, approve, schedule, publish, discard), who else is editing, and the
"Drafts" filter on every list. Any ModelAdmin opts in by putting :class:`DraftAdminMixin`
first among its bases; :class:`guide.admin.ContentAdmin` does, for every guide type.

Which save goes live: an item readers can see (or a save that would make it visible) is
changed only by Publish; any other save keeps a draft beside it. An item readers can't see
(``published`` off) is itself a draft and is saved as before. Revert, in the history,
stays immediate: it is the way back from a mistake.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from guide.changes import NOTE_REQUIRED, ChangeNoteFields, needs_note
from guide.drafts import (
    PublishError,
    compare,
    compare_draft,
    content_type_of,
    draft_approve,
    draft_discard,
    draft_fields,
    draft_for,
    draft_publish,
    draft_save,
    draft_schedule,
    draft_unschedule,
    lock_draft,
    name_of,
    overlay,
    presence_touch,
    preview_url,
    review_required,
    versions,
)
from guide.models import Draft, DraftEvent
from guide.signals import content_published


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M} today"
    return f"{local:%H:%M} on {local:%-d %B %Y}"


def _note(request: HttpRequest) -> tuple[str, bool]:
    """The change note and "minor edit" posted with the form (checked by its fields)."""
    return request.POST.get("change_note", "").strip(), bool(request.POST.get("minor_edit"))


def _checked_note(request: HttpRequest) -> tuple[str, bool]:
    """The note posted from the draft's panel, through the same fields as the item's form."""
    form = ChangeNoteFields(request.POST)
    if not form.is_valid():
        raise PublishError(" ".join(form.errors.get("change_note", [])) or NOTE_REQUIRED)
    return form.cleaned_data["change_note"].strip(), form.cleaned_data["minor_edit"]


def _version(request: HttpRequest) -> int | None:
    posted = request.POST.get("edit_version", "")
    return int(posted) if posted.isdigit() else None


def _is_live(obj) -> bool:
    """Whether readers can see ``obj`` as it is saved now (types without the flag always)."""
    if obj is None or obj.pk is None:
        return False
    model = type(obj)
    if not any(field.name == "published" for field in model._meta.concrete_fields):
        return True
    return model._base_manager.filter(pk=obj.pk, published=True).exists()


class DraftFilter(admin.SimpleListFilter):
    """Items with unpublished changes: awaiting review (when review is on), scheduled, any."""

    title = "drafts"
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        options = [("pending", "With draft changes"), ("scheduled", "Scheduled")]
        if review_required():
            options.insert(0, ("review", "Awaiting review"))
        return options

    def queryset(self, request, queryset):
        drafts = Draft.objects.for_model(queryset.model)
        chosen = {
            "review": drafts.awaiting_review(),
            "pending": drafts.pending(),
            "scheduled": drafts.scheduled(),
        }.get(self.value())
        if chosen is None:
            return queryset
        return queryset.filter(pk__in=chosen.values("object_id"))


class DraftAdminMixin:
    """Save draft / Publish on the change form, and the draft's own pages."""

    change_form_template = "admin/guide/draft_change_form.html"

    # Lists: a Drafts column and filter ---------------------------------------------------

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), DraftFilter]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "draft_state"]

    def get_queryset(self, request):
        drafts = Draft.objects.for_model(self.model).filter(object_id=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_draft=Exists(drafts.pending()),
                draft_in_review=Exists(drafts.awaiting_review()),
                draft_scheduled=Exists(drafts.scheduled()),
            )
        )

    @admin.display(description="Draft")
    def draft_state(self, obj) -> str:
        if not getattr(obj, "has_draft", False):
            return "–"
        words = ["Draft"]
        if review_required():
            words.append("awaiting review" if obj.draft_in_review else "approved")
        if obj.draft_scheduled:
            words.append("scheduled")
        return ", ".join(words)

    # The change form -------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        request._drafting = True
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and getattr(request, "_drafting", False):
            # The form opens on the draft, so the editor carries on where it was left.
            request._live_before = _is_live(obj)
            draft = draft_for(obj)
            overlay(obj, draft)
            if draft is not None and draft.pending:  # the note the draft was saved with
                obj._draft_note = {"change_note": draft.change_note, "minor_edit": draft.minor_edit}
        return obj

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self._draft_context(request, obj, add))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _draft_context(self, request, obj, add: bool) -> dict:
        live = (not add) and getattr(request, "_live_before", _is_live(obj))
        context = {
            "drafts_live": live,
            "review_required": review_required(),
        }
        if add or obj is None:
            return context
        draft = draft_for(obj)
        version = draft.version if draft else 0
        if request.method == "POST":
            # A refused save shows the form again at the version it was opened at, so saving
            # it again is refused again until the editor has seen the newer draft.
            version = _version(request) if _version(request) is not None else version
        context["edit_version"] = version
        context["editing_others"] = [
            {"name": name_of(p.user), "since": timezone.localtime(p.since)}
            for p in presence_touch(obj, request.user)
        ]
        if draft is not None and draft.pending:
            live = self.model._base_manager.get(pk=obj.pk)  # its address, not the draft's
            context["draft"] = draft
            context["draft_note_form"] = ChangeNoteFields(
                initial={"change_note": draft.change_note, "minor_edit": draft.minor_edit},
                auto_id="id_draft_%s",
            )
            context["draft_updated_by"] = name_of(draft.updated_by) if draft.updated_by else ""
            context["draft_updated"] = _when(draft.updated) if draft.updated else ""
            context["draft_approved_by"] = name_of(draft.approved_by) if draft.approved else ""
            context["draft_publish_at"] = _when(draft.publish_at) if draft.publish_at else ""
            context["draft_publish_at_value"] = (
                f"{timezone.localtime(draft.publish_at):%Y-%m-%dT%H:%M}" if draft.publish_at else ""
            )
            context["can_approve"] = review_required() and request.user.pk not in draft.authors
            context["can_publish"] = not review_required() or draft.approved
            context["preview_url"] = preview_url(live)
            opts = self.model._meta
            context["draft_action_url"] = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_draft", args=[obj.pk]
            )
            context["compare_url"] = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_draft_compare", args=[obj.pk]
            )
            context["timezone_name"] = timezone.get_current_timezone_name()
        return context

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not getattr(request, "_drafting", False) or request.method != "POST":
            return form_class
        admin_ = self

        class DraftingForm(form_class):
            def clean(self):
                cleaned = super().clean()
                changed = [
                    name for name in self.changed_data if name not in ChangeNoteFields.base_fields
                ]
                if admin_._check_save(
                    request, self.instance, cleaned, adding=not change, changed=changed
                ):
                    if "change_note" in self.fields:
                        self.add_error("change_note", NOTE_REQUIRED)
                    else:
                        raise ValidationError(NOTE_REQUIRED, code="note_required")
                return cleaned

        return DraftingForm

    def _check_save(self, request, obj, cleaned, *, adding: bool, changed: list[str]) -> bool:
        """Decide what this save does and refuse it over a newer draft (the draft's row
        stays locked until the save ends). True when it publishes without the note it needs."""
        live_before = False if adding else getattr(request, "_live_before", _is_live(obj))
        published_after = cleaned.get("published", True)
        if not (live_before or published_after):
            intent = "direct"  # nothing readers see changes
        elif "_publish" in request.POST or (not live_before and "_save_draft" not in request.POST):
            intent = "publish"
        else:
            intent = "draft"
        if intent == "publish" and review_required():
            intent, request._review_diverted = "draft", True
        request._draft_intent = intent
        if not adding:
            draft = lock_draft(obj)
            posted = _version(request)
            if posted is not None and posted != draft.version:
                who = name_of(draft.updated_by) if draft.updated_by else "Another editor"
                when = f" at {_when(draft.updated)}" if draft.updated else ""
                raise ValidationError(
                    f"{who} saved a newer version{when} while you had this form open, so "
                    "your changes were not saved. They are still in the form below: copy "
                    "what you need, open the item again to see the newer version, and make "
                    "your changes there.",
                    code="stale",
                )
            request._locked_draft = draft
        note = (cleaned.get("change_note") or "").strip()
        if intent != "publish" or note or cleaned.get("minor_edit"):
            return False
        drafted = getattr(request, "_locked_draft", None)
        return adding or needs_note([*changed, *(drafted.changes if drafted else {})])

    def save_model(self, request, obj, form, change) -> None:
        intent = getattr(request, "_draft_intent", "direct")
        if intent == "direct":
            locked = getattr(request, "_locked_draft", None)
            if locked is not None:  # a hidden item is a draft too: a save makes a new version
                locked.version += 1
                locked.updated_by = request.user
                locked.updated = timezone.now()
                locked.save(update_fields=["version", "updated_by", "updated"])
            return super().save_model(request, obj, form, change)
        if not change:
            if intent == "draft":  # review on: the new item waits, hidden, for approval
                obj.published = False
            request._added_intent = intent
            return super().save_model(request, obj, form, change)
        note, minor = _note(request)
        links = {
            field.name: sorted(item.pk for item in form.cleaned_data[field.name])
            for field in draft_fields(self.model)
            if field.many_to_many and field.name in form.cleaned_data
        }
        draft = draft_save(
            draft=request._locked_draft,
            obj=obj,
            links=links,
            editor=request.user,
            note=note,
            minor_edit=minor,
        )
        request._draft_saved = draft
        if intent == "publish" and draft.pending:
            try:
                draft_publish(draft_id=draft.pk, editor=request.user, note=note, minor_edit=minor)
                request._published = True
            except PublishError as error:
                request._publish_error = error.message

    def save_related(self, request, form, formsets, change) -> None:
        if hasattr(request, "_draft_saved"):
            return  # the links are in the draft (and, if published, on the live item)
        super().save_related(request, form, formsets, change)
        added = getattr(request, "_added_intent", None)
        obj = form.instance
        if added == "publish":
            note, minor = _note(request)
            content_published.send(
                sender=self.model,
                instance=obj,
                editor=request.user,
                note=note,
                minor_edit=minor,
                changed_fields=sorted(field.name for field in draft_fields(self.model)),
            )
        elif added == "draft":
            note, minor = _note(request)
            obj.published = True
            draft_save(
                draft=lock_draft(obj),
                obj=obj,
                links=None,
                editor=request.user,
                note=note,
                minor_edit=minor,
            )
            obj.published = False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._reverting = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def log_change(self, request, obj, message):
        """A revert is live at once: a note the editor gave with it is written for readers."""
        entry = super().log_change(request, obj, message)
        note, minor = _note(request)
        if (
            getattr(request, "_reverting", False)
            and getattr(obj, "published", True)
            and (note or minor)
        ):
            content_published.send(
                sender=self.model,
                instance=obj,
                editor=request.user,
                note=note,
                minor_edit=minor,
                changed_fields=sorted(field.name for field in draft_fields(self.model)),
            )
        return entry

    def construct_change_message(self, request, form, formsets, add=False):
        if hasattr(request, "_draft_saved"):
            return "Published." if getattr(request, "_published", False) else "Saved a draft."
        return super().construct_change_message(request, form, formsets, add)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_added_intent", None) == "draft":
            self.message_user(
                request,
                "Saved, hidden from readers: making it visible needs a second editor’s "
                "approval, so it now awaits review.",
                messages.WARNING,
            )
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        draft = getattr(request, "_draft_saved", None)
        if draft is None:
            return super().response_change(request, obj)
        if getattr(request, "_published", False):
            self.message_user(request, "Published: readers see it now.", messages.SUCCESS)
        elif not draft.pending:
            self.message_user(
                request,
                "Nothing differs from the live version, so there is no draft to keep.",
                messages.INFO,
            )
        else:
            error = getattr(request, "_publish_error", None)
            if error:
                self.message_user(
                    request, f"Draft saved, but not published. {error}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    format_html(
                        "Draft saved. Readers still see the live version. "
                        '<a href="{}">Preview it on the site</a>.',
                        preview_url(self.model._base_manager.get(pk=obj.pk)),
                    ),
                    messages.SUCCESS,
                )
            if review_required():
                self.message_user(
                    request,
                    "Publishing needs a second editor’s approval: the draft now awaits review.",
                    messages.WARNING,
                )
            if draft.publish_at is not None:
                again = " once it is approved again" if review_required() else ""
                self.message_user(
                    request,
                    f"This draft is still scheduled: your changes go live at "
                    f"{_when(draft.publish_at)}{again}. Cancel the schedule to keep them back.",
                    messages.WARNING,
                )
        return HttpResponseRedirect(self._change_url(obj))

    def _change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    # The draft's own pages --------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/draft/", view(self.draft_view), name=f"{prefix}_draft"),
            path(
                "<path:object_id>/draft/compare/",
                view(self.draft_compare_view),
                name=f"{prefix}_draft_compare",
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.history_compare_view),
                name=f"{prefix}_history_compare",
            ),
            *super().get_urls(),
        ]

    def _item(self, request, object_id, *, change: bool = False):
        obj = self.model._base_manager.filter(pk=object_id).first() if object_id.isdigit() else None
        if obj is None:
            raise Http404("No such item.")
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_or_change_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def draft_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The draft panel's buttons: approve, publish now, schedule, cancel, discard."""
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(self._item(request, object_id)))
        obj = self._item(request, object_id, change=True)
        draft = draft_for(obj)
        if draft is None:
            self.message_user(request, "There is no draft for this item.", messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        version = _version(request)
        try:
            note, minor = _checked_note(request)
            if "_approve" in request.POST:
                if not review_required():
                    raise PublishError("Review is not required on this site: publish it.")
                draft_approve(
                    draft_id=draft.pk,
                    editor=request.user,
                    comment=request.POST.get("comment", ""),
                    expected_version=version,
                )
                done = "Approved: any editor can publish it now."
            elif "_publish" in request.POST:
                draft_publish(
                    draft_id=draft.pk,
                    editor=request.user,
                    note=note,
                    minor_edit=minor,
                    expected_version=version,
                )
                done = "Published: readers see it now."
            elif "_schedule" in request.POST:
                publish_at = self._publish_at(request.POST.get("publish_at", ""))
                draft_schedule(
                    draft_id=draft.pk,
                    editor=request.user,
                    publish_at=publish_at,
                    note=note,
                    minor_edit=minor,
                    expected_version=version,
                )
                done = f"Scheduled: it goes live at {_when(publish_at)}."
                if review_required() and not draft.approved:
                    done += " It needs a second editor’s approval before then."
            elif "_unschedule" in request.POST:
                draft_unschedule(draft_id=draft.pk, editor=request.user)
                done = "Schedule cancelled: the draft stays a draft."
            elif "_discard" in request.POST:
                draft_discard(draft_id=draft.pk, editor=request.user, expected_version=version)
                done = "Draft discarded. The live version was never changed."
            else:
                raise PublishError("Choose what to do with the draft.")
        except PublishError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    @staticmethod
    def _publish_at(value: str) -> datetime:
        moment = parse_datetime(value.strip()) if value.strip() else None
        if moment is None:
            raise PublishError("Give the date and time to publish at, e.g. 2026-05-01 09:00.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def draft_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._item(request, object_id)
        draft = draft_for(obj)
        if draft is None or not draft.pending:
            self.message_user(request, "There is no draft to compare.", messages.INFO)
            return HttpResponseRedirect(self._change_url(obj))
        return self._compare_page(
            request,
            obj,
            compare_draft(obj, draft),
            title=f"Draft compared with live: {obj}",
            old_label="Live",
            new_label="Draft",
            extra={"preview_url": preview_url(obj)},
        )

    def history_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._item(request, object_id)
        listed = versions(obj)
        found = {version.key: version for version in listed}
        old, new = found.get(request.GET.get("from", "")), found.get(request.GET.get("to", ""))
        if old is None or new is None:
            if request.GET:
                self.message_user(
                    request, "Choose two versions to compare, one in each column.", messages.ERROR
                )
            context = {
                **self.admin_site.each_context(request),
                "title": f"Compare versions: {obj}",
                "opts": self.model._meta,
                "original": obj,
                "compare_versions": listed,
                # By default: the newest version against the live one before it.
                "default_to": listed[0].key if listed else "",
                "default_from": next(
                    (v.key for v in listed[1:] if v.key.startswith("live-")),
                    listed[-1].key if listed else "",
                ),
                "change_url": self._change_url(obj),
            }
            return TemplateResponse(request, "admin/guide/compare_pick.html", context)
        if old.at > new.at:
            old, new = new, old
        label = "{} ({:%Y-%m-%d %H:%M}, {})"
        return self._compare_page(
            request,
            obj,
            compare(self.model, old.data, new.data),
            title=f"Two versions compared: {obj}",
            old_label=label.format(old.label, timezone.localtime(old.at), name_of(old.user)),
            new_label=label.format(new.label, timezone.localtime(new.at), name_of(new.user)),
        )

    def _compare_page(self, request, obj, rows, *, title, old_label, new_label, extra=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": obj,
            "rows": rows,
            "changed_rows": [row for row in rows if row["changed"]],
            "unchanged_rows": [row for row in rows if not row["changed"]],
            "old_label": old_label,
            "new_label": new_label,
            "change_url": self._change_url(obj),
            **(extra or {}),
        }
        return TemplateResponse(request, "admin/guide/compare.html", context)

    def history_view(self, request, object_id, extra_context=None):
        """simple-history's page, with the drafts' own history below (one query more) and
        a link to compare any two versions."""
        context = dict(extra_context or {})
        if object_id.isdigit():
            context["draft_events"] = list(
                DraftEvent.objects.filter(
                    draft__content_type=content_type_of(self.model), draft__object_id=object_id
                ).select_related("user")
            )
            opts = self.model._meta
            context["compare_url"] = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history_compare", args=[object_id]
            )
        return super().history_view(request, object_id, context)
