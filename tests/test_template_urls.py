"""{% url %} remembers addresses without arguments and still answers exactly as Django's."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_fixed_and_argument_addresses_are_django_s():
    page = render(
        "{% url 'guide:search' %}|{% url 'guide:section' slug %}|"
        "{% url 'guide:home' as home %}{{ home }}",
        slug="earned-security",
    )

    assert page == "|".join(
        [
            reverse("guide:search"),
            reverse("guide:section", kwargs={"slug": "earned-security"}),
            reverse("guide:home"),
        ]
    )


def test_a_remembered_address_follows_the_script_prefix():
    try:
        set_script_prefix("/mounted/")
        assert render("{% url 'guide:search' %}") == "/mounted/search/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'guide:search' %}") == "/search/"


def test_an_unknown_name_fails_as_django_s_tag_does():
    assert render("{% url 'guide:nowhere' as there %}[{{ there }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'guide:nowhere' %}")
