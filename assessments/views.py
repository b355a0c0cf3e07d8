"""The signs quiz, accounts, and the reader's own space (history, toolkit, data).

Every per-reader lookup goes through ``owned_by(request.user)``: another reader's result
or note answers 404, exactly as if it did not exist. Pages showing a reader's answers are
never stored by any cache, nor kept for the Back button after signing out.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import (
    devices,
    practice,
    presenters,
    row_html,
    scoring,
    services,
    throttling,
    unsaved_results,
)
from assessments.forms import (
    FIELD_PREFIX,
    DeleteAccountForm,
    NoteForm,
    QuizForm,
    SignUpForm,
    ThrottledPasswordChangeForm,
)
from assessments.models import Result, SavedStrategy, Subject
from assessments.tasks import send_password_reset
from config import ratelimit
from config.headers import clear_site_data
from guide.models import Strategy
from guide.page_cache import public_page

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@public_page  # public for signed-out readers; private to a signed-in reader's browser
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assessments/privacy.html",
        {**throttling.limits(), "session_days": unsaved_results.kept_for_days()},
    )


@public_page
def how_we_score(request: HttpRequest) -> HttpResponse:
    """The scoring key, generated from the published signs and the scoring module itself."""
    return render(request, "assessments/how_we_score.html", presenters.scoring_key())


# -- helpers -------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the reader came with, if it points back into this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _claim_pending(request: HttpRequest) -> Result | None:
    """Store the session's anonymous result in the signed-in reader's account.

    Says so either way: a result that cannot be kept is never dropped silently.
    """
    pending = unsaved_results.get_pending(request.session)
    if pending is None:
        messages.error(
            request,
            "There was no quiz result in this browser to keep: it may have been forgotten "
            "or have expired. You can take the quiz again at any time.",
        )
        return None
    result = services.result_claim(owner=request.user, pending=pending)
    if result is None:
        unsaved_results.forget_pending(request.session)
        messages.error(
            request,
            "The quiz result in this browser could not be kept: the signs it answered have "
            "since been taken out of the quiz for revision. Please take the quiz again.",
        )
        return None
    unsaved_results.mark_claimed(request.session, result.pk)
    messages.success(request, "Your quiz result is saved to your account.")
    return result


def _sign_in_then(next_url: str) -> HttpResponseRedirect:
    """To the sign-in page, coming back to ``next_url`` (URL-encoded, query string and all)."""
    return redirect_to_login(next_url, reverse("assessments:login"))


def _wants_result_kept(redirect_to: str) -> bool:
    return redirect_to.split("?", 1)[0] == reverse("assessments:quiz-result")


# -- the quiz ------------------------------------------------------------------------------


@never_cache
def quiz(request: HttpRequest) -> HttpResponse:
    """The 15 signs as one form; answers are scored and stored (or kept in the session).

    Never cached: each showing carries its own one-time key.
    """
    signs = services.quiz_signs()
    if request.method == "POST":
        about_partner = request.POST.get("subject") == Subject.PARTNER
        form = QuizForm(request.POST, signs=signs, about_partner=about_partner)
        if form.is_valid() and signs:
            subject = form.cleaned_data["subject"]
            key = form.cleaned_data["key"]
            answers = form.answers()
            if request.user.is_authenticated:
                try:
                    result = services.result_create(
                        owner=request.user, subject=subject, key=key, answers=answers
                    )
                except services.UnknownSigns:
                    return _quiz_changed(request, about_partner)
                except services.ResultKeyTaken:
                    messages.error(
                        request,
                        "That form had already been used, so nothing was saved. Here is a "
                        "fresh one: please answer again.",
                    )
                    return redirect(_quiz_url(about_partner))
                if result.key != key:
                    messages.info(
                        request,
                        f"You sent these same answers {timesince(result.created)} ago, so "
                        "they are not stored twice: here is that result.",
                    )
                return redirect("assessments:result", pk=result.pk)
            services.quiz_version_current()  # so the result can name its version
            unsaved_results.put_pending(request.session, key=key, subject=subject, answers=answers)
            return redirect("assessments:quiz-result")
        status = 400 if form.tampered else 200
    else:
        about_partner = request.GET.get("about") == Subject.PARTNER
        form = QuizForm(signs=signs, about_partner=about_partner)
        status = 200
    questions = form.questions()
    return render(
        request,
        "assessments/quiz.html",
        {
            "form": form,
            "questions": questions,
            "about_partner": about_partner,
            "sign_count": len(signs),
            "missing": [q for q in questions if q.errors and q.missing],
            "invalid": [q for q in questions if q.errors and not q.missing],
            "session_days": unsaved_results.kept_for_days(),
        },
        status=status,
    )


def _quiz_changed(request: HttpRequest, about_partner: bool) -> HttpResponse:
    """An editor took a sign out of the quiz while it was being answered: nothing is stored,
    and the quiz as it now stands comes back with the reader's answers to the signs in it."""
    signs = services.quiz_signs()
    current = {f"{FIELD_PREFIX}{sign.slug}" for sign in signs}
    data = request.POST.copy()
    for name in list(data):
        if name.startswith(FIELD_PREFIX) and name not in current:
            del data[name]
    form = QuizForm(data, signs=signs, about_partner=about_partner)
    return render(
        request,
        "assessments/quiz.html",
        {
            "form": form,
            "questions": form.questions(),
            "about_partner": about_partner,
            "sign_count": len(signs),
            "missing": [],
            "invalid": [],
            "session_days": unsaved_results.kept_for_days(),
            "quiz_changed": True,
        },
        status=409,
    )


def _quiz_url(about_partner: bool) -> str:
    url = reverse("assessments:quiz")
    return f"{url}?about=partner" if about_partner else url


@never_cache
def quiz_result(request: HttpRequest) -> HttpResponse:
    """The result of a quiz taken without an account, from the session."""
    claimed = unsaved_results.claimed_id(request.session)
    if claimed is not None and request.user.is_authenticated:
        if Result.objects.owned_by(request.user).filter(pk=claimed).exists():
            return redirect("assessments:result", pk=claimed)
    pending = unsaved_results.get_pending(request.session)
    view = presenters.pending_result_view(pending) if pending else None
    if view is None:
        return render(request, "assessments/no_result.html", status=404)
    return render(
        request,
        "assessments/result.html",
        {"view": view, "pending": True, "session_days": unsaved_results.kept_for_days()},
    )


@require_POST
def quiz_result_keep(request: HttpRequest) -> HttpResponse:
    """A signed-in reader keeps the result they took before signing in."""
    if not request.user.is_authenticated:
        return _sign_in_then(reverse("assessments:quiz-result"))
    result = _claim_pending(request)
    if result is None:
        return redirect("assessments:me")
    return redirect("assessments:result", pk=result.pk)


@require_POST
def quiz_result_forget(request: HttpRequest) -> HttpResponse:
    unsaved_results.forget_pending(request.session)
    messages.success(request, "Your answers are gone from this browser.")
    return redirect("assessments:quiz")


# -- accounts ------------------------------------------------------------------------------


@never_cache
@ratelimit.rate_limited(ratelimit.SIGN_UP)
def signup(request: HttpRequest) -> HttpResponse:
    redirect_to = _safe_next(request, reverse("assessments:me"))
    if request.user.is_authenticated:
        return HttpResponseRedirect(redirect_to)
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, f"Welcome, {user.get_username()}. Your account is ready.")
            if _wants_result_kept(redirect_to) and _claim_pending(request) is None:
                return redirect("assessments:me")
            return HttpResponseRedirect(redirect_to)
    else:
        form = SignUpForm()
    return render(
        request,
        "assessments/account/signup.html",
        {
            "form": form,
            "next": redirect_to,
            "keeps_result": _wants_result_kept(redirect_to),
        },
    )


class LoginView(auth_views.LoginView):
    """Django's sign-in, which also keeps a quiz result when the reader came from it."""

    redirect_authenticated_user = True
    next_page = reverse_lazy("assessments:me")

    def dispatch(self, request, *args, **kwargs):
        # Sent back to this very page when already signed in (``?next=/accounts/login/``):
        # Django would raise; say where the reader stands instead.
        if request.user.is_authenticated and self.get_success_url() == request.path:
            messages.info(request, f"You are already signed in as {request.user.get_username()}.")
            return redirect("assessments:me")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if _wants_result_kept(self.get_success_url()) and _claim_pending(self.request) is None:
            return redirect("assessments:me")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keeps_result"] = _wants_result_kept(self.get_redirect_url())
        context.update(throttling.limits())
        return context


class LogoutView(auth_views.LogoutView):
    """Signing out also tells the browser to drop what it kept of the reader's pages."""

    def post(self, request, *args, **kwargs):
        return clear_site_data(super().post(request, *args, **kwargs))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password asks for the old one, counted like a sign-in (throttled)."""

    form_class = ThrottledPasswordChangeForm
    success_url = reverse_lazy("assessments:password-change-done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@method_decorator(never_cache, name="dispatch")
@method_decorator(ratelimit.rate_limited(ratelimit.PASSWORD_RESET), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link: the same page follows whether or not the address has an
    account, and the request does the same work either way.

    It enqueues one task that looks the address up and mails any account with it (the
    worker sends it; no mail leaves inside the request). Past three asks for one address in
    an hour, nothing more is sent, and the page still says the same.
    """

    success_url = reverse_lazy("assessments:password-reset-done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        flooded = ratelimit.over_limit(
            self.request, ratelimit.PASSWORD_RESET_EMAIL, key=email.strip().casefold()
        )
        if flooded is None:
            send_password_reset.enqueue(
                email=email, domain=self.request.get_host(), use_https=self.request.is_secure()
            )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from the emailed link signs the reader in.

    It goes round the sign-in form, and so round any pause on the account or the address:
    whoever holds the link has proved they own the account, and the browser is remembered
    as theirs (the device cookie). A stranger's failed guesses can delay a reader on a new
    browser, never keep them out.
    """

    success_url = reverse_lazy("assessments:password-reset-complete")
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND


# -- the reader's space --------------------------------------------------------------------


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    histories = presenters.history_for(request.user)
    space = practice.space_summary(request.user)
    return render(
        request,
        "assessments/me.html",
        {
            "histories": histories,
            "measures": scoring.MEASURES,
            "notable_sign_steps": scoring.NOTABLE_SIGN_STEPS,
            "notable_score_points": scoring.NOTABLE_SCORE_POINTS,
            "toolkit_count": space.toolkit_count,
            "space": space,
            "pending": unsaved_results.get_pending(request.session),
        },
    )


@never_cache
@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(
        Result.objects.owned_by(request.user).select_related("version"), pk=pk
    )
    view = presenters.stored_result_view(result)
    return render(request, "assessments/result.html", {"view": view, "pending": False})


@never_cache
@login_required
def result_delete(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(Result.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        services.result_delete(owner=request.user, result_id=result.pk)
        when = date_format(result.created, "F j, Y")
        messages.success(request, f"The result from {when} is deleted.")
        return redirect("assessments:me")
    return render(request, "assessments/result_delete.html", {"result": result})


@never_cache
@login_required
def toolkit(request: HttpRequest) -> HttpResponse:
    items = presenters.toolkit_for(request.user)
    return render(
        request,
        "assessments/toolkit.html",
        {
            "items": items,
            "item_list": row_html.toolkit_items(
                items,
                # One token field for the page's forms, not one masked anew per form.
                csrf_field=csrf_input(request),
                next_url=request.get_full_path(),
            ),
        },
    )


@never_cache
@login_required
def note_edit(request: HttpRequest, slug: str) -> HttpResponse:
    saved = get_object_or_404(SavedStrategy.objects.owned_by(request.user), strategy_slug=slug)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            services.note_update(saved=saved, note=form.cleaned_data["note"])
            messages.success(request, f"Your note on “{saved.title}” is saved.")
            return redirect(f"{reverse('assessments:toolkit')}#saved-{saved.strategy_slug}")
        status = 400
    else:
        form = NoteForm(initial={"note": saved.note})
        status = 200
    return render(
        request, "assessments/note_edit.html", {"saved": saved, "form": form}, status=status
    )


@require_POST
def strategy_save(request: HttpRequest, slug: str) -> HttpResponse:
    strategy = get_object_or_404(Strategy.objects.visible_to(request.user), slug=slug)
    back = _safe_next(request, strategy.get_absolute_url())
    if not request.user.is_authenticated:
        return _sign_in_then(back)
    services.strategy_save(owner=request.user, strategy=strategy)
    toolkit = reverse("assessments:toolkit")
    messages.success(
        request, format_html('“{}” is in your <a href="{}">toolkit</a>.', strategy.title, toolkit)
    )
    return HttpResponseRedirect(back)


@require_POST
def strategy_unsave(request: HttpRequest, slug: str) -> HttpResponse:
    back = _safe_next(request, reverse("assessments:toolkit"))
    if not request.user.is_authenticated:
        return _sign_in_then(back)
    saved = SavedStrategy.objects.owned_by(request.user).filter(strategy_slug=slug).first()
    if saved is None and not Strategy.objects.filter(slug=slug).exists():
        raise Http404("No such strategy.")
    services.strategy_unsave(owner=request.user, strategy_slug=slug)
    if saved is not None:
        messages.success(request, f"“{saved.title}” is out of your toolkit.")
    return HttpResponseRedirect(back)


@never_cache
@login_required
def export(request: HttpRequest) -> HttpResponse:
    data = services.account_export(user=request.user)
    filename = f"secure-base-{timezone.now():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, user=request.user, request=request)
        if form.is_valid():
            services.account_delete(user=request.user)
            logout(request)
            messages.success(request, "Your account and everything in it are deleted.")
            response = redirect("guide:home")
            devices.forget(response)
            return clear_site_data(response)
        status = 400
    else:
        form = DeleteAccountForm(user=request.user, request=request)
        status = 200
    return render(
        request,
        "assessments/delete_account.html",
        {
            "form": form,
            "result_count": Result.objects.owned_by(request.user).count(),
            "toolkit_count": SavedStrategy.objects.owned_by(request.user).count(),
        },
        status=status,
    )
