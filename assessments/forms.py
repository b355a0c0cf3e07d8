"""Forms for the quiz and the reader's account pages.

The quiz form is strict: it accepts exactly one answer from 1 to 5 per sign on the page
and nothing else, so a tampered post is refused whole rather than half-stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from html import escape  # django.utils.html.escape's own, without its lazy-string check

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm, UserCreationForm
from django.utils.safestring import SafeString, mark_safe

from assessments.models import NOTE_MAX_LENGTH, Subject
from assessments.scoring import ANSWER_SCALE
from assessments.throttling import password_matches
from guide.models import Sign

FIELD_PREFIX = "sign-"
ALLOWED_EXTRA = {"csrfmiddlewaretoken", "subject", "key"}

TAMPERED = "tampered"


def scale_choices(*, about_partner: bool) -> list[tuple[int, str]]:
    """Each answer value with its words, from "Not like me at all" up."""
    return [
        (step.value, step.about_them if about_partner else step.about_me) for step in ANSWER_SCALE
    ]


def value_label(value: int, *, about_partner: bool) -> str:
    return dict(scale_choices(about_partner=about_partner))[value]


def field_name(slug: str) -> str:
    return f"{FIELD_PREFIX}{slug}"


@dataclass
class Question:
    """One sign of the quiz, drawn as a fieldset of five radios (:meth:`fieldset`)."""

    position: int
    of: int  # how many signs the quiz has
    sign: Sign
    text: str
    name: str
    # Values as the page writes them: text, so the page does not localise 75 numbers.
    choices: list[tuple[str, str]]
    value: str | None
    errors: list[str]
    missing: bool = False  # unanswered, as opposed to answered with a value not on offer

    @property
    def first_input_id(self) -> str:
        return f"{self.name}-1"

    def fieldset(self) -> SafeString:
        """The sign's fieldset. Built here, each piece escaped once, rather than in a template
        loop: the quiz's 75 radios cost the template language a few milliseconds a page."""
        name, error_id = escape(self.name), escape(f"{self.name}-error")
        options = []
        for raw, label in self.choices:
            value, checked = escape(raw), " checked" if raw == self.value else ""
            options.append(
                f'<div class="scale-option">\n<input type="radio" name="{name}" '
                f'id="{name}-{value}" value="{value}"{checked} required>\n'
                f'<label for="{name}-{value}">{escape(label)}</label>\n</div>'
            )
        described = f' aria-describedby="{error_id}"' if self.errors else ""
        error = (
            f'<p class="field-error" id="{error_id}"><span class="visually-hidden">Error:</span> '
            f"{escape(self.errors[0])}</p>\n"
            if self.errors
            else ""
        )
        return mark_safe(
            f'<fieldset class="question{" has-error" if self.errors else ""}" '
            f'id="q-{escape(self.sign.slug)}"{described}>\n'
            f'<legend><span class="question-number">{self.position} of {self.of}</span> '
            f'<span class="question-text">{escape(self.text)}</span></legend>\n'
            f'{error}<div class="scale">\n{"\n".join(options)}\n</div>\n</fieldset>'
        )


class QuizForm(forms.Form):
    subject = forms.ChoiceField(choices=Subject.choices, widget=forms.HiddenInput)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, signs: list[Sign], about_partner: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.signs = signs
        self.about_partner = about_partner
        choices = scale_choices(about_partner=about_partner)
        for sign in signs:
            text = sign.partner_text if about_partner else sign.text
            self.fields[field_name(sign.slug)] = forms.TypedChoiceField(
                label=text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose one of the five answers for this sign.",
                    # Django formats this message with the posted value: escape any % in it.
                    "invalid_choice": (
                        f"“{text}” got an answer this page does not offer: choose one of "
                        "the five answers."
                    ).replace("%", "%%"),
                },
            )
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())
            self.initial.setdefault("subject", Subject.PARTNER if about_partner else Subject.SELF)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.is_bound:
            return cleaned
        expected = set(self.fields)
        unexpected = sorted(name for name in self.data if name not in expected | ALLOWED_EXTRA)
        unknown_signs = [name for name in unexpected if name.startswith(FIELD_PREFIX)]
        if unknown_signs:
            self.add_error(
                None,
                forms.ValidationError(
                    "The form answered a sign that is not in this quiz, so nothing was "
                    "saved. The quiz may have changed since the page was opened: please "
                    "check your answers and send them again.",
                    code=TAMPERED,
                ),
            )
        elif unexpected:
            self.add_error(
                None,
                forms.ValidationError(
                    "The form carried fields this page does not have, so nothing was saved. "
                    "Please check your answers and send them again.",
                    code=TAMPERED,
                ),
            )
        duplicated = [name for name in expected if len(self.data.getlist(name)) > 1]
        if duplicated:
            self.add_error(
                None,
                forms.ValidationError(
                    "Some signs were answered more than once, so nothing was saved. "
                    "Please choose one answer for each sign and send again.",
                    code=TAMPERED,
                ),
            )
        return cleaned

    @property
    def tampered(self) -> bool:
        """True when the post could not have come from this page as drawn."""
        if not self.is_bound or self.is_valid():
            return False
        for name, errors in self.errors.as_data().items():
            for error in errors:
                if error.code != "required" or name in {"subject", "key"}:
                    return True
        return False

    def answers(self) -> dict[str, int]:
        return {sign.slug: self.cleaned_data[field_name(sign.slug)] for sign in self.signs}

    def questions(self) -> list[Question]:
        choices = [
            (str(value), label) for value, label in scale_choices(about_partner=self.about_partner)
        ]
        offered = {value for value, _ in choices}
        questions = []
        for position, sign in enumerate(self.signs, start=1):
            name = field_name(sign.slug)
            value = None
            if self.is_bound:
                raw = self.data.getlist(name)
                if len(raw) == 1 and raw[0] in offered:
                    value = raw[0]
            questions.append(
                Question(
                    position=position,
                    of=len(self.signs),
                    sign=sign,
                    text=self.fields[name].label,
                    name=name,
                    choices=choices,
                    value=value,
                    errors=list(self.errors.get(name, [])) if self.is_bound else [],
                    missing=self.is_bound and self.has_error(name, code="required"),
                )
            )
        return questions


class SignUpForm(UserCreationForm):
    """A username and a password; an email only if the reader wants password resets."""

    email = forms.EmailField(
        required=False,
        help_text="Optional. Used only to send you a password reset link if you ask for one.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "username"
        ].help_text = "Letters, digits and @ . + - _ only. It need not be your real name."
        self.fields[
            "password1"
        ].help_text = "At least 10 characters, not a common password, not all numbers."


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Private note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you can see this.",
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password_matches(self.request, self.user, password):
            raise forms.ValidationError(
                "That is not your current password, so nothing was deleted.", code="wrong"
            )
        return password


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's change-password form, with the old password checked like a sign-in."""

    def __init__(self, user, *args, request, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not password_matches(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
