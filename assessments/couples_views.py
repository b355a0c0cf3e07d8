"""Couples pages. Every page about the link asks :func:`couples.couple_for` on each
request: without a link (never made, not yet accepted, or ended) it answers 404, so an
unlinked partner's next request finds nothing. No page says whether an account exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import couples
from assessments.couples_forms import AgreementForm, DisplayNameForm, SharingForm
from assessments.couples_models import Agreement, AgreementCopy
from guide.models import BubblePrinciple, Chapters, Strategy

TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

UNUSABLE = {
    "unknown": (404, "This invite link doesn’t work", "It may have been copied only in part."),
    "accepted": (410, "This invite has been used", "Each invite works once."),
    "expired": (410, "This invite has expired", "Invites work for 7 days."),
    "revoked": (410, "This invite was withdrawn", "The person who made it took it back."),
    "own": (400, "This is your own invite", "Send the link to your partner: only they can use it."),
    "linked": (
        409,
        "You are linked already",
        "You can be linked with one person at a time. Unlink first to accept a new invite.",
    ),
}


@contextmanager
def _still_linked_or_404() -> Iterator[None]:
    """A write that finds the link ended meanwhile (the other side just unlinked), or its
    agreement just retired: 404, as the next page would be."""
    try:
        yield
    except (couples.NotLinked, couples.AgreementRetired):
        raise Http404("No link.") from None


def _couple_or_404(request: HttpRequest) -> couples.Couple:
    couple = couples.couple_for(request.user)
    if couple is None:
        raise Http404("No link.")
    return couple


def _guide_links(request: HttpRequest) -> dict:
    chapters = Chapters.visible_to(request.user)
    return {
        "bubble_chapter": chapters.showing("repair"),
        "repair_strategies": list(
            Strategy.objects.published().filter(path="repair").only("slug", "title")
        ),
    }


@never_cache
@login_required
def couple_home(request: HttpRequest) -> HttpResponse:
    """Linked: the partner's name, sharing choices, and the way out. Not linked: the invite."""
    couple = couples.couple_for(request.user)
    context = {
        "couple": couple,
        "copies": list(AgreementCopy.objects.filter(owner=request.user)),
    }
    if couple is None:
        context["invite"] = couples.invite_open(user=request.user)
        context["form"] = DisplayNameForm()
        context["new_link"] = request.session.pop("couple_invite_link", None)
    else:
        results = couples.partner_results_of(request.user)
        context["sharing"] = SharingForm(
            initial={
                "share_self_result": couple.me.share_self_result,
                "partner_result": couple.me.partner_result_id or "",
                "share_strategies": couple.me.share_strategies,
                "share_plan_focus": couple.me.share_plan_focus,
            },
            partner_results=results,
        )
    return render(request, "assessments/couples/home.html", context)


@never_cache
@login_required
@require_POST
def invite_create(request: HttpRequest) -> HttpResponse:
    form = DisplayNameForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "assessments/couples/home.html",
            {"couple": None, "form": form, "invite": couples.invite_open(user=request.user)},
            status=400,
        )
    try:
        _, token = couples.invite_create(
            inviter=request.user, display_name=form.cleaned_data["display_name"]
        )
    except couples.CoupleError as error:
        messages.error(request, str(error))
        return redirect("assessments:couple")
    # Shown once, on the next page, then forgotten: only its hash is stored.
    request.session["couple_invite_link"] = request.build_absolute_uri(
        reverse("assessments:couple-join", args=[token])
    )
    return redirect("assessments:couple")


@never_cache
@login_required
@require_POST
def invite_revoke(request: HttpRequest) -> HttpResponse:
    if couples.invite_revoke(inviter=request.user):
        messages.success(request, "Your invite is withdrawn: its link no longer works.")
    return redirect("assessments:couple")


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    status, title, explanation = UNUSABLE[reason]
    return render(
        request,
        "assessments/couples/invite_unusable.html",
        {"title": title, "explanation": explanation, "reason": reason},
        status=status,
    )


@never_cache
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invite link: the safety note, the inviter's chosen name, then sign in and accept."""
    if not set(token) <= TOKEN_CHARS or len(token) > 100:
        return _unusable(request, "unknown")
    try:
        invite = couples.invite_check(token=token, user=request.user)
    except couples.InviteUnusable as unusable:
        return _unusable(request, unusable.reason)
    form = DisplayNameForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path, reverse("assessments:login"))
        form = DisplayNameForm(request.POST)
        if form.is_valid():
            try:
                couples.invite_accept(
                    token=token, user=request.user, display_name=form.cleaned_data["display_name"]
                )
            except couples.InviteUnusable as unusable:
                return _unusable(request, unusable.reason)
            messages.success(
                request,
                f"You are linked with {invite.display_name}. Nothing is shared until you "
                "choose: see “What I share” below.",
            )
            return redirect("assessments:couple")
        status = 400
    return render(
        request,
        "assessments/couples/join.html",
        {"invite": invite, "form": form, "token": token},
        status=status,
    )


@never_cache
@login_required
@require_POST
def sharing(request: HttpRequest) -> HttpResponse:
    couple = _couple_or_404(request)
    results = couples.partner_results_of(request.user)
    form = SharingForm(request.POST, partner_results=results)
    if not form.is_valid():
        messages.error(request, "That choice isn’t one of the options: nothing was changed.")
        return redirect("assessments:couple")
    with _still_linked_or_404():
        couples.sharing_update(
            member=couple.me,
            share_self_result=form.cleaned_data["share_self_result"],
            partner_result_id=form.cleaned_data["partner_result"],
            share_strategies=form.cleaned_data["share_strategies"],
            share_plan_focus=form.cleaned_data["share_plan_focus"],
        )
    messages.success(request, "Your sharing choices are saved. They apply from now on.")
    return redirect("assessments:couple")


@never_cache
@login_required
def side_by_side(request: HttpRequest) -> HttpResponse:
    couple = _couple_or_404(request)
    view = couples.side_by_side(couple)
    return render(
        request,
        "assessments/couples/side_by_side.html",
        {"couple": couple, "view": view, "chart": couples.chart_of(view), **_guide_links(request)},
    )


@never_cache
@login_required
def agreements(request: HttpRequest) -> HttpResponse:
    couple = _couple_or_404(request)
    form = AgreementForm()
    status = 200
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            with _still_linked_or_404():
                couples.agreement_add(
                    member=couple.me,
                    text=form.cleaned_data["text"],
                    from_principle=form.cleaned_data["from_principle"],
                )
            messages.success(request, "The agreement is added to your bubble.")
            return redirect("assessments:couple-agreements")
        status = 400
    items = couples.agreements_of(couple)
    taken = {item.from_principle for item in items if item.from_principle}
    principles = [p for p in BubblePrinciple.objects.published() if p.slug not in taken]
    return render(
        request,
        "assessments/couples/agreements.html",
        {
            "couple": couple,
            "form": form,
            "current": [item for item in items if item.retired is None],
            "retired": [item for item in items if item.retired is not None],
            "principles": principles,
            **_guide_links(request),
        },
        status=status,
    )


def _agreement_or_404(request: HttpRequest, pk: int) -> tuple[couples.Couple, Agreement]:
    couple = _couple_or_404(request)
    return couple, get_object_or_404(Agreement, pk=pk, link_id=couple.me.link_id)


@never_cache
@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    couple, agreement = _agreement_or_404(request, pk)
    if agreement.retired is not None:
        raise Http404("A retired agreement stays as it was retired.")
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            with _still_linked_or_404():
                couples.agreement_edit(
                    member=couple.me, agreement=agreement, text=form.cleaned_data["text"]
                )
            messages.success(request, "The agreement is changed.")
            return redirect("assessments:couple-agreements")
        status = 400
    else:
        form = AgreementForm(initial={"text": agreement.text})
        status = 200
    return render(
        request,
        "assessments/couples/agreement_edit.html",
        {"couple": couple, "agreement": agreement, "form": form},
        status=status,
    )


@never_cache
@login_required
@require_POST
def agreement_retire(request: HttpRequest, pk: int) -> HttpResponse:
    couple, agreement = _agreement_or_404(request, pk)
    if agreement.retired is None:
        with _still_linked_or_404():
            couples.agreement_retire(member=couple.me, agreement=agreement)
        messages.success(request, "The agreement is retired. It stays listed below.")
    return redirect("assessments:couple-agreements")


@never_cache
@login_required
@require_POST
def unlink(request: HttpRequest) -> HttpResponse:
    """One press, at once, silently: nothing is sent to anyone."""
    _couple_or_404(request)
    couples.couple_unlink(user=request.user)
    messages.success(
        request,
        "You are unlinked. Nothing was sent to anyone. A copy of your agreements is kept "
        "below, for you alone.",
    )
    return redirect("assessments:couple")
