"""The editors' workspace: every kind of guide content, with history, drafts and a live preview.

Editors (the group made by guide/migrations/0002) see only this app. What they can't
break: markdown is checked before it is saved (:mod:`guide.validators`) and always
rendered by the site's one sanitising renderer; an item readers' own data points to
(:mod:`guide.references_from_readers`) can't be deleted or change its slug, and whose data it is
never appears. What they can undo: every save is one version in the history, and a
deleted item comes back, links and all, from "Recently deleted" (:mod:`guide.history`).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, ProtectedError, RestrictedError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.models import ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from guide.changes import ChangeNoteFields
from guide.draft_admin import DraftAdminMixin
from guide.drafts import drafts_to_publish, review_required
from guide.history import (
    deleted_records,
    history_collapse,
    last_version_before_deletion,
    latest_history_id,
    relink_restored,
    text_diff,
)
from guide.markdown import RESERVED_IDS
from guide.models import (
    CHECK_SUPPORT_EVERY,
    FAQ,
    REVIEW_EVERY,
    BubblePrinciple,
    ChangeNote,
    Reference,
    ReflectionPrompt,
    Reviewer,
    Section,
    Sign,
    Strategy,
    SupportResource,
    Therapy,
)
from guide.references_from_readers import reader_references
from guide.signals import content_published
from guide.validators import validate_markdown

admin.site.site_header = "Secure Base editors"
admin.site.site_title = "Secure Base editors"
admin.site.index_title = "Guide content"
admin.site.site_url = "/"

UNPUBLISH_INSTEAD = (
    "Unpublish it instead: it disappears from the public site, and readers keep what they saved."
)


class MarkdownWidget(AdminMarkdownxWidget):
    """markdownx's editor with a preview rendered by the site's own renderer, side by side."""

    template_name = "guide/admin/markdown_widget.html"

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-markdown.js"]


class ContentForm(ChangeNoteFields, forms.ModelForm):
    """Clear words for a slug that can't be used, the history page's old links shown as
    they were, and the change note Publish writes for readers."""

    class Meta:
        error_messages = {
            "slug": {
                "unique": "This slug is already in use: each page needs its own address. "
                "Choose a different one."
            }
        }

    def clean_slug(self) -> str:
        """Refuse a slug the pages use for their own parts (an item's slug is its anchor on
        its chapter's page), and a change of slug while readers' data points to the item:
        their toolkits and results know it by its slug."""
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_IDS:
            raise ValidationError(
                f"“{slug}” is a name the site’s pages use for a part of their own, so links "
                "to this item would land there. Choose a different one.",
                code="reserved",
            )
        model = type(self.instance)
        saved = model._default_manager.filter(pk=self.instance.pk).values_list("slug", flat=True)
        current = saved.first() if self.instance.pk else None
        if current and slug != current:
            used = reader_references(self.instance)
            if used:
                counted = ", ".join(f"{ref.count} {ref.label}" for ref in used)
                name = model._meta.verbose_name
                raise ValidationError(
                    f"Readers’ own data knows this {name} by its slug ({counted}), so "
                    f"changing it would break their links to it. Keep “{current}”. To "
                    f"replace the {name}, add a new one and unpublish this one.",
                    code="in_use",
                )
        return slug

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # An item opened on its draft: the form carries on with the draft's note too.
        for name, value in getattr(self.instance, "_draft_note", {}).items():
            self.initial.setdefault(name, value)
        record = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if record is not None:
            # An old version from history: its M2M links as they were then, not as they are now
            # (the form would otherwise read the live rows and "revert" to the present). Links
            # to items deleted since are left out rather than failing the form.
            for field in record._history_m2m_fields:
                if field.name in self.fields:
                    target = f"{get_m2m_reverse_field_name(field)}_id"
                    linked = getattr(record, field.name).values_list(target, flat=True)
                    self.initial[field.name] = list(
                        self.fields[field.name]
                        .queryset.filter(pk__in=list(linked))
                        .values_list("pk", flat=True)
                    )


class ReadableChanges(HistoricalRecordContextHelper):
    """ "What changed", readable: a text's changed passages word by word (simple-history
    would show "Body: One o[32 chars]s…"), other fields as before → after."""

    # Shorter texts (a title, a slug) read well whole, as before → after.
    WHOLE_UP_TO = 60

    def context_for_delta_changes(self, delta: ModelDelta) -> list[dict]:
        context = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            texts = isinstance(change.old, str) and isinstance(change.new, str)
            if (
                texts
                and isinstance(field, models.CharField | models.TextField)
                and max(len(change.old), len(change.new)) > self.WHOLE_UP_TO
            ):
                context.append(
                    {
                        "field": capfirst(field.verbose_name),
                        "diff": text_diff(change.old, change.new),
                    }
                )
            else:
                context.extend(
                    super().context_for_delta_changes(ModelDelta([change], [], None, None))
                )
        return context


def _history_links(field, records) -> defaultdict[int, list[dict]]:
    """Each version's M2M links, shaped as simple-history's diff shows them: one query."""
    target = get_m2m_reverse_field_name(field)
    m2m_history = getattr(records[0], field.name).model
    rows = (
        m2m_history.objects.filter(history__in=[record.history_id for record in records])
        .select_related(target)
        .order_by(target, f"{target}_id")
    )
    links: defaultdict[int, list[dict]] = defaultdict(list)
    for row in rows:
        linked = getattr(row, target) or f"(deleted, #{getattr(row, f'{target}_id')})"
        links[row.history_id].append({target: linked})
    return links


class PublishActionForm(ChangeNoteFields, ActionForm):
    """The action bar, with the change note "Publish the selected items" writes for readers.

    The note is checked by the Publish action itself, so that a note too long never stops
    the bar's other actions (Django would say only "No action selected")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_note"].max_length = None
        self.fields["change_note"].validators = []
        self.fields["change_note"].label = "What changed, for readers (for Publish)"


@admin.action(description="Publish the selected items", permissions=["change"])
def publish(modeladmin, request, queryset) -> None:
    if review_required():
        # Making an item visible is a publish like any other: it waits for a second editor.
        waiting = drafts_to_publish(queryset.filter(published=False), editor=request.user)
        items = "item awaits" if waiting == 1 else "items await"
        modeladmin.message_user(
            request,
            f"{waiting} {items} a second editor’s approval before readers see "
            f"{'it' if waiting == 1 else 'them'}.",
            messages.WARNING,
        )
        return
    note = ChangeNoteFields(request.POST)
    if not note.is_valid():
        problem = next(iter(note.errors.values()))[0]
        modeladmin.message_user(request, f"Nothing published: {problem}", messages.ERROR)
        return
    change_note, minor_edit = (note.cleaned_data.get(f) for f in ("change_note", "minor_edit"))
    if not (change_note or minor_edit):
        modeladmin.message_user(
            request,
            "Nothing published: say in “What changed, for readers” beside the action menu "
            "what readers will find, or tick “Minor edit”, then press Go again.",
            messages.ERROR,
        )
        return
    _set_published(
        modeladmin, request, queryset, True, note=change_note or "", minor_edit=bool(minor_edit)
    )


@admin.action(
    description="Unpublish the selected items (keep them as drafts)", permissions=["change"]
)
def unpublish(modeladmin, request, queryset) -> None:
    _set_published(modeladmin, request, queryset, False)


@transaction.atomic
def _set_published(
    modeladmin, request, queryset, published: bool, *, note: str = "", minor_edit: bool = False
) -> None:
    """Publish or unpublish from the list. Making an item visible is a Publish: readers get
    its change note, as from the item's own page."""
    changed = 0
    for item in queryset.filter(published=not published):
        item.published = published
        item._history_user = request.user
        item.save(update_fields=["published", "updated"])  # one by one, so history records it
        if published:
            content_published.send(
                sender=type(item),
                instance=item,
                editor=request.user,
                note=note,
                minor_edit=minor_edit,
                changed_fields=["published"],
            )
        changed += 1
    items = "item" if changed == 1 else "items"
    state = (
        "published" if published else f"unpublished (now {'a draft' if changed == 1 else 'drafts'})"
    )
    modeladmin.message_user(request, f"{changed} {items} {state}.", messages.SUCCESS)


class ContentAdmin(DraftAdminMixin, SimpleHistoryAdmin):
    """What every guide type shares: order editable in the list, Publish with a change note,
    history, markdown with a live preview, and deletions that can't touch readers' data."""

    form = ContentForm
    formfield_overrides = {
        # No maxlength on the textarea: a browser would cut a long paste short silently;
        # validate_markdown says what is too long instead.
        MarkdownxField: {
            "widget": MarkdownWidget,
            "max_length": None,
            "validators": [validate_markdown],
        },
    }
    # Publishing goes through Publish (the item's own, or the list action), which asks for
    # readers' change note: a bare tick in the list could not.
    list_editable = ["order"]
    list_filter = ["published"]
    list_per_page = 50
    readonly_fields = ["created", "updated"]
    action_form = PublishActionForm
    actions = [publish, unpublish]
    save_on_top = True
    object_history_template = "admin/guide/object_history.html"
    object_history_list_template = "admin/guide/object_history_list.html"
    object_history_form_template = "admin/guide/object_history_form.html"
    history_list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-labels.js"]

    def get_fieldsets(self, request, obj=None):
        """The item's own fields, then the note Publish writes for readers."""
        names = list(ChangeNoteFields.base_fields)
        fieldsets = [
            (title, {**options, "fields": [f for f in options["fields"] if f not in names]})
            for title, options in super().get_fieldsets(request, obj)
        ]
        return [
            *fieldsets,
            (
                "What changed",
                {
                    "fields": names,
                    "description": "Written when the change is published: readers see the "
                    "note on the chapter and in the guide’s feed. Drafts never show a note.",
                },
            ),
        ]

    def get_changeform_initial_data(self, request) -> dict:
        """A new item starts as a draft at the end of its list: saving a first try must not
        put it live, at the top of its chapter. (The models' own defaults, published and
        order 0, are what fixtures and scripts rely on.)"""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("published", False)
        if "order" not in initial:
            highest = self.model._default_manager.aggregate(highest=Max("order"))["highest"]
            initial["order"] = 0 if highest is None else highest + 1
        return initial

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # simple-history's own calls select_related() with no names when a model has no
        # foreign keys (most of ours), which Django 6.1 deprecates. Name them all: the
        # history user and each tracked key (a chapter's reviewer), one query for the page.
        keys = [
            field.name
            for field in history_manager.model.tracked_fields
            if isinstance(field, models.ForeignKey)
        ]
        return history_manager.filter(**{pk_name: object_id}).select_related("history_user", *keys)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One version, readable in the form, with its links listed in words: reverting
        brings those back too, so the editor sees what they are before pressing Revert."""
        record = self.model.history.filter(id=object_id, history_id=version_id).first()
        links = []
        if record is not None:
            for field in record._history_m2m_fields:
                by_version = _history_links(field, [record])[record.history_id]
                target = get_m2m_reverse_field_name(field)
                links.append(
                    {
                        "label": capfirst(field.verbose_name),
                        "items": [str(link[target]) for link in by_version],
                    }
                )
        context = {**(extra_context or {}), "version_links": links}
        return super().history_form_view(request, object_id, version_id, context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """What changed in each version, as simple-history shows it, with the M2M links of the
        whole page read in one query per field instead of two per version."""
        records = list(historical_records)
        if not records:
            return
        m2m_fields = list(records[0]._history_m2m_fields)
        links = {field.name: _history_links(field, records) for field in m2m_fields}
        for newer, older in pairwise(records):
            delta = newer.diff_against(
                older,
                excluded_fields=list(links),
                foreign_keys_are_objs=foreign_keys_are_objs,
            )
            changes = list(delta.changes)
            for name, by_version in links.items():
                before, after = by_version[older.history_id], by_version[newer.history_id]
                if before != after:
                    changes.append(ModelChange(name, before, after))
            changes.sort(key=lambda change: change.field)
            delta = ModelDelta(changes, [change.field for change in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)

    # Saving: one version per save, restores relinked ---------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        model = type(obj)
        obj._history_after = latest_history_id(model)
        # Reverting to a version of a deleted item brings it back (see deleted_view).
        obj._restoring = change and not model._base_manager.filter(pk=obj.pk).exists()
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        self._after_save(request, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._after_save(request, obj)
        return super().log_change(request, obj, message)

    def _after_save(self, request, obj) -> None:
        """Once a save is complete, links included: relink a restored item, and fold the
        versions the save wrote into one. The add, change and history ("Revert") views
        all log the save last, after the links are saved (the history view saves them
        without ``save_related``), so this runs from there."""
        after = getattr(obj, "_history_after", None)
        if after is None:
            return  # not saved through save_model
        if obj._restoring:
            relinked = relink_restored(obj, user=request.user)
            if relinked:
                links = "link" if relinked == 1 else "links"
                self.message_user(
                    request,
                    f"{relinked} {links} other items had to it {'is' if relinked == 1 else 'are'} "
                    "back.",
                    messages.SUCCESS,
                )
        history_collapse(obj, after=after)
        del obj._history_after

    # Deleting and restoring --------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_deleted"
        return [
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name=name),
            *super().get_urls(),
        ]

    def deleted_view(self, request: HttpRequest) -> HttpResponse:
        """Items of this kind that were deleted, newest first, each one click from the form
        of its last version, where "Revert" restores it with its links."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        rows = []
        for deletion in deleted_records(self.model):
            version = last_version_before_deletion(self.model, deletion.id)
            if version is not None:
                rows.append({"deletion": deletion, "version": version})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Recently deleted {opts.verbose_name_plural}",
            "opts": opts,
            "rows": rows,
            "can_restore": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/guide/deleted_list.html", context)

    def response_delete(self, request, obj_display, obj_id):
        response = super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            "Deleted by mistake? “Recently deleted”, above the list, brings it back.",
            messages.INFO,
        )
        return response

    def get_deleted_objects(self, objs, request):
        """Django would list (and link) every row a deletion touches, readers' rows included;
        here readers' data is only counted, and any at all blocks the deletion: deleting
        would delete it, break it, or unlink it from the guide for good."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        blocking = [
            f"“{obj}”: {reference.count} {reference.label} in readers’ accounts "
            f"{'points' if reference.count == 1 else 'point'} to this {obj._meta.verbose_name}."
            for obj in objs
            for reference in reader_references(obj)
        ]
        if protected and not blocking:
            # Protected by something reader_references doesn't count: still name no one.
            blocking = ["Other data the site keeps points to it and is protected."]
        if blocking:
            return [], {}, set(), blocking
        return deleted, model_count, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        context = {**(extra_context or {}), "unpublish_instead": UNPUBLISH_INSTEAD}
        try:
            return super().delete_view(request, object_id, context)
        except (ProtectedError, RestrictedError):
            # Readers' data arrived between the confirmation page and the click.
            self.message_user(
                request,
                f"Not deleted: readers’ data now points to it. {UNPUBLISH_INSTEAD}",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)

    def delete_model(self, request, obj) -> None:
        # Readers' rows that only unlink (SET_NULL) raise nothing: check again at the click.
        if reader_references(obj):
            raise ProtectedError("Readers' data points to it.", set())
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        try:
            if any(reader_references(obj) for obj in queryset):
                raise ProtectedError("Readers' data points to some of them.", set())
            super().delete_queryset(request, queryset)
        except (ProtectedError, RestrictedError):
            self.message_user(
                request,
                f"Nothing deleted: readers’ data points to some of them. {UNPUBLISH_INSTEAD}",
                messages.ERROR,
            )


# Change notes ------------------------------------------------------------------------------
# Written at Publish (guide.drafts.draft_publish sends content_published), never on a save.


@admin.register(ChangeNote)
class ChangeNoteAdmin(admin.ModelAdmin):
    """Notes come from publishing content; editors may reword one or hide it as a minor edit."""

    list_display = ["created", "section", "subject", "note", "minor_edit"]
    list_filter = ["minor_edit", "section"]
    search_fields = ["note", "subject"]
    fields = ["section", "subject", "note", "minor_edit", "created"]
    readonly_fields = ["section", "subject", "created"]
    list_select_related = ["section"]
    change_list_template = "admin/change_list.html"  # no "Recently deleted": notes have no history

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Reference)
class ReferenceAdmin(ContentAdmin):
    list_display = ["authors", "year", "title", "order", "published"]
    list_display_links = ["authors", "title"]
    search_fields = ["authors", "title", "source", "doi"]
    prepopulated_fields = {"slug": ["authors", "year"]}
    ordering = ["order", "pk"]


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Not reviewed for 12 months")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            since = timezone.localdate() - REVIEW_EVERY
            return queryset.filter(models.Q(last_reviewed=None) | models.Q(last_reviewed__lt=since))
        return queryset


class ReviewActionForm(PublishActionForm):
    """The action bar's reviewer choice, for "Mark reviewed"."""

    reviewer = forms.ModelChoiceField(
        queryset=Reviewer.objects.published(), required=False, empty_label="Reviewed by…"
    )


@admin.register(Section)
class SectionAdmin(ContentAdmin):
    list_display = [
        "title",
        "component",
        "reference_count",
        "review_status",
        "order",
        "published",
    ]
    list_filter = ["published", ReviewDueFilter, "component"]
    action_form = ReviewActionForm
    search_fields = ["title", "summary", "body", "closing"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["references"]
    actions = [*ContentAdmin.actions, "mark_reviewed"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "component", "closing"]}),
        ("Citations", {"fields": ["references"]}),
        (
            "Review",
            {
                "fields": ["last_reviewed", "reviewer"],
                "description": "Shown on the chapter: when its content was last checked "
                "against the evidence, and by whom.",
            },
        ),
        ("Publishing", {"fields": ["published", "order", "created", "updated"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("reviewer")
            .annotate(reference_total=Count("references"))
        )

    @admin.display(description="References", ordering="reference_total")
    def reference_count(self, section: Section) -> int:
        return section.reference_total

    @admin.display(description="Last reviewed", ordering="last_reviewed")
    def review_status(self, section: Section) -> str:
        """The review date and reviewer, flagged when older than 12 months."""
        if section.last_reviewed is None:
            return mark_safe('<strong class="review-due">Never reviewed: due</strong>')
        when = f"{section.last_reviewed:%Y-%m-%d}"
        who = f" by {section.reviewer.name}" if section.reviewer else ""
        if section.review_due():
            return format_html(
                '<strong class="review-due">{}{}: due (over 12 months)</strong>', when, who
            )
        return f"{when}{who}"

    @admin.action(
        description="Mark the selected sections as reviewed today by the reviewer chosen "
        "beside this menu",
        permissions=["change"],
    )
    def mark_reviewed(self, request, queryset) -> None:
        try:
            reviewer = ReviewActionForm.base_fields["reviewer"].clean(request.POST.get("reviewer"))
        except ValidationError:
            reviewer = None
        if reviewer is None:
            self.message_user(
                request,
                "Nothing marked: choose who reviewed them in “Reviewed by…” beside the "
                "action menu, then press Go again.",
                messages.ERROR,
            )
            return
        today = timezone.localdate()
        for section in queryset:
            section.last_reviewed = today
            section.reviewer = reviewer
            section._history_user = request.user
            section.save(update_fields=["last_reviewed", "reviewer", "updated"])
        sections = "section" if len(queryset) == 1 else "sections"
        self.message_user(
            request,
            f"{len(queryset)} {sections} marked as reviewed today by {reviewer.name}.",
            messages.SUCCESS,
        )


@admin.register(Strategy)
class StrategyAdmin(ContentAdmin):
    list_display = ["title", "path", "order", "published", "updated"]
    list_filter = ["published", "path"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Sign)
class SignAdmin(ContentAdmin):
    list_display = ["text", "leaning", "strategy_count", "order", "published"]
    list_filter = ["published", "leaning"]
    search_fields = ["text", "partner_text"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = ["strategies"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(strategy_total=Count("strategies"))

    @admin.display(description="Strategies", ordering="strategy_total")
    def strategy_count(self, sign: Sign) -> int:
        return sign.strategy_total


@admin.register(Therapy)
class TherapyAdmin(ContentAdmin):
    list_display = ["name", "abbreviation", "developed_by", "order", "published"]
    search_fields = ["name", "full_name", "abbreviation", "developed_by", "body", "best_for"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(FAQ)
class FAQAdmin(ContentAdmin):
    list_display = ["question", "order", "published", "updated"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question"]}


@admin.register(ReflectionPrompt)
class ReflectionPromptAdmin(ContentAdmin):
    """Prompts a plan offers for a week, per sign: two or three each keep plans varied."""

    list_display = ["__str__", "sign", "order", "published", "updated"]
    list_filter = ["published", "sign"]
    list_select_related = ["sign"]
    search_fields = ["text", "sign__text"]
    autocomplete_fields = ["sign"]
    prepopulated_fields = {"slug": ["text"]}


@admin.register(BubblePrinciple)
class BubblePrincipleAdmin(ContentAdmin):
    """The starting suggestions linked partners see for their shared agreements."""

    list_display = ["title", "order", "published", "updated"]
    search_fields = ["title", "explanation"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Reviewer)
class ReviewerAdmin(ContentAdmin):
    list_display = ["name", "credentials", "is_person", "chapter_count", "order", "published"]
    search_fields = ["name", "credentials", "bio"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(chapter_total=Count("sections"))

    @admin.display(description="Chapters", ordering="chapter_total")
    def chapter_count(self, reviewer: Reviewer) -> int:
        return reviewer.chapter_total


class CheckDueFilter(admin.SimpleListFilter):
    title = "last checked"
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        return [("due", "Not checked for 6 months")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            since = timezone.localdate() - CHECK_SUPPORT_EVERY
            return queryset.filter(models.Q(last_checked=None) | models.Q(last_checked__lt=since))
        return queryset


@admin.register(SupportResource)
class SupportResourceAdmin(ContentAdmin):
    list_display = [
        "name",
        "region",
        "area",
        "purpose",
        "phone",
        "check_status",
        "order",
        "published",
    ]
    list_filter = [CheckDueFilter, "region", "purpose", "published"]
    search_fields = ["name", "area", "description", "phone", "text", "web"]
    prepopulated_fields = {"slug": ["name", "region"]}
    actions = [*ContentAdmin.actions, "mark_checked"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "region", "area", "purpose", "description"]}),
        ("How to reach it", {"fields": ["phone", "text", "web", "hours"]}),
        (
            "Checking",
            {
                "fields": ["last_checked"],
                "description": "Confirm the number, the web address and the hours at least "
                "every 6 months: readers in crisis rely on them.",
            },
        ),
        ("Publishing", {"fields": ["published", "order", "created", "updated"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        due = sum(entry.check_due() for entry in SupportResource.objects.only("last_checked"))
        extra_context = {**(extra_context or {}), "support_check_due": due}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Last checked", ordering="last_checked")
    def check_status(self, entry: SupportResource) -> str:
        if entry.last_checked is None:
            return mark_safe('<strong class="review-due">Never checked: due</strong>')
        if entry.check_due():
            return format_html(
                '<strong class="review-due">{}: due (over 6 months)</strong>',
                f"{entry.last_checked:%Y-%m-%d}",
            )
        return f"{entry.last_checked:%Y-%m-%d}"

    @admin.action(description="Mark the selected entries as checked today", permissions=["change"])
    def mark_checked(self, request, queryset) -> None:
        today = timezone.localdate()
        for entry in queryset:
            entry.last_checked = today
            entry._history_user = request.user
            entry.save(update_fields=["last_checked", "updated"])
        entries = "entry" if len(queryset) == 1 else "entries"
        self.message_user(
            request, f"{len(queryset)} {entries} marked as checked today.", messages.SUCCESS
        )
