"""Forms for plans, the practice and repair logs, the time zone and reminders.

Every choice is checked against what the page offered (a tampered strategy, script, feeling
or zone is refused with a message), every text has a limit the database also enforces, and
dates are checked against the reader's own today.
"""

from __future__ import annotations

from datetime import date

from django import forms

from assessments.models import (
    FEELINGS_OTHER_MAX_LENGTH,
    PRACTICE_TEXT_MAX_LENGTH,
    SITUATION_MAX_LENGTH,
    Outcome,
    RepairEntry,
    Weekday,
)
from assessments.practice import FUTURE_SLACK, date_problem, repair_scripts, time_zone_names
from guide.models import Strategy

UNKNOWN_STRATEGY = "Choose a strategy from the list: that one is not in the guide."


def _too_long(limit: int) -> dict[str, str]:
    return {
        "max_length": f"Please keep this to {limit:,} characters or fewer (it has %(show_value)d)."
    }


class StrategyChoiceField(forms.ModelChoiceField):
    """A published strategy, chosen by slug."""

    def __init__(self, queryset=None, **kwargs) -> None:
        super().__init__(
            queryset=queryset if queryset is not None else Strategy.objects.published(),
            to_field_name="slug",
            error_messages={"invalid_choice": UNKNOWN_STRATEGY, "required": "Choose a strategy."},
            **kwargs,
        )

    def label_from_instance(self, obj: Strategy) -> str:
        return f"{obj.title} ({obj.get_path_display()})"


class DatedForm(forms.Form):
    """A form with a date that may be at most a day ahead of the reader's today."""

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date"].widget.attrs["max"] = (today + FUTURE_SLACK).isoformat()

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        problem = date_problem(day, today=self.today)
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")
        return day


def _date_field() -> forms.DateField:
    return forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter a date like 2026-03-14.",
        },
    )


class PracticeForm(DatedForm):
    date = _date_field()
    strategy = StrategyChoiceField(label="Strategy")
    situation = forms.CharField(
        label="What was the situation?",
        max_length=SITUATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say in a few words what the situation was.",
            **_too_long(SITUATION_MAX_LENGTH),
        },
    )
    outcome = forms.TypedChoiceField(
        label="How did it go?",
        choices=Outcome.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how it went: any answer counts.",
            "invalid_choice": "Choose one of the five answers on the page.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=PRACTICE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only you can see this.",
        error_messages=_too_long(PRACTICE_TEXT_MAX_LENGTH),
    )


class QuickPracticeForm(forms.Form):
    strategy = StrategyChoiceField()


class SwapForm(forms.Form):
    strategy = StrategyChoiceField(label="Practise this strategy instead")


class RepairForm(DatedForm):
    date = _date_field()
    what_happened = forms.CharField(
        label="What happened?",
        max_length=PRACTICE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say in a few words what happened.",
            **_too_long(PRACTICE_TEXT_MAX_LENGTH),
        },
    )
    feelings = forms.MultipleChoiceField(
        label="What did you feel?",
        choices=RepairEntry.Feeling.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose feelings from the list, or write your own below."
        },
    )
    feelings_other = forms.CharField(
        label="Other feelings, in your own words (optional)",
        required=False,
        max_length=FEELINGS_OTHER_MAX_LENGTH,
        error_messages=_too_long(FEELINGS_OTHER_MAX_LENGTH),
    )
    script = StrategyChoiceField(label="Which repair script did you use?")
    repaired = forms.ChoiceField(
        label="Did repair happen?",
        choices=RepairEntry.Repaired.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose yes, partly or not yet.",
            "invalid_choice": "Choose yes, partly or not yet.",
        },
    )
    next_time = forms.CharField(
        label="What would you try next time? (optional)",
        required=False,
        max_length=PRACTICE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_too_long(PRACTICE_TEXT_MAX_LENGTH),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        script = self.fields["script"]
        script.queryset = repair_scripts()
        script.empty_label = None
        script.label_from_instance = lambda strategy: strategy.title
        script.widget = forms.RadioSelect(choices=script.choices)
        script.error_messages["invalid_choice"] = "Choose one of the guide's repair scripts."
        script.error_messages["required"] = "Choose the repair script you used."

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("feelings") and not cleaned.get("feelings_other", "").strip():
            if "feelings" not in self.errors:
                self.add_error(
                    "feelings", "Choose at least one feeling, or write one in your own words."
                )
        return cleaned


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Your days and weeks, and the hour of any reminder, are counted in it.",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (name, name.replace("_", " ")) for name in time_zone_names()
        ]
        self.fields["time_zone"].widget.attrs["data-suggest-zone"] = "true"


HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class ReminderForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to confirm it first. Nothing is sent until you do.",
        error_messages={
            "required": "Enter the address to send the note to.",
            "invalid": "Enter a whole email address, like name@example.com.",
        },
    )
    weekday = forms.TypedChoiceField(
        label="Day",
        choices=Weekday.choices,
        coerce=int,
        error_messages={"invalid_choice": "Choose a day from the list."},
    )
    hour = forms.TypedChoiceField(
        label="Hour",
        choices=HOURS,
        coerce=int,
        error_messages={"invalid_choice": "Choose an hour from the list."},
    )
