"""The reader's practice: plan, practice and repair logs, timeline, time zone, reminders.

As in :mod:`assessments.views`, every lookup goes through ``owned_by(request.user)``, so
another reader's entry answers 404; pages are never cached. Bad input is refused whole, with
the form shown again and a message, and nothing stored. The two pages reached from an email
(confirm, unsubscribe) work signed out, on a signed token alone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assessments import practice, reminders, timeline
from assessments.models import (
    PracticeEntry,
    ReminderSubscription,
    RepairEntry,
    Result,
    Subject,
)
from assessments.practice_forms import (
    PracticeForm,
    QuickPracticeForm,
    ReminderForm,
    RepairForm,
    SwapForm,
    TimeZoneForm,
)
from assessments.presenters import chapter_urls
from assessments.views import _safe_next
from guide.models import Section, Strategy

NOT_SAVED = "Nothing was saved: please look at the marked fields below."


def _repair_url() -> str | None:
    return chapter_urls().get(Section.Component.REPAIR)


# -- the plan -------------------------------------------------------------------------------


@never_cache
@login_required
def plan(request: HttpRequest) -> HttpResponse:
    current = practice.current_plan(request.user)
    progress = (
        practice.plan_progress(current, today=practice.today_for(request.user)) if current else None
    )
    results = []
    if current is None:
        results = list(
            Result.objects.owned_by(request.user)
            .filter(subject=Subject.SELF)
            .order_by("-created", "-pk")[:5]
        )
    return render(
        request, "assessments/practice/plan.html", {"progress": progress, "results": results}
    )


@never_cache
@login_required
def plan_start(request: HttpRequest, pk: int) -> HttpResponse:
    """What the four weeks would be, from this result; starting them is one press."""
    result = get_object_or_404(Result.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        try:
            practice.plan_start(owner=request.user, result_id=result.pk)
        except practice.PlanError as error:
            messages.error(request, str(error))
            return redirect("assessments:plan")
        messages.success(request, "Your four-week plan has started. Week 1 is below.")
        return redirect("assessments:plan")
    current = practice.current_plan(request.user)
    weeks = (
        practice._week_choices(result) if result.subject == Subject.SELF and current is None else []
    )
    return render(
        request,
        "assessments/practice/plan_start.html",
        {"result": result, "weeks": weeks, "current": current},
    )


@never_cache
@login_required
def plan_swap(request: HttpRequest, number: int) -> HttpResponse:
    current = practice.current_plan(request.user)
    if current is None:
        raise Http404("No plan under way.")
    week = next((w for w in current.weeks.all() if w.number == number), None)
    if week is None:
        raise Http404("No such week.")
    if request.method == "POST":
        form = SwapForm(request.POST)
        if form.is_valid():
            practice.plan_swap(plan=current, number=number, strategy=form.cleaned_data["strategy"])
            messages.success(
                request,
                f"Week {number} now practises “{form.cleaned_data['strategy'].title}”.",
            )
            return redirect("assessments:plan")
        status = 400
    else:
        form = SwapForm(initial={"strategy": week.strategy_slug})
        status = 200
    return render(
        request,
        "assessments/practice/plan_swap.html",
        {"week": week, "form": form},
        status=status,
    )


PLAN_ACTIONS = {
    "pause": (practice.plan_pause, "Your plan is paused. It waits for you, as long as you like."),
    "resume": (practice.plan_resume, "Welcome back: your plan carries on where you left it."),
    "restart": (practice.plan_restart, "Your plan starts again from week 1, today."),
    "end": (
        practice.plan_end,
        "Your plan has ended. Your practice log keeps everything you did.",
    ),
}


@require_POST
@login_required
def plan_change(request: HttpRequest) -> HttpResponse:
    current = practice.current_plan(request.user)
    action = PLAN_ACTIONS.get(request.POST.get("action", ""))
    if current is None:
        raise Http404("No plan under way.")
    if action is None:
        messages.error(request, "That is not something a plan can do: nothing was changed.")
        return redirect("assessments:plan")
    change, message = action
    change(plan=current)
    messages.success(request, message)
    return redirect("assessments:plan")


# -- the practice log -------------------------------------------------------------------------


@never_cache
@login_required
def practice_list(request: HttpRequest) -> HttpResponse:
    entries = PracticeEntry.objects.owned_by(request.user).select_related("strategy")
    return render(
        request,
        "assessments/practice/practice_list.html",
        {"weeks": practice.by_iso_week(entries), "today": practice.today_for(request.user)},
    )


@require_POST
@login_required
def practice_quick(request: HttpRequest) -> HttpResponse:
    """ "I practised this today": one press, an entry dated today in the reader's zone."""
    back = _safe_next(request, reverse("assessments:practice"))
    form = QuickPracticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was logged. {form.errors['strategy'][0]}")
        return HttpResponseRedirect(back)
    strategy = form.cleaned_data["strategy"]
    practice.practice_log(
        owner=request.user, strategy=strategy, day=practice.today_for(request.user)
    )
    messages.success(
        request,
        f"Logged: you practised “{strategy.title}” today. You can add how it went in your "
        "practice log.",
    )
    return HttpResponseRedirect(back)


def _practice_form_page(request, *, form, entry=None, status=200) -> HttpResponse:
    return render(
        request,
        "assessments/practice/practice_form.html",
        {"form": form, "entry": entry},
        status=status,
    )


@never_cache
@login_required
def practice_new(request: HttpRequest) -> HttpResponse:
    return _practice_page(request)


@never_cache
@login_required
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(PracticeEntry.objects.owned_by(request.user), pk=pk)
    return _practice_page(request, entry)


def _practice_page(request: HttpRequest, entry: PracticeEntry | None = None) -> HttpResponse:
    """A new practice entry, or ``entry`` changed: the one form and its saving."""
    today = practice.today_for(request.user)
    if request.method == "POST":
        form = PracticeForm(request.POST, today=today)
        if entry is not None and request.POST.get("strategy") == entry.strategy_slug:
            # Keeping the entry's own strategy is fine even if editors have since unpublished it.
            form.fields["strategy"].queryset = Strategy.objects.all()
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "strategy": data["strategy"],
                "day": data["date"],
                "situation": data["situation"],
                "outcome": data["outcome"],
                "note": data["note"],
            }
            if entry is None:
                practice.practice_log(owner=request.user, **fields)
                messages.success(request, f"Logged: “{data['strategy'].title}”.")
            else:
                practice.practice_update(entry=entry, **fields)
                messages.success(request, "Your entry is saved.")
            return redirect("assessments:practice")
        messages.error(request, NOT_SAVED)
        return _practice_form_page(request, form=form, entry=entry, status=400)
    if entry is not None:
        initial = _filled_from(entry, PracticeForm, strategy="strategy_slug")
    else:
        initial = {"date": today}
        slug = request.GET.get("strategy")
        if slug and Strategy.objects.published().filter(slug=slug).exists():
            initial["strategy"] = slug
    return _practice_form_page(
        request, form=PracticeForm(initial=initial, today=today), entry=entry
    )


@never_cache
@login_required
def practice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(PracticeEntry.objects.owned_by(request.user), pk=pk)
    return _confirm_delete(
        request,
        delete=lambda: practice.practice_delete(owner=request.user, entry_id=entry.pk),
        done="The entry is deleted.",
        what=f"your practice of “{entry.strategy_title}” on {date_format(entry.date, 'F j, Y')}",
        back="assessments:practice",
    )


def _filled_from(entry, form_class, **attribute_for) -> dict:
    """A log form's fields filled from the entry it edits: each from the entry's attribute of
    the same name, or the one ``attribute_for`` names (a slug kept beside a link)."""
    return {name: getattr(entry, attribute_for.get(name, name)) for name in form_class.base_fields}


def _confirm_delete(request: HttpRequest, *, delete, done: str, what: str, back: str):
    """Ask before deleting one of the reader's entries; on POST, delete it and go ``back``."""
    if request.method == "POST":
        delete()
        messages.success(request, done)
        return redirect(back)
    return render(
        request,
        "assessments/practice/confirm_delete.html",
        {"what": what, "back": reverse(back)},
    )


# -- the repair log ---------------------------------------------------------------------------


@never_cache
@login_required
def repair_list(request: HttpRequest) -> HttpResponse:
    entries = list(RepairEntry.objects.owned_by(request.user).select_related("script"))
    return render(
        request,
        "assessments/practice/repair_list.html",
        {"entries": entries, "repair_url": _repair_url()},
    )


def _repair_form_page(request, *, form, entry=None, status=200) -> HttpResponse:
    return render(
        request,
        "assessments/practice/repair_form.html",
        {"form": form, "entry": entry, "repair_url": _repair_url()},
        status=status,
    )


def _save_repair(request, form, entry=None) -> RepairEntry:
    data = form.cleaned_data
    return practice.repair_log(
        owner=request.user,
        day=data["date"],
        what_happened=data["what_happened"],
        feelings=data["feelings"],
        feelings_other=data["feelings_other"],
        script=data["script"],
        repaired=data["repaired"],
        next_time=data["next_time"],
        entry=entry,
    )


@never_cache
@login_required
def repair_new(request: HttpRequest) -> HttpResponse:
    return _repair_page(request)


@never_cache
@login_required
def repair_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _repair_page(
        request, get_object_or_404(RepairEntry.objects.owned_by(request.user), pk=pk)
    )


def _repair_page(request: HttpRequest, entry: RepairEntry | None = None) -> HttpResponse:
    """A new repair entry, or ``entry`` changed: the one form and its saving."""
    today = practice.today_for(request.user)
    if request.method == "POST":
        form = RepairForm(request.POST, today=today)
        if form.is_valid():
            _save_repair(request, form, entry)
            messages.success(request, "Your repair entry is saved.")
            return redirect("assessments:repairs")
        messages.error(request, NOT_SAVED)
        return _repair_form_page(request, form=form, entry=entry, status=400)
    if entry is not None:
        initial = _filled_from(entry, RepairForm, script="script_slug")
    else:
        initial = {"date": today}
        if request.GET.get("script"):
            initial["script"] = request.GET["script"]
    return _repair_form_page(request, form=RepairForm(initial=initial, today=today), entry=entry)


@never_cache
@login_required
def repair_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RepairEntry.objects.owned_by(request.user), pk=pk)
    return _confirm_delete(
        request,
        delete=lambda: practice.repair_delete(owner=request.user, entry_id=entry.pk),
        done="The repair entry is deleted.",
        what=f"your repair entry from {date_format(entry.date, 'F j, Y')}",
        back="assessments:repairs",
    )


# -- timeline, time zone ----------------------------------------------------------------------


@never_cache
@login_required
def timeline_page(request: HttpRequest) -> HttpResponse:
    zone = practice.zone_of(request.user)
    today = timezone.now().astimezone(zone).date()
    return render(
        request,
        "assessments/practice/timeline.html",
        {"timeline": timeline.build(request.user, zone=zone, today=today)},
    )


@never_cache
@login_required
def time_zone(request: HttpRequest) -> HttpResponse:
    current = practice.zone_of(request.user).key
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            practice.time_zone_set(owner=request.user, name=form.cleaned_data["time_zone"])
            messages.success(request, f"Your time zone is now {form.cleaned_data['time_zone']}.")
            return redirect(_safe_next(request, reverse("assessments:me")))
        status = 400
    else:
        form = TimeZoneForm(initial={"time_zone": current})
        status = 200
    return render(
        request,
        "assessments/practice/time_zone.html",
        {"form": form, "current": current, "next": request.GET.get("next", "")},
        status=status,
    )


# -- reminders --------------------------------------------------------------------------------


@never_cache
@login_required
def reminders_page(request: HttpRequest) -> HttpResponse:
    subscription = ReminderSubscription.objects.owned_by(request.user).first()
    if request.method == "POST":
        form = ReminderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            subscription, confirming = reminders.reminders_set(
                owner=request.user, email=data["email"], weekday=data["weekday"], hour=data["hour"]
            )
            if confirming:
                messages.success(
                    request,
                    f"Almost done: we sent a link to {subscription.email}. Open it within 3 days "
                    "to confirm the address; nothing else is sent until you do.",
                )
            else:
                messages.success(request, "Your reminder’s day and hour are saved.")
            return redirect("assessments:reminders")
        status = 400
    else:
        initial = {"email": getattr(request.user, "email", ""), "weekday": 0, "hour": 8}
        if subscription is not None:
            initial = {
                "email": subscription.email or initial["email"],
                "weekday": subscription.weekday,
                "hour": subscription.hour,
            }
        form = ReminderForm(initial=initial)
        status = 200
    return render(
        request,
        "assessments/practice/reminders.html",
        {
            "form": form,
            "subscription": subscription,
            "zone": practice.zone_of(request.user).key,
        },
        status=status,
    )


REMINDER_ACTIONS = {
    "pause": (reminders.reminders_pause, "Reminders are paused. Resume them whenever you like."),
    "resume": (reminders.reminders_resume, "Reminders are on again."),
    "stop": (
        reminders.reminders_stop,
        "Reminders are off, and your address is no longer kept for them.",
    ),
}


@require_POST
@login_required
def reminders_change(request: HttpRequest) -> HttpResponse:
    subscription = ReminderSubscription.objects.owned_by(request.user).first()
    if subscription is None:
        raise Http404("No reminders set up.")
    action = REMINDER_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "That is not something reminders can do: nothing was changed.")
        return redirect("assessments:reminders")
    change, message = action
    change(subscription=subscription)
    messages.success(request, message)
    return redirect("assessments:reminders")


@never_cache
def reminders_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email: a page with one button (so a mail scanner that
    opens links confirms nothing), signed in or not."""
    try:
        subscription = reminders.subscription_to_confirm(token)
    except reminders.BadToken as error:
        return render(
            request,
            "assessments/practice/reminders_link.html",
            {"problem": str(error), "kind": "confirm"},
            status=400,
        )
    if request.method == "POST":
        reminders.reminders_confirm(subscription=subscription)
        return render(
            request,
            "assessments/practice/reminders_link.html",
            {"done": True, "kind": "confirm", "subscription": subscription},
        )
    return render(
        request,
        "assessments/practice/reminders_link.html",
        {"kind": "confirm", "subscription": subscription},
    )


@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click", with no token
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = reminders.subscription_to_unsubscribe(token)
    except reminders.BadToken as error:
        return render(
            request,
            "assessments/practice/reminders_link.html",
            {"problem": str(error), "kind": "unsubscribe"},
            status=400,
        )
    if request.method == "POST":
        reminders.reminders_stop(subscription=subscription)
        return render(
            request,
            "assessments/practice/reminders_link.html",
            {"done": True, "kind": "unsubscribe"},
        )
    return render(
        request,
        "assessments/practice/reminders_link.html",
        {
            "kind": "unsubscribe",
            "subscription": subscription,
            "already_off": subscription.status == ReminderSubscription.Status.OFF,
        },
    )
