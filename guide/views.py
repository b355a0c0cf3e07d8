"""Reading the guide: home, chapters, strategies, search."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from guide.models import Section, Strategy


def home(request: HttpRequest) -> HttpResponse:
    sections = Section.objects.visible_to(request.user)
    intro = sections.filter(component=Section.Component.INTRO).first()
    chapters = sections.exclude(component=Section.Component.INTRO)
    return render(request, "guide/home.html", {"intro": intro, "chapters": chapters})


def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(
        Section.objects.visible_to(request.user).exclude(component=Section.Component.INTRO),
        slug=slug,
    )
    return render(request, "guide/section.html", {"section": section})


def strategy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    strategy = get_object_or_404(Strategy.objects.visible_to(request.user), slug=slug)
    return render(request, "guide/strategy.html", {"strategy": strategy})


def search(request: HttpRequest) -> HttpResponse:
    raise Http404("Search is not built yet.")


def support(request: HttpRequest) -> HttpResponse:
    return render(request, "guide/support.html")
