"""The lists and forms editors work in: columns, search, filters, ordering from the list,
prefilled slugs, searchable references, view on site, the markdown widget."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from guide.models import FAQ, Section, Sign, Strategy
from tests.factories import (
    make_faq,
    make_reference,
    make_section,
    make_sign,
    make_strategy,
    make_therapy,
)
from tests.guide.conftest import form_data

pytestmark = pytest.mark.django_db


def test_strategies_are_searched_by_their_text_and_filtered_by_path(editor_client):
    make_strategy(title="Name the feeling", body="Say *I feel scared* out loud.")
    make_strategy(title="Take space kindly", path=Strategy.Path.AVOIDANT, body="Say when.")
    url = reverse("admin:guide_strategy_changelist")

    found = editor_client.get(url, {"q": "scared"}).context["cl"].result_list
    assert [s.title for s in found] == ["Name the feeling"]
    avoidant = editor_client.get(url, {"path__exact": "avoidant"}).context["cl"].result_list
    assert [s.title for s in avoidant] == ["Take space kindly"]


@pytest.mark.parametrize(
    ("model", "own_filters"),
    [("section", {"component", "review"}), ("sign", {"leaning"}), ("strategy", {"path"})],
)
def test_each_list_filters_by_published_and_its_own_kind(editor_client, model, own_filters):
    response = editor_client.get(reverse(f"admin:guide_{model}_changelist"))

    filters = {spec.title for spec in response.context["cl"].filter_specs}
    assert filters == {"published", *own_filters, "drafts"}


def test_order_is_edited_from_the_list_but_publishing_needs_publish(editor_client, public):
    first = make_strategy(order=1, slug="first", published=False)
    second = make_strategy(order=2, slug="second")
    url = reverse("admin:guide_strategy_changelist")
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(first.pk),
        "form-0-order": "5",
        "form-0-published": "on",  # a tick in the list would skip readers' change note
        "form-1-id": str(second.pk),
        "form-1-order": "1",
        "form-1-published": "on",
        "_save": "Save",
    }

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert list(Strategy.objects.values_list("slug", "order", "published")) == [
        ("second", 1, True),
        ("first", 5, False),
    ]
    assert public.get("/strategies/first/").status_code == 404
    assert 'name="form-0-published"' not in editor_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("model", "source"),
    [
        ("section", ["title"]),
        ("strategy", ["title"]),
        ("sign", ["text"]),
        ("therapy", ["name"]),
        ("faq", ["question"]),
        ("reference", ["authors", "year"]),
    ],
)
def test_slugs_are_prefilled_from_the_title(editor_client, model, source):
    html = editor_client.get(reverse(f"admin:guide_{model}_add")).content.decode()

    config = html.split('data-prepopulated-fields="')[1].split('"')[0]
    fields = json.loads(config.replace("&quot;", '"'))
    assert fields[0]["name"] == "slug"
    assert fields[0]["dependency_list"] == source


def test_references_are_chosen_by_searching(editor_client):
    make_reference(authors="Levine, A., & Heller, R.", year=2010, title="Attached")
    make_reference(authors="Johnson, S.", year=2008, title="Hold Me Tight")

    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "guide", "model_name": "section", "field_name": "references", "term": "hold"},
    )

    assert [item["text"] for item in response.json()["results"]] == [
        "Johnson, S. (2008). Hold Me Tight"
    ]


def test_a_signs_strategies_are_chosen_by_searching(editor_client):
    make_strategy(title="Self-soothing")
    make_strategy(title="Ask directly")

    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "guide", "model_name": "sign", "field_name": "strategies", "term": "sooth"},
    )

    assert [item["text"] for item in response.json()["results"]] == ["Self-soothing"]


@pytest.mark.parametrize(
    "make", [make_section, make_strategy, make_sign, make_therapy, make_faq, make_reference]
)
def test_every_form_links_to_the_item_on_the_site(editor_client, make):
    obj = make()
    opts = obj._meta
    html = editor_client.get(
        reverse(f"admin:guide_{opts.model_name}_change", args=[obj.pk])
    ).content.decode()

    assert "View on site" in html
    assert reverse("admin:view_on_site", args=[*_content_type_and_pk(obj)]) in html


def _content_type_and_pk(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk, obj.pk


def test_markdown_fields_use_the_previewing_widget(editor_client):
    html = editor_client.get(reverse("admin:guide_section_add")).content.decode()

    assert html.count('class="markdownx-preview markdown-preview"') == 2  # body and closing
    assert 'data-markdownx-urls-path="/admin/markdownx/markdownify/"' in html
    assert "image upload is turned off" in html
    assert "/static/js/admin-markdown.js" in html


def test_the_admin_is_titled_for_editors(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()

    assert "<title>Guide content | Secure Base editors</title>" in html


@pytest.mark.parametrize("count", [3, 15])
def test_lists_cost_the_same_few_queries_however_long(
    editor_client, django_assert_max_num_queries, count
):
    for _ in range(count):
        sign = make_sign()
        sign.strategies.add(make_strategy())

    with django_assert_max_num_queries(12):
        assert editor_client.get(reverse("admin:guide_sign_changelist")).status_code == 200


@pytest.mark.parametrize("model", [Section, Strategy, Sign, FAQ])
def test_a_new_item_starts_as_a_draft_at_the_end_of_its_list(editor_client, model):
    make = {Section: make_section, Strategy: make_strategy, Sign: make_sign, FAQ: make_faq}[model]
    make(order=4)
    make(order=9)

    form = (
        editor_client.get(reverse(f"admin:guide_{model._meta.model_name}_add"))
        .context["adminform"]
        .form
    )

    assert form["published"].value() is False
    assert form["order"].value() == 10


def test_the_first_item_of_a_kind_starts_at_order_zero_and_as_a_draft(editor_client):
    form = editor_client.get(reverse("admin:guide_therapy_add")).context["adminform"].form

    assert (form["published"].value(), form["order"].value()) == (False, 0)


def test_a_new_faq_saved_with_the_forms_defaults_is_a_draft_no_reader_sees(editor_client, public):
    make_section(slug="questions", component=Section.Component.FAQS)
    make_faq(slug="older", question="Was it ready?", order=3)
    add = reverse("admin:guide_faq_add")
    data = form_data(editor_client.get(add).context["adminform"].form)
    data.update(question="Is it ready?", slug="is-it-ready", answer="Not yet.", _save="Save")

    editor_client.post(add, data)

    faq = FAQ.objects.get(slug="is-it-ready")
    assert (faq.published, faq.order) == (False, 4)
    page = public.get("/guide/questions/").content.decode()
    assert "Was it ready?" in page and "Is it ready?" not in page
