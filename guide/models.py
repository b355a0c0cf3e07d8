"""The guide's content: chapters and the typed items they show.

Every type is edited on its own in the admin, keeps its markdown source, and is
turned into HTML in one place only (:func:`guide.markdown.render`), when it is saved: the
HTML is stored beside the source (:mod:`guide.stored_html`).
Items carry a ``published`` flag: drafts are visible to staff only.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Func, OuterRef, Subquery
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from guide import stored_html
from guide.compiled import VALUE, compiled

WORDS_PER_MINUTE = 220
# A chapter's evidence is checked at least this often; older reviews are flagged to editors.
REVIEW_EVERY = timedelta(days=365)
# Help lines change numbers and hours: each entry is confirmed at least this often.
CHECK_SUPPORT_EVERY = timedelta(days=183)
# Large enough for the longest chapter many times over, small enough that a paste
# accident cannot produce a page no one can load.
MARKDOWN_MAX_LENGTH = 50_000


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Everything for staff who signed in with their second factor (drafts are previewed on
        the real page), published for others."""
        return self.shown(drafts=sees_drafts(user))

    def shown(self, *, drafts: bool):
        """:meth:`visible_to` for a reader who does (``drafts``) or does not see drafts."""
        return self if drafts else self.published()


def sees_drafts(user) -> bool:
    """Staff who signed in with their second factor see drafts in place."""
    from config.staff import is_verified_staff

    return is_verified_staff(user)


class ContentManager(models.Manager.from_queryset(PublishedQuerySet)):
    def get_queryset(self):
        queryset = super().get_queryset()
        if any(field.name == "search_vector" for field in self.model._meta.concrete_fields):
            # Only PostgreSQL's search reads it; sent as text it would cost every page.
            queryset = queryset.defer("search_vector")
        return queryset

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class Content(models.Model):
    """Fields every piece of guide content shares."""

    slug = models.SlugField(max_length=80, unique=True)
    order = models.PositiveIntegerField(default=0, db_index=True)
    published = models.BooleanField(
        default=True, help_text="Untick to keep this as a draft that only staff can see."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ContentManager()

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


_URL_PART = re.compile(r"[-a-zA-Z0-9_]+")
# Stands in for the value while the pattern is resolved: a slug and an int both match it.
_URL_MARK = "4815162342"


@functools.lru_cache(maxsize=64)
def _url_parts(name: str, kwarg: str, prefix: str) -> tuple[str, str]:
    before, after = reverse(name, kwargs={kwarg: _URL_MARK}).split(_URL_MARK)
    return before, after


def quick_url(name: str, kwarg: str, value: str | int) -> str:
    """``reverse(name, kwargs={kwarg: value})`` for a pattern with one slug or int, without
    resolving the URL patterns each time: pages link to dozens of items. Such a value needs
    no quoting, so the address is the pattern's text around it (remembered per URL name and
    script prefix)."""
    return quick_urls(name, kwarg)(value)


def quick_urls(name: str, kwarg: str) -> Callable[[str | int], str]:
    """:func:`quick_url` for the many items one page links through the same pattern: the
    script prefix and the pattern's text are looked up once, not once per item."""
    before, after = _url_parts(name, kwarg, get_script_prefix())

    def url(value: str | int) -> str:
        text = str(value)
        if not _URL_PART.fullmatch(text):
            return reverse(name, kwargs={kwarg: value})
        return f"{before}{text}{after}"

    return url


def slug_url(name: str, slug: str) -> str:
    return quick_url(name, "slug", slug)


# Columns derived from an item's own fields when it is saved: not versioned, not edited.
DERIVED = frozenset({"rendered_with", "body_html", "closing_html", "answer_html", "search_vector"})


def derived(*names: str) -> list[str]:
    assert DERIVED.issuperset(names)
    return list(names)


def search_vector() -> SearchVectorField:
    """The item's words as PostgreSQL's full-text search reads them, weighed, kept up to date
    on save (guide.search.index); left empty on SQLite, where search matches plainly."""
    return SearchVectorField(null=True, editable=False)


def search_index(model_name: str) -> GinIndex:
    return GinIndex(fields=["search_vector"], name=f"guide_{model_name}_search")


def stored_html_field() -> models.TextField:
    return models.TextField(blank=True, editable=False)


class RenderedContent(Content):
    """Content with markdown fields, each stored rendered beside its source (guide.stored_html)."""

    markdown_fields: tuple[str, ...] = ()

    rendered_with = models.CharField(max_length=32, blank=True, editable=False)

    class Meta(Content.Meta):
        abstract = True

    def save(self, *args, **kwargs) -> None:
        extra = stored_html.save_fields(self, kwargs.get("update_fields"))
        if kwargs.get("update_fields") is not None and extra:
            kwargs["update_fields"] = {*kwargs["update_fields"], *extra}
        super().save(*args, **kwargs)


class SignLeaning(models.TextChoices):
    """Which insecure leaning a low rating on a sign speaks to most (the quiz's sub-scores).

    The one definition of the anxious and avoidant values: the strategy paths, the chapter
    components and the quiz's scoring take theirs from here.
    """

    ANXIOUS = "anxious", "Anxious side"
    AVOIDANT = "avoidant", "Avoidant side"
    BOTH = "both", "Both sides"


class StrategyPath(models.TextChoices):
    """The three paths a strategy belongs to; the anxious and avoidant ones are chapters."""

    ANXIOUS = SignLeaning.ANXIOUS.value, "From anxious to secure"
    AVOIDANT = SignLeaning.AVOIDANT.value, "From avoidant to secure"
    REPAIR = "repair", "Repair after rupture"


class ChapterComponent(models.TextChoices):
    """The typed content a chapter shows after its body (at most one chapter each).

    A strategy path's chapter has the path's value.
    """

    NONE = "", "Only the body"
    INTRO = "intro", "Home page introduction (not a chapter)"
    SIGNS = "signs", "The signs of secure attachment"
    ANXIOUS = StrategyPath.ANXIOUS.value, "Strategies: from anxious to secure"
    AVOIDANT = StrategyPath.AVOIDANT.value, "Strategies: from avoidant to secure"
    THERAPIES = "therapies", "Therapies"
    REPAIR = StrategyPath.REPAIR.value, "Strategies: repair after rupture"
    FAQS = "faqs", "Frequently asked questions"
    REFERENCES = "references", "All references"


class Reference(Content):
    """A published work the guide cites, stored as fields and shown as an APA 7 citation."""

    authors = models.CharField(
        max_length=300, help_text='As cited, e.g. "Levine, A., & Heller, R."'
    )
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    source = models.CharField(
        max_length=200, help_text="Publisher for a book, journal name for an article."
    )
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=40, blank=True)
    doi = models.CharField(max_length=200, blank=True, help_text="Without https://doi.org/")
    url = models.URLField(blank=True)

    history = HistoricalRecords()

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}"

    shown_in = ChapterComponent.REFERENCES

    def get_absolute_url(self) -> str:
        return item_url(self)

    @property
    def is_article(self) -> bool:
        return bool(self.volume or self.pages)

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    # The seed's wording wins over strict APA 7 wherever they differ: authors and titles are
    # shown exactly as the guide cites them ("Roisman, G. I. et al.", not a full author list),
    # and only the arrangement (order, italics, en dash in page ranges, DOI as a URL) is APA's.
    def author_date_html(self) -> SafeString:
        """The citation's key, "Levine, A., & Heller, R. (2010)": what a "see" link names."""
        return format_html("{} ({})", self.authors, self.year)

    def work_html(self) -> SafeString:
        """Everything after the author and date: title, source and link.

        A book italicises its title; an article, its journal and volume together
        ("<i>Child Development, 73</i>(4), 1204–1219").
        """
        if self.is_article:
            journal = (
                format_html("{}, {}", self.source, self.volume) if self.volume else self.source
            )
            locator = format_html("<i>{}</i>", journal)
            if self.issue:
                locator = format_html("{}({})", locator, self.issue)
            if self.pages:
                locator = format_html("{}, {}", locator, self.pages.replace("-", "\u2013"))
            html = format_html("{}. {}.", self.title, locator)
        else:
            html = format_html("<i>{}</i>. {}.", self.title, self.source)
        if self.link:
            html = format_html('{} <a href="{}">{}</a>', html, self.link, self.link)
        return html

    def citation_html(self) -> SafeString:
        """The whole APA 7 citation."""
        return format_html("{}. {}", self.author_date_html(), self.work_html())


class Section(RenderedContent):
    """A chapter of the guide: a markdown body, then the typed items its ``component`` names.

    "Section" and "chapter" are the same thing: readers see chapters, the code and the admin
    say Section. The model keeps its name because renaming it would change the admin's URLs
    (``/admin/guide/section/``), the Editors group's permission codenames, the history table
    and the fixture's model names, all of which editors and existing databases rely on.
    """

    Component = ChapterComponent

    title = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=300,
        help_text="One or two sentences: the page's meta description and its contents line.",
    )
    body = MarkdownxField(blank=True, max_length=MARKDOWN_MAX_LENGTH)
    component = models.CharField(
        max_length=20,
        choices=ChapterComponent,
        blank=True,
        help_text="Typed content shown after the body.",
    )
    closing = MarkdownxField(
        blank=True,
        max_length=MARKDOWN_MAX_LENGTH,
        help_text="Markdown shown after the typed content (a closing pull quote, say).",
    )
    references = models.ManyToManyField(Reference, blank=True, related_name="sections")
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the chapter first appeared: the date search engines are given.",
    )
    last_reviewed = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        "Reviewer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections",
        help_text="Who last checked this chapter against the evidence.",
    )
    body_html = stored_html_field()
    closing_html = stored_html_field()
    search_vector = search_vector()

    markdown_fields = ("body", "closing")
    history = HistoricalRecords(
        m2m_fields=[references],
        excluded_fields=derived("rendered_with", "body_html", "closing_html", "search_vector"),
    )

    class Meta(Content.Meta):
        indexes = [
            search_index("section"),
            # A chapter's place (Chapters.around): its number, the total and its neighbours
            # are read from this index alone, in reading order: ranges of it, no sort.
            models.Index(
                fields=["order", "id"],
                include=["published", "component", "slug", "title"],
                name="guide_section_place",
            ),
        ]
        constraints = [
            # Each kind of typed content is shown by one chapter: links to its items go there.
            models.UniqueConstraint(
                fields=["component"],
                condition=~models.Q(component=""),
                name="guide_section_component_shown_once",
                violation_error_message="Another chapter already shows this content.",
            ),
            models.CheckConstraint(
                condition=models.Q(component__in=ChapterComponent.values),
                name="guide_section_component_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.component == self.Component.INTRO:
            return reverse("guide:home")
        return slug_url("guide:section", self.slug)

    def get_changes_url(self) -> str:
        return slug_url("guide:changes", self.slug)

    def review_due(self, today: date | None = None) -> bool:
        """Never reviewed, or last reviewed longer ago than ``REVIEW_EVERY``."""
        today = today or timezone.localdate()
        return self.last_reviewed is None or today - self.last_reviewed > REVIEW_EVERY


class Strategy(RenderedContent):
    """A practice that helps a reader grow security, on one of three paths."""

    Path = StrategyPath
    PATH_LABELS = dict(StrategyPath.choices)

    title = models.CharField(max_length=200)
    path = models.CharField(max_length=20, choices=StrategyPath)
    body = MarkdownxField(max_length=MARKDOWN_MAX_LENGTH)
    body_html = stored_html_field()
    search_vector = search_vector()

    markdown_fields = ("body",)
    history = HistoricalRecords(
        excluded_fields=derived("rendered_with", "body_html", "search_vector")
    )

    class Meta(Content.Meta):
        verbose_name_plural = "strategies"
        indexes = [search_index("strategy")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(path__in=StrategyPath.values), name="guide_strategy_path_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("guide:strategy", self.slug)

    def get_path_display(self) -> str:
        """Django's, without rebuilding the field's choices on each call (about 7 µs): a
        search lists up to thirty strategies, each with its path."""
        return self.PATH_LABELS.get(self.path, self.path)

    @property
    def shown_in(self) -> str:
        """The chapter component listing this strategy: the path's values are components."""
        return self.path


class Sign(Content):
    """One of the behavioral markers of security: guide content and a quiz item at once."""

    Leaning = SignLeaning

    text = models.CharField(max_length=300, help_text='About the reader: "You …"')
    partner_text = models.CharField(
        max_length=300, help_text='The same marker about a partner: "They …"'
    )
    leaning = models.CharField(
        max_length=20,
        choices=SignLeaning,
        help_text="Which insecure leaning a low rating on this sign speaks to most.",
    )
    strategies = models.ManyToManyField(Strategy, blank=True, related_name="signs")
    search_vector = search_vector()

    history = HistoricalRecords(m2m_fields=[strategies], excluded_fields=derived("search_vector"))

    class Meta(Content.Meta):
        indexes = [search_index("sign")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leaning__in=SignLeaning.values), name="guide_sign_leaning_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    shown_in = ChapterComponent.SIGNS

    def get_absolute_url(self) -> str:
        return item_url(self)


class Therapy(RenderedContent):
    """An attachment-based therapy: who developed it and whom it suits best."""

    name = models.CharField(max_length=200, help_text="The heading, as readers know it.")
    full_name = models.CharField(max_length=200, blank=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    developed_by = models.CharField(max_length=200)
    body = MarkdownxField(max_length=MARKDOWN_MAX_LENGTH)
    best_for = models.CharField(max_length=300)
    body_html = stored_html_field()
    search_vector = search_vector()

    markdown_fields = ("body",)
    history = HistoricalRecords(
        excluded_fields=derived("rendered_with", "body_html", "search_vector")
    )

    class Meta(Content.Meta):
        verbose_name_plural = "therapies"
        indexes = [search_index("therapy")]

    def __str__(self) -> str:
        return self.name

    shown_in = ChapterComponent.THERAPIES

    def get_absolute_url(self) -> str:
        return item_url(self)


class FAQ(RenderedContent):
    """A frequently asked question and its markdown answer."""

    question = models.CharField(max_length=300)
    answer = MarkdownxField(max_length=MARKDOWN_MAX_LENGTH)
    answer_html = stored_html_field()
    search_vector = search_vector()

    markdown_fields = ("answer",)
    history = HistoricalRecords(
        excluded_fields=derived("rendered_with", "answer_html", "search_vector")
    )

    class Meta(Content.Meta):
        verbose_name = "FAQ"
        indexes = [search_index("faq")]
        verbose_name_plural = "FAQs"

    def __str__(self) -> str:
        return self.question

    shown_in = ChapterComponent.FAQS

    def get_absolute_url(self) -> str:
        return item_url(self)


def reading_minutes(*texts: str) -> int:
    words = sum(map(_words, texts))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


@functools.lru_cache(maxsize=1024)
def _words(text: str) -> int:
    # Remembered: a page counts the same saved texts on every view.
    return len(re.findall(r"\w+", strip_tags(text)))


class Chapters:
    """The chapters a reader may see, in order, and which one shows each kind of item.

    The one answer to "where does this item live?": views, search and the sitemap build
    it from the chapter list they fetch anyway; ``get_absolute_url`` builds it from one
    query. Signs, therapies, questions and references live at an anchor in the chapter
    whose ``component`` names them; strategies and chapters have their own pages.
    """

    # What a contents list, a previous/next link or a "cited in" link needs: never the bodies.
    FIELDS = ("id", "slug", "title", "summary", "order", "component", "published")
    # What a link to a chapter or to an item in it needs: the guide_section_place index holds
    # them all, so a list of them is read from the index alone.
    LINK_FIELDS = ("id", "slug", "title", "order", "component", "published")

    def __init__(self, sections: Iterable[Section]) -> None:
        self.list = [s for s in sections if s.component != ChapterComponent.INTRO]
        self._showing = {section.component: section for section in self.list if section.component}

    @classmethod
    def visible_to(cls, user) -> Chapters:
        """Every chapter ``user`` may read, without bodies: one query."""
        return cls(_chapter_list(sees_drafts(user)).rows())

    @classmethod
    def around(cls, user, slug: str) -> Place | None:
        """Where the chapter at ``slug`` sits among those ``user`` may read (its number, the
        total, its neighbours) and where the references chapter is, in one query: an index
        answers each part without sorting the chapters (``_around``). The neighbours are one
        index entry each; the number and total still count index entries, a few microseconds
        for hundreds of chapters."""
        rows = _around(sees_drafts(user)).rows(slug)
        if not rows:
            return None
        chapter = rows[0]

        def chapter_at(slug: str | None, **fields) -> Section | None:
            return None if slug is None else Section(slug=slug, **fields)

        references = None
        if chapter.references_slug != chapter.slug:  # else this chapter lists the references
            references = chapter_at(chapter.references_slug, component=ChapterComponent.REFERENCES)
        return Place(
            chapter=chapter,
            number=chapter.number,
            total=chapter.total,
            previous=chapter_at(chapter.previous_slug, title=chapter.previous_title),
            next=chapter_at(chapter.next_slug, title=chapter.next_title),
            chapters=cls([chapter, references] if references else [chapter]),
        )

    def __iter__(self) -> Iterator[Section]:
        return iter(self.list)

    def __len__(self) -> int:
        return len(self.list)

    def __getitem__(self, index: int) -> Section:
        """The chapter at ``index`` in reading order (``chapters.0`` in a template)."""
        return self.list[index]

    def showing(self, component: str) -> Section | None:
        """The chapter that lists a component's items, if the reader may see it."""
        return self._showing.get(component)

    @property
    def signs(self) -> Section | None:
        return self.showing(ChapterComponent.SIGNS)

    @property
    def references(self) -> Section | None:
        return self.showing(ChapterComponent.REFERENCES)

    def url_for(self, item: Content) -> str | None:
        """Where a reader finds ``item``: its own page, or its chapter at the item's anchor;
        ``None`` when the chapter that would show it is hidden from this reader."""
        if isinstance(item, Section | Strategy):
            return item.get_absolute_url()
        chapter = self.showing(item.shown_in)
        return f"{chapter.get_absolute_url()}#{item.slug}" if chapter else None


@compiled
def _chapter_list(drafts: bool) -> models.QuerySet:
    """:meth:`Chapters.visible_to`'s query."""
    return (
        Section.objects.shown(drafts=drafts)
        .exclude(component=ChapterComponent.INTRO)
        .only(*Chapters.FIELDS)
    )


class _Row(Func):
    """``(a, b)``: a row value, compared column by column as a whole."""

    function = ""
    output_field = models.Field()


def _row_compare(operator: str, left: Iterable, right: Iterable) -> Func:
    """``(a, b) < (x, y)``: reading order as one comparison, which a B-tree index on the
    same columns answers by a range scan (``a < x OR (a = x AND b < y)`` it cannot)."""
    return Func(
        _Row(*left),
        _Row(*right),
        template="(%(expressions)s)",
        arg_joiner=f" {operator} ",
        output_field=models.BooleanField(),
    )


@compiled
def _around(drafts: bool) -> models.QuerySet:
    """:meth:`Chapters.around`'s query, the slug to be given: the chapter with its number,
    the total, its neighbours and the references chapter's slug, from subqueries the
    ``guide_section_place`` index answers. A window numbering every chapter cost as much
    as the rest of the page once the guide had a few hundred chapters. The chapter is
    found by its slug alone, so one plan serves every slug (with prepared statements,
    ``slug = $1 OR component = $2`` could not use the partial index on ``component`` and
    was planned anew on each request)."""
    chapters = _chapter_list.__wrapped__(drafts).order_by()
    here = (OuterRef("order"), OuterRef("pk"))
    position = (F("order"), F("pk"))
    before = chapters.filter(_row_compare("<", position, here)).order_by("-order", "-pk")
    after = chapters.filter(_row_compare(">", position, here)).order_by("order", "pk")

    def count(rows: models.QuerySet) -> Subquery:
        counted = rows.annotate(n=Func(F("pk"), function="COUNT")).values("n")
        return Subquery(counted, output_field=models.IntegerField())

    references = chapters.filter(component=ChapterComponent.REFERENCES)
    return (
        _chapter_list.__wrapped__(drafts)
        .filter(slug=VALUE)
        .annotate(
            number=count(chapters.filter(_row_compare("<=", position, here))),
            total=count(chapters),
            previous_slug=Subquery(before.values("slug")[:1]),
            previous_title=Subquery(before.values("title")[:1]),
            next_slug=Subquery(after.values("slug")[:1]),
            next_title=Subquery(after.values("title")[:1]),
            references_slug=Subquery(references.values("slug")[:1]),
        )
    )


@dataclass(frozen=True)
class Place:
    """A chapter's place in the guide as its page shows it (:meth:`Chapters.around`).
    ``chapters`` holds only the chapter and the references chapter: enough for
    :meth:`Chapters.showing` and :meth:`Chapters.url_for` of a reference. The neighbours
    and the references chapter are stand-ins with a slug (and a neighbour's title), no
    pk: what their links need."""

    chapter: Section
    number: int
    total: int
    previous: Section | None
    next: Section | None
    chapters: Chapters


def item_url(item: Content) -> str:
    """An item's place in the guide in one query (admin's "view on site", one-off links)."""
    sections = Section.objects.filter(component=item.shown_in).only(*Chapters.FIELDS)
    return Chapters(sections).url_for(item) or reverse("guide:home")


class ReflectionPrompt(Content):
    """A question a reader sits with for a week of practice, written for one sign.

    A plan's week offers a prompt for the growth edge it works on. Plans keep a copy of the
    wording they were given, so editors can reword or retire a prompt freely.
    """

    sign = models.ForeignKey(Sign, on_delete=models.CASCADE, related_name="reflection_prompts")
    text = MarkdownxField(
        max_length=1_000,
        help_text="One or two sentences, in the guide's voice: an invitation, never a test.",
    )

    history = HistoricalRecords()

    class Meta(Content.Meta):
        ordering = ["sign__order", "order", "pk"]

    def __str__(self) -> str:
        return strip_tags(self.text)[:80]

    shown_in = ChapterComponent.SIGNS

    def get_absolute_url(self) -> str:
        """Prompts appear in readers' plans only; in the guide, their sign is where they live."""
        return self.sign.get_absolute_url()


class Reviewer(Content):
    """Someone who checks chapters against the evidence, credited on each chapter they review.

    A reviewer is a person (a psychologist, say) or, for reviews the editors make together,
    the editorial team: search engines are told which.
    """

    name = models.CharField(max_length=120)
    credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text='What qualifies them, e.g. "PhD, clinical psychologist"',
    )
    bio = models.TextField(
        max_length=600, blank=True, help_text="Two or three sentences, shown with the credit."
    )
    is_person = models.BooleanField(
        default=True, help_text="Untick for a team or an organisation (the editorial team)."
    )

    history = HistoricalRecords()

    class Meta(Content.Meta):
        ordering = ["order", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def get_absolute_url(self) -> str:
        """Where readers meet the reviewer: credited on the first chapter they reviewed (the
        guide's index, with its review dates, before they have one)."""
        chapter = self.sections.filter(published=True).order_by("order", "pk").first()
        return chapter.get_absolute_url() if chapter else reverse("guide:index")


class ChangeNoteQuerySet(models.QuerySet):
    def public(self) -> ChangeNoteQuerySet:
        """What readers see: notes on published chapters, minor edits left out."""
        return self.filter(minor_edit=False, section__published=True).exclude(note="")


class ChangeNote(models.Model):
    """What changed, in a sentence, when an editor published a change readers would notice.

    Each note belongs to the chapter readers find the changed item in (the chapter itself,
    or the one that shows the sign, strategy, therapy, question or reference). A minor edit
    (a typo) is recorded too, so editors see it, but never shown to readers.
    """

    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_notes"
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = models.CharField(max_length=300, help_text="The item that changed, as it was named.")
    note = models.CharField(max_length=300, blank=True)
    minor_edit = models.BooleanField(default=False)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ChangeNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minor_edit=True) | ~models.Q(note=""),
                name="guide_changenote_note_unless_minor",
                violation_error_message="A change readers would notice needs a note.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d}: {self.note or '(minor edit)'}"


class SupportPurpose(models.TextChoices):
    """What a help line is for: the support page groups its entries by these."""

    EMERGENCY = "emergency", "Emergency services"
    CRISIS = "crisis", "Crisis and suicide support"
    DOMESTIC_ABUSE = "domestic-abuse", "Domestic abuse"
    THERAPIST = "therapist", "Finding a therapist"


class SupportRegion(models.TextChoices):
    """The regions the support page has a page for; "elsewhere" lists what works widely."""

    US = "us", "United States"
    CA = "ca", "Canada"
    UK = "uk", "United Kingdom"
    IE = "ie", "Ireland"
    AU = "au", "Australia"
    ELSEWHERE = "elsewhere", "Elsewhere"


class SupportResource(Content):
    """A help line or service a reader can reach now, kept by editors for one region.

    ``area`` narrows an entry to part of a region (England, within the UK); ``last_checked``
    says when an editor last confirmed its number and hours.
    """

    Purpose = SupportPurpose
    Region = SupportRegion

    region = models.CharField(
        max_length=20, choices=SupportRegion, help_text="Which region's page lists it."
    )
    area = models.CharField(
        max_length=80, blank=True, help_text="Only part of the region, e.g. England. Blank: all."
    )
    purpose = models.CharField(max_length=20, choices=SupportPurpose)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True, help_text="What it offers.")
    phone = models.CharField(max_length=40, blank=True)
    text = models.CharField(
        max_length=80, blank=True, help_text='Text (SMS), e.g. "988" or "START to 88788".'
    )
    web = models.URLField(blank=True)
    hours = models.CharField(max_length=120, blank=True, help_text='e.g. "24 hours, every day"')
    last_checked = models.DateField(
        null=True, blank=True, help_text="When an editor last confirmed the number and hours."
    )

    history = HistoricalRecords()

    class Meta(Content.Meta):
        ordering = ["region", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__in=SupportRegion.values),
                name="guide_supportresource_region_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=SupportPurpose.values),
                name="guide_supportresource_purpose_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(phone="", text="", web=""),
                name="guide_supportresource_reachable",
                violation_error_message="Give a phone number, a text number or a web address.",
            ),
        ]

    def __str__(self) -> str:
        where = self.get_region_display() + (f", {self.area}" if self.area else "")
        return f"{self.name} ({where})"

    def get_absolute_url(self) -> str:
        return reverse("guide:support-region", kwargs={"region": self.region})

    @property
    def phone_link(self) -> str:
        """A tel: address: the digits (and a leading +) of the phone number."""
        return "".join(c for c in self.phone if c.isdigit() or c == "+")

    def check_due(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.last_checked is None or today - self.last_checked > CHECK_SUPPORT_EVERY


class BubblePrinciple(Content):
    """One of the couple bubble's principles of secure functioning, from the guide's
    "Creating Secure Relationships" chapter, offered to linked partners as a starting
    suggestion for their shared agreements. Editors keep the wording; a partner's agreement
    copies the words, so a later rewording never changes what two people agreed."""

    title = models.CharField(max_length=200, help_text="The principle, in a few words.")
    explanation = models.CharField(
        max_length=300, blank=True, help_text="A sentence on what it asks of both partners."
    )

    history = HistoricalRecords()

    class Meta(Content.Meta):
        verbose_name = "couple bubble principle"

    def __str__(self) -> str:
        return self.title


# Editorial workflow -----------------------------------------------------------------------
# Drafts of live items, their history and who is editing what. Staff-only bookkeeping: none
# of it is shown to readers, so writing it leaves the page cache alone (see guide.apps).


class DraftQuerySet(models.QuerySet):
    def for_model(self, model: type[models.Model]) -> DraftQuerySet:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def pending(self) -> DraftQuerySet:
        """Drafts holding changes readers don't see yet."""
        return self.exclude(changes={})

    def awaiting_review(self) -> DraftQuerySet:
        """Pending drafts no second editor has approved as they stand now."""
        return self.pending().filter(
            models.Q(approved_version__isnull=True)
            | ~models.Q(approved_version=models.F("version"))
        )

    def scheduled(self) -> DraftQuerySet:
        return self.pending().filter(publish_at__isnull=False)


class Draft(models.Model):
    """Changes to one live guide item, kept beside it until an editor publishes them.

    ``changes`` holds only the fields (and links) that differ from the live item, by name;
    empty means there is no draft. The row stays after a publish or a discard, so its
    ``version`` only ever grows: an editor's form carries the version it was opened at, and
    saving over a newer one is refused (optimistic locking, see :mod:`guide.drafts`).
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The editors who wrote this draft since it was last published or discarded: none of
    # them may approve it.
    authors = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(null=True, blank=True)
    change_note = models.TextField(blank=True)
    minor_edit = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    approval_comment = models.TextField(blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="guide_draft_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.content_type.name} #{self.object_id}"

    @property
    def pending(self) -> bool:
        return bool(self.changes)

    @property
    def approved(self) -> bool:
        return self.pending and self.approved_version == self.version


class DraftEvent(models.Model):
    """One step in a draft's life, for the item's history: saved (with the whole item as the
    draft then stood, so any two versions can be compared), approved, scheduled, published,
    discarded."""

    class Action(models.TextChoices):
        SAVED = "saved", "Draft saved"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        UNSCHEDULED = "unscheduled", "Schedule cancelled"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Draft discarded"

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


class EditingPresence(models.Model):
    """An editor had an item's form open (or saved it) at ``seen``, editing since ``since``:
    what tells a second editor someone else is at work on it."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="guide_presence_one_per_editor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.content_type.name} #{self.object_id}"


EDITORIAL_MODELS = (Draft, DraftEvent, EditingPresence)
