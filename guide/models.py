"""The guide's content: chapters and the typed items they show.

Every type is edited on its own in the admin, keeps its markdown source, and is
turned into HTML in one place only (:func:`guide.markdown.render`). Items carry a
``published`` flag: drafts are visible to staff only.
"""

from __future__ import annotations

import math
import re

from django.db import models
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from guide.markdown import render

WORDS_PER_MINUTE = 220
# Large enough for the longest chapter many times over, small enough that a paste
# accident cannot produce a page no one can load.
MARKDOWN_MAX_LENGTH = 50_000


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Everything for staff (drafts are previewed on the real page), published for others."""
        if user.is_authenticated and user.is_staff:
            return self
        return self.published()


class ContentManager(models.Manager.from_queryset(PublishedQuerySet)):
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

    def get_absolute_url(self) -> str:
        return chapter_url(Section.Component.REFERENCES, self.slug)

    @property
    def is_article(self) -> bool:
        return bool(self.volume or self.pages)

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    def citation_html(self) -> SafeString:
        """APA 7: a book italicises its title; an article, its journal and volume together
        ("<i>Child Development, 73</i>(4), 1204–1219")."""
        if self.is_article:
            journal = (
                format_html("{}, {}", self.source, self.volume) if self.volume else self.source
            )
            locator = format_html("<i>{}</i>", journal)
            if self.issue:
                locator = format_html("{}({})", locator, self.issue)
            if self.pages:
                locator = format_html("{}, {}", locator, self.pages.replace("-", "\u2013"))
            html = format_html("{} ({}). {}. {}.", self.authors, self.year, self.title, locator)
        else:
            html = format_html(
                "{} ({}). <i>{}</i>. {}.", self.authors, self.year, self.title, self.source
            )
        if self.link:
            html = format_html('{} <a href="{}">{}</a>', html, self.link, self.link)
        return html


class Section(Content):
    """A chapter of the guide: a markdown body, then the typed items its ``component`` names."""

    class Component(models.TextChoices):
        NONE = "", "Only the body"
        INTRO = "intro", "Home page introduction (not a chapter)"
        SIGNS = "signs", "The signs of secure attachment"
        ANXIOUS = "anxious", "Strategies: from anxious to secure"
        AVOIDANT = "avoidant", "Strategies: from avoidant to secure"
        THERAPIES = "therapies", "Therapies"
        REPAIR = "repair", "Strategies: repair after rupture"
        FAQS = "faqs", "Frequently asked questions"
        REFERENCES = "references", "All references"

    title = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=300,
        help_text="One or two sentences: the page's meta description and its contents line.",
    )
    body = MarkdownxField(blank=True, max_length=MARKDOWN_MAX_LENGTH)
    component = models.CharField(
        max_length=20,
        choices=Component,
        blank=True,
        help_text="Typed content shown after the body.",
    )
    closing = MarkdownxField(
        blank=True,
        max_length=MARKDOWN_MAX_LENGTH,
        help_text="Markdown shown after the typed content (a closing pull quote, say).",
    )
    references = models.ManyToManyField(Reference, blank=True, related_name="sections")
    last_reviewed = models.DateField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=120, blank=True)

    history = HistoricalRecords(m2m_fields=[references])

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.component == self.Component.INTRO:
            return reverse("guide:home")
        return reverse("guide:section", kwargs={"slug": self.slug})

    def body_html(self) -> SafeString:
        return render(self.body)

    def closing_html(self) -> SafeString:
        return render(self.closing)


class Strategy(Content):
    """A practice that helps a reader grow security, on one of three paths."""

    class Path(models.TextChoices):
        ANXIOUS = "anxious", "From anxious to secure"
        AVOIDANT = "avoidant", "From avoidant to secure"
        REPAIR = "repair", "Repair after rupture"

    title = models.CharField(max_length=200)
    path = models.CharField(max_length=20, choices=Path)
    body = MarkdownxField(max_length=MARKDOWN_MAX_LENGTH)

    history = HistoricalRecords()

    class Meta(Content.Meta):
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guide:strategy", kwargs={"slug": self.slug})

    def body_html(self) -> SafeString:
        return render(self.body)


class Sign(Content):
    """One of the behavioural markers of security: guide content and a quiz item at once."""

    class Leaning(models.TextChoices):
        ANXIOUS = "anxious", "Anxious side"
        AVOIDANT = "avoidant", "Avoidant side"
        BOTH = "both", "Both sides"

    text = models.CharField(max_length=300, help_text='About the reader: "You …"')
    partner_text = models.CharField(
        max_length=300, help_text='The same marker about a partner: "They …"'
    )
    leaning = models.CharField(
        max_length=20,
        choices=Leaning,
        help_text="Which insecure leaning a low rating on this sign speaks to most.",
    )
    strategies = models.ManyToManyField(Strategy, blank=True, related_name="signs")

    history = HistoricalRecords(m2m_fields=[strategies])

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return chapter_url(Section.Component.SIGNS, self.slug)


class Therapy(Content):
    """An attachment-based therapy: who developed it and whom it suits best."""

    name = models.CharField(max_length=200, help_text="The heading, as readers know it.")
    full_name = models.CharField(max_length=200, blank=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    developed_by = models.CharField(max_length=200)
    body = MarkdownxField(max_length=MARKDOWN_MAX_LENGTH)
    best_for = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta(Content.Meta):
        verbose_name_plural = "therapies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return chapter_url(Section.Component.THERAPIES, self.slug)

    def body_html(self) -> SafeString:
        return render(self.body)


class FAQ(Content):
    """A frequently asked question and its markdown answer."""

    question = models.CharField(max_length=300)
    answer = MarkdownxField(max_length=MARKDOWN_MAX_LENGTH)

    history = HistoricalRecords()

    class Meta(Content.Meta):
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return chapter_url(Section.Component.FAQS, self.slug)

    def answer_html(self) -> SafeString:
        return render(self.answer)


def reading_minutes(*texts: str) -> int:
    words = sum(len(re.findall(r"\w+", strip_tags(text))) for text in texts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def chapter_url(component: str, anchor: str = "") -> str:
    """The URL of the chapter that shows a component's items, optionally at one item's anchor.

    One query; list pages build anchors themselves instead of calling this per item.
    """
    slug = Section.objects.filter(component=component).values_list("slug", flat=True).first()
    if slug is None:
        return reverse("guide:home")
    url = reverse("guide:section", kwargs={"slug": slug})
    return f"{url}#{anchor}" if anchor else url
