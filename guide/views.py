"""Reading the guide: home, chapters, strategies, search.

A signed-out reader's page touches no session and carries no CSRF token, so a cache
can keep it whole and answer a conditional GET with 304 (ConditionalGetMiddleware
adds the ETag). Every page renders in a fixed number of queries, whatever the number
of items: lists are fetched in one query each and their relations prefetched.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from guide.markdown import outline
from guide.models import FAQ, Reference, Section, Sign, Strategy, Therapy, reading_minutes
from guide.search import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH, search_guide

INTRO = Section.Component.INTRO
STRATEGY_PATHS = {Section.Component.ANXIOUS, Section.Component.AVOIDANT, Section.Component.REPAIR}
# What a contents list, a previous/next link or a "cited in" link needs: never the bodies.
CONTENTS_FIELDS = ("id", "slug", "title", "summary", "order", "component", "published")
LINK_FIELDS = ("id", "slug", "title", "order", "path", "published")
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def revalidated(view):
    """Let shared caches keep anonymous pages but always revalidate them (editors' changes
    show at once); keep a signed-in reader's pages private to their browser."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper


def ld_json(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block, escaped as json_script does."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))


def chapter_links(user) -> list[Section]:
    """Every chapter the reader may see, in order, without bodies: one query."""
    return list(Section.objects.visible_to(user).exclude(component=INTRO).only(*CONTENTS_FIELDS))


def component_slug(chapters: list[Section], component: str) -> str | None:
    return next((chapter.slug for chapter in chapters if chapter.component == component), None)


@revalidated
def home(request: HttpRequest) -> HttpResponse:
    sections = list(Section.objects.visible_to(request.user))
    intro = next((section for section in sections if section.component == INTRO), None)
    chapters = [section for section in sections if section.component != INTRO]
    return render(
        request,
        "guide/home.html",
        {
            "intro": intro,
            "chapters": chapters,
            "signs_slug": component_slug(chapters, Section.Component.SIGNS),
        },
    )


def component_items(component: str, user) -> list:
    """The typed items a chapter shows after its body, relations prefetched."""
    if component == Section.Component.SIGNS:
        helping = Strategy.objects.visible_to(user).only(*LINK_FIELDS)
        return list(Sign.objects.visible_to(user).prefetch_related(Prefetch("strategies", helping)))
    if component in STRATEGY_PATHS:
        return list(Strategy.objects.visible_to(user).filter(path=component))
    if component == Section.Component.THERAPIES:
        return list(Therapy.objects.visible_to(user))
    if component == Section.Component.FAQS:
        return list(FAQ.objects.visible_to(user))
    if component == Section.Component.REFERENCES:
        citing = Section.objects.visible_to(user).exclude(component=INTRO).only(*CONTENTS_FIELDS)
        return list(
            Reference.objects.visible_to(user).prefetch_related(Prefetch("sections", citing))
        )
    return []


def item_outline(component: str, items: list) -> list[dict]:
    """Contents entries for the typed items, matching the anchors the template gives them."""
    if component == Section.Component.REPAIR:  # under the body's "Repair After Rupture"
        return [{"id": item.slug, "title": item.title, "level": 3} for item in items]
    if component in STRATEGY_PATHS:  # numbered steps, as the seed numbers them
        return [
            {"id": item.slug, "title": f"{number}. {item.title}", "level": 2}
            for number, item in enumerate(items, 1)
        ]
    if component == Section.Component.THERAPIES:
        return [{"id": item.slug, "title": item.name, "level": 2} for item in items]
    if component == Section.Component.FAQS:
        return [{"id": item.slug, "title": item.question, "level": 2} for item in items]
    return []


def item_texts(component: str, items: list) -> list[str]:
    if component == Section.Component.SIGNS:
        return [item.text for item in items]
    if component in STRATEGY_PATHS:
        return [f"{item.title} {item.body}" for item in items]
    if component == Section.Component.THERAPIES:
        return [f"{item.name} {item.body} {item.best_for}" for item in items]
    if component == Section.Component.FAQS:
        return [f"{item.question} {item.answer}" for item in items]
    return []


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
        "inLanguage": "en",
        "datePublished": section.created.isoformat(),
        "dateModified": modified.isoformat(),
        "author": {"@type": "Organization", "name": section.reviewed_by or settings.SITE_NAME},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "citation": [citation_data(reference) for reference in references],
    }
    if section.last_reviewed:
        data["lastReviewed"] = section.last_reviewed.isoformat()
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


@revalidated
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    chapters = chapter_links(user)
    position = next((i for i, chapter in enumerate(chapters) if chapter.slug == slug), None)
    if position is None:
        raise Http404("No such chapter.")
    section = (
        Section.objects.visible_to(user)
        .prefetch_related(Prefetch("references", Reference.objects.visible_to(user)))
        .get(pk=chapters[position].pk)
    )
    references = list(section.references.all())
    items = component_items(section.component, user)

    body_html = section.body_html()
    closing_html = section.closing_html()
    contents = [
        *outline(body_html),
        *item_outline(section.component, items),
        *outline(closing_html),
    ]
    if references:
        contents.append({"id": "sources", "title": "Sources for this chapter", "level": 2})
    modified = max([section.updated, *(item.updated for item in items)])

    return render(
        request,
        "guide/section.html",
        {
            "section": section,
            "body_html": body_html,
            "closing_html": closing_html,
            "items": items,
            "contents": contents,
            "references": references,
            "minutes": reading_minutes(
                section.body, section.closing, *item_texts(section.component, items)
            ),
            "number": position + 1,
            "total": len(chapters),
            "previous": chapters[position - 1] if position else None,
            "next": chapters[position + 1] if position + 1 < len(chapters) else None,
            "references_slug": component_slug(chapters, Section.Component.REFERENCES),
            "signs_slug": component_slug(chapters, Section.Component.SIGNS),
            "modified": modified,
            "article_json": ld_json(article_data(request, section, references, modified)),
        },
    )


@revalidated
def strategy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    strategy = get_object_or_404(Strategy.objects.visible_to(user), slug=slug)
    path = list(Strategy.objects.visible_to(user).filter(path=strategy.path).only(*LINK_FIELDS))
    signs = list(strategy.signs.visible_to(user).only("id", "slug", "text", "order", "published"))
    chapters = list(
        Section.objects.visible_to(user)
        .filter(
            component__in=[strategy.path, Section.Component.SIGNS, Section.Component.REFERENCES]
        )
        .only(*CONTENTS_FIELDS)
        .prefetch_related(Prefetch("references", Reference.objects.visible_to(user)))
    )
    chapter = next((c for c in chapters if c.component == strategy.path), None)
    number = next((i for i, item in enumerate(path, 1) if item.pk == strategy.pk), None)
    body_html = strategy.body_html()
    return render(
        request,
        "guide/strategy.html",
        {
            "strategy": strategy,
            "body_html": body_html,
            "description": Truncator(strip_tags(body_html).strip()).words(28),
            "path": path,
            "number": number,
            "signs": signs,
            "chapter": chapter,
            # The strategy's evidence is its chapter's: show those sources here too.
            "references": list(chapter.references.all()) if chapter else [],
            "signs_slug": component_slug(chapters, Section.Component.SIGNS),
            "references_slug": component_slug(chapters, Section.Component.REFERENCES),
        },
    )


@revalidated
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
            "max_length": MAX_QUERY_LENGTH,
            "chapters": chapter_links(request.user) if not results else [],
        },
    )


@revalidated
def support(request: HttpRequest) -> HttpResponse:
    return render(request, "guide/support.html")
