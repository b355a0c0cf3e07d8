"""Reading the guide: home, chapters, strategies, search.

A signed-out reader's page touches no session and carries no CSRF token, so a cache
can keep it whole and answer a conditional GET with 304 (ConditionalGetMiddleware
adds the ETag). Every page renders in a fixed number of queries, whatever the number
of items: lists are fetched in one query each and their relations prefetched.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, get_text_list
from django.views.decorators.cache import never_cache

from config import ratelimit
from guide import drafts, sitemaps
from guide.compiled import ID, VALUE, compiled
from guide.components import KINDS, item_contents, item_texts, last_modified, render_chapter
from guide.editors import EDITORIAL_TEAM
from guide.markdown import outline
from guide.models import (
    ChangeNote,
    Chapters,
    Reference,
    Section,
    Sign,
    Strategy,
    SupportPurpose,
    SupportRegion,
    SupportResource,
    reading_minutes,
    sees_drafts,
)
from guide.page_cache import public_page
from guide.search import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH, results_html, search_guide
from guide.stored_html import html as stored_html
from guide.support import REGION_INFO, region_from_accept_language

INTRO = Section.Component.INTRO
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, escaped as json_script does."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))


@compiled
def _intro(drafts: bool):
    """The home page's introduction (guide.compiled: built once per process)."""
    return Section.objects.shown(drafts=drafts).filter(component=INTRO)[:1]


@public_page
def home(request: HttpRequest) -> HttpResponse:
    chapters = Chapters.visible_to(request.user)
    intro = next(iter(_intro(sees_drafts(request.user)).rows()), None)
    shown = drafts.preview(request, intro) if intro else []
    return render(
        request,
        "guide/home.html",
        {
            "drafts_shown": shown,
            "intro": intro,
            "intro_html": stored_html(intro, "body") if intro else "",
            "chapters": chapters,
        },
    )


def page_data(request: HttpRequest, section: Section, references, modified) -> dict:
    """schema.org WebPage whose main entity is the chapter's Article. The review belongs to
    the page (``reviewedBy`` and ``lastReviewed`` are WebPage properties); authorship,
    freshness and sources belong to the article."""
    url = request.build_absolute_uri(section.get_absolute_url())
    article = article_data(request, section, references, modified)
    del article["@context"]
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "url": url,
        "name": section.title,
        "inLanguage": "en-US",
        "mainEntity": article,
    }
    if section.last_reviewed:
        data["lastReviewed"] = section.last_reviewed.isoformat()
    reviewer = section.reviewer
    if reviewer is not None:
        data["reviewedBy"] = {
            "@type": "Person" if reviewer.is_person else "Organization",
            "name": reviewer.name,
        }
        if reviewer.is_person and reviewer.credentials:
            data["reviewedBy"]["description"] = reviewer.credentials
    return data


def article_data(request: HttpRequest, section: Section, references, modified) -> dict:
    """schema.org Article: what search engines read for authorship, freshness and sources."""
    url = request.build_absolute_uri(section.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": section.title,
        "description": section.summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": "en-US",
        "datePublished": (section.published_on or section.created.date()).isoformat(),
        "dateModified": modified.isoformat(),
        "author": {"@type": "Organization", "name": EDITORIAL_TEAM},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "citation": [citation_data(reference) for reference in references],
    }
    return data


def citation_data(reference: Reference) -> dict:
    data = {
        "@type": "ScholarlyArticle" if reference.is_article else "Book",
        "name": reference.title,
        "author": reference.authors,
        "datePublished": str(reference.year),
    }
    if reference.is_article:
        data["isPartOf"] = {"@type": "Periodical", "name": reference.source}
    else:
        data["publisher"] = reference.source
    if reference.link:
        data["url"] = reference.link
    return data


def renamed(model: type[Section | Strategy], slug: str, user) -> Section | Strategy | None:
    """The item that was at ``slug`` before an editor changed its slug, if ``user`` may
    see it: old links and bookmarks then lead to its new address, not to a 404."""
    latest = model.history.filter(slug=slug).order_by("-history_date", "-history_id")
    pk = latest.values_list("id", flat=True).first()
    if pk is None:
        return None
    return model.objects.visible_to(user).exclude(slug=slug).filter(pk=pk).first()


def moved_or_404(model: type[Section | Strategy], slug: str, user, message: str):
    """A permanent redirect to where a renamed item now lives, else 404. (The
    ``public_page`` views it is called from make caches ask again, so renaming an item
    back later never leaves a stale redirect behind.)"""
    item = renamed(model, slug, user)
    if item is None:
        raise Http404(message)
    return HttpResponsePermanentRedirect(item.get_absolute_url())


# A chapter page's questions, compiled once per process (guide.compiled): the chapter with
# its reviewer and when its latest public change note was written, then the sources it cites.
@compiled
def _chapter(drafts: bool):
    notes = ChangeNote.objects.public().filter(section=OuterRef("pk"))
    return (
        Section.objects.shown(drafts=drafts)
        .filter(pk=ID)
        .select_related("reviewer")
        .annotate(latest_change_at=Subquery(notes.values("created")[:1]))
    )


@compiled
def _cited(drafts: bool):
    return Reference.objects.shown(drafts=drafts).filter(sections=ID)


@public_page
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    place = Chapters.around(user, slug)
    if place is None:
        return moved_or_404(Section, slug, user, "No such chapter.")
    seeing_drafts = sees_drafts(user)
    section = _chapter(seeing_drafts).rows(place.chapter.pk)[0]
    # On a preview link, staff see the drafts of everything the page shows.
    shown = drafts.preview(request, section)
    references = _cited(seeing_drafts).rows(section.pk)
    kind = KINDS.get(section.component)
    items = kind.fetch(user, section.component) if kind else []
    reviewer = [section.reviewer] if section.reviewer else []
    shown += drafts.preview(request, *references, *items, *reviewer)

    body_html, closing_html = render_chapter(section, kind, items)
    contents = [*outline(body_html), *item_contents(kind, items), *outline(closing_html)]
    if references:
        contents.append({"id": "chapter-sources", "title": "Sources for this chapter", "level": 2})
    modified = last_modified(section, items, references)

    return render(
        request,
        "guide/section.html",
        {
            "drafts_shown": shown,
            "section": section,
            "kind": kind,
            "body_html": body_html,
            "closing_html": closing_html,
            "items": items,
            "contents": contents,
            "references": references,
            "minutes": reading_minutes(section.body, section.closing, *item_texts(kind, items)),
            "number": place.number,
            "total": place.total,
            "previous": place.previous,
            "next": place.next,
            "chapters": place.chapters,
            "modified": modified,
            "latest_change_at": section.latest_change_at,
            "page_json": ld_json(page_data(request, section, references, modified)),
        },
    )


# A strategy page's questions, compiled once per process (guide.compiled): the strategy,
# the others on its path, the signs it helps, and the chapters it links to (its path's,
# the signs', the references'); its sources are its chapter's (_cited).
@compiled
def _strategy(drafts: bool):
    return Strategy.objects.shown(drafts=drafts).filter(slug=VALUE)[:1]


@compiled
def _path(drafts: bool):
    fields = ("id", "slug", "title", "order", "path", "published")
    return Strategy.objects.shown(drafts=drafts).filter(path=VALUE).only(*fields)


@compiled
def _helped_signs(drafts: bool):
    fields = ("id", "slug", "text", "order", "published")
    return Sign.objects.shown(drafts=drafts).filter(strategies=ID).only(*fields)


@compiled
def _strategy_chapters(drafts: bool):
    components = [VALUE, Section.Component.SIGNS, Section.Component.REFERENCES]
    sections = Section.objects.shown(drafts=drafts).filter(component__in=components)
    return sections.only(*Chapters.LINK_FIELDS)


@public_page
def strategy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    seeing_drafts = sees_drafts(user)
    strategy = next(iter(_strategy(seeing_drafts).rows(slug)), None)
    if strategy is None:
        return moved_or_404(Strategy, slug, user, "No such strategy.")
    path = _path(seeing_drafts).rows(strategy.path)
    signs = _helped_signs(seeing_drafts).rows(strategy.pk)
    chapters = Chapters(_strategy_chapters(seeing_drafts).rows(strategy.path))
    chapter = chapters.showing(strategy.path)
    references = _cited(seeing_drafts).rows(chapter.pk) if chapter else []
    shown = drafts.preview(request, strategy, *signs, *references)
    number = next((i for i, item in enumerate(path, 1) if item.pk == strategy.pk), None)
    body_html = stored_html(strategy, "body")
    return render(
        request,
        "guide/strategy.html",
        {
            "drafts_shown": shown,
            "strategy": strategy,
            "body_html": body_html,
            "description": Truncator(strip_tags(body_html).strip()).words(28),
            "path": path,
            "number": number,
            "signs": signs,
            "chapter": chapter,
            "chapters": chapters,
            # The strategy's evidence is its chapter's: show those sources here too.
            "references": references,
        },
    )


def _searches(request: HttpRequest) -> bool:
    return "q" in request.GET


@ratelimit.rate_limited(ratelimit.SEARCH, when=_searches)
@public_page
def search(request: HttpRequest) -> HttpResponse:
    # Control characters (a NUL byte, say) mean nothing to a reader and PostgreSQL refuses them.
    typed = "".join(
        char for char in request.GET.get("q", "") if char.isprintable() or char.isspace()
    )
    query = " ".join(typed.split())
    problem = ""
    results = []
    if not query:
        problem = "empty" if "q" in request.GET else ""
    elif len(query) < MIN_QUERY_LENGTH:
        problem = "short"
    elif len(query) > MAX_QUERY_LENGTH:
        problem = "long"
    else:
        results = search_guide(query, user=request.user)
    return render(
        request,
        "guide/search.html",
        {
            "query": query,
            "shown_query": Truncator(query).chars(80),
            "problem": problem,
            "results": results,
            "result_items": results_html(results, request),
            "max_length": MAX_QUERY_LENGTH,
            # Nothing found (or nothing asked yet): the chapters to browse instead.
            "chapters": Chapters.visible_to(request.user) if not results else [],
        },
    )


@public_page
def guide_index(request: HttpRequest) -> HttpResponse:
    """Every chapter with its summary, reading time and review date."""
    user = request.user
    sections = list(
        Section.objects.visible_to(user)
        .exclude(component=INTRO)
        .select_related("reviewer")
        .defer("created")
    )
    for section in sections:  # one chapter per component: a fixed number of queries
        kind = KINDS.get(section.component)
        items = kind.fetch(user, section.component) if kind else []
        section.minutes = reading_minutes(section.body, section.closing, *item_texts(kind, items))
    return render(request, "guide/index.html", {"sections": sections})


def _chapter_or_404(request: HttpRequest, slug: str) -> Section:
    section = (
        Section.objects.visible_to(request.user)
        .exclude(component=INTRO)
        .filter(slug=slug)
        .only(*Chapters.FIELDS)
        .first()
    )
    if section is None:
        raise Http404("No such chapter.")
    return section


@public_page
def section_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """A chapter's dated change notes, newest first: what changed, never who or minor edits."""
    section = _chapter_or_404(request, slug)
    notes = list(section.change_notes.public().only("id", "note", "created", "section_id"))
    return render(request, "guide/changes.html", {"section": section, "notes": notes})


@compiled
def _feed_notes(limit: int):
    """The feed's notes, newest first, each with its chapter (compiled once)."""
    notes = ChangeNote.objects.public().select_related("section")
    chapter = ("section__id", "section__slug", "section__title", "section__component")
    return notes.only("id", "note", "created", "section_id", *chapter)[:limit]


class GuideUpdatesFeed(Feed):
    """An Atom feed of the guide's change notes: published chapters, minor edits left out."""

    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME}: guide updates"
    subtitle = "What changed in the guide, chapter by chapter, in the editors' words."
    author_name = EDITORIAL_TEAM
    LIMIT = 50

    def link(self) -> str:
        return reverse("guide:index")

    def feed_url(self) -> str:
        return reverse("guide:feed")

    def items(self) -> list[ChangeNote]:
        return _feed_notes(self.LIMIT).rows()

    def item_title(self, item: ChangeNote) -> str:
        return f"{item.section.title}: {Truncator(item.note).words(12)}"

    def item_description(self, item: ChangeNote) -> str:
        return item.note

    def item_link(self, item: ChangeNote) -> str:
        if item.section.component == INTRO:
            return f"{reverse('guide:home')}#note-{item.pk}"
        return f"{item.section.get_changes_url()}#note-{item.pk}"

    def item_pubdate(self, item: ChangeNote):
        return item.created

    def item_updateddate(self, item: ChangeNote):
        return item.created


feed = public_page(GuideUpdatesFeed())


@public_page
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every page a signed-out reader may land on (guide.sitemaps). One page of them: a
    ``?p=`` other than 1 is not found, as with Django's sitemap view."""
    page = request.GET.get("p", "1")
    try:
        if int(page) != 1:
            raise ValueError
    except ValueError:
        raise Http404("No such page of the sitemap.") from None
    origin = f"{request.scheme}://{request.get_host()}"
    response = HttpResponse(sitemaps.urlset(origin), content_type="application/xml")
    # As Django's sitemap view says: the list of pages is not itself a page to show.
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@never_cache
def support(request: HttpRequest) -> HttpResponse:
    """To the region the reader's browser languages suggest. Never cached: the same address
    answers each reader differently, and the region pages themselves are cached."""
    region = region_from_accept_language(request.headers.get("Accept-Language", ""))
    response = HttpResponseRedirect(reverse("guide:support-region", kwargs={"region": region}))
    patch_vary_headers(response, ["Accept-Language"])
    return response


@public_page
def support_region(request: HttpRequest, region: str) -> HttpResponse:
    if region not in SupportRegion.values:
        raise Http404("No such region.")
    region = SupportRegion(region)
    entries = list(
        SupportResource.objects.visible_to(request.user)
        .filter(region=region)
        .order_by("order", "pk")
    )
    # On a preview link, staff see the entries' drafts in place.
    shown = drafts.preview(request, *entries)
    groups = [
        {
            "purpose": purpose,
            "entries": [entry for entry in entries if entry.purpose == purpose],
        }
        for purpose in SupportPurpose
        if purpose != SupportPurpose.EMERGENCY
    ]
    info = REGION_INFO.get(region)
    covered = {entry.area for entry in entries if entry.purpose == SupportPurpose.DOMESTIC_ABUSE}
    all_covered = any(
        not entry.area for entry in entries if entry.purpose == SupportPurpose.DOMESTIC_ABUSE
    )
    gaps = [] if info is None or all_covered else [a for a in info.areas if a not in covered]
    return render(
        request,
        "guide/support.html",
        {
            "drafts_shown": shown,
            "region": region,
            "regions": list(SupportRegion),
            "groups": [group for group in groups if group["entries"]],
            "emergency": [e for e in entries if e.purpose == SupportPurpose.EMERGENCY],
            "abuse_gaps": gaps,
            "abuse_gaps_text": get_text_list(gaps, "and"),
        },
    )
