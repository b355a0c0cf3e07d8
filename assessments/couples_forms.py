"""Forms for couples: the name shown to a partner, sharing choices, an agreement."""

from __future__ import annotations

from django import forms

from assessments.couples import SHARE_ITEMS
from assessments.couples_models import AGREEMENT_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label="The name your partner will see",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="A first name or a nickname. It is the only thing about you the link shows.",
    )
    understood = forms.BooleanField(
        label="I have read the safety note above, and I want to link",
        error_messages={"required": "Please confirm that you have read the safety note."},
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Please give a name your partner will recognise.")
        return name


class SharingForm(forms.Form):
    share_self_result = forms.BooleanField(label=SHARE_ITEMS["share_self_result"], required=False)
    partner_result = forms.TypedChoiceField(
        label=SHARE_ITEMS["partner_result"],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    share_strategies = forms.BooleanField(label=SHARE_ITEMS["share_strategies"], required=False)
    share_plan_focus = forms.BooleanField(label=SHARE_ITEMS["share_plan_focus"], required=False)

    def __init__(self, *args, partner_results=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_result"].choices = [("", "None of them")] + [
            (result.pk, f"Taken {result.created:%B %-d, %Y}") for result in partner_results
        ]


class AgreementForm(forms.Form):
    text = forms.CharField(
        label="The agreement",
        max_length=AGREEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    from_principle = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Please write the agreement.")
        return text
