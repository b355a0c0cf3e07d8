"""Every change is recorded (who, when, what) and any old version can be restored,
many-to-many links included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guide.models import Section, Sign
from tests.factories import make_reference, make_section, make_sign, make_strategy
from tests.guide.conftest import form_data

pytestmark = pytest.mark.django_db


def edit(client, obj, **changes):
    """Open the admin form for ``obj``, change some fields, save it as an editor would."""
    url = reverse(f"admin:guide_{obj._meta.model_name}_change", args=[obj.pk])
    data = {**form_data(client.get(url).context["adminform"].form), **changes, "_save": "Save"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def revert(client, obj, record):
    url = reverse(f"admin:guide_{obj._meta.model_name}_simple_history", args=[obj.pk, record.pk])
    page = client.get(url)
    data = {**form_data(page.context["adminform"].form), "_save": "Revert"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return page


def test_an_edit_is_recorded_with_who_and_what(editor_client, editor):
    section = make_section(body="The first wording.")

    edit(editor_client, section, body="The second wording.")

    latest = section.history.latest()
    assert latest.history_user == editor
    assert latest.body == "The second wording."
    page = editor_client.get(reverse("admin:guide_section_history", args=[section.pk]))
    html = page.content.decode()
    assert editor.get_username() in html
    assert "The first wording." in html and "The second wording." in html
    assert 'style="' not in html  # our CSP refuses inline styles


def test_an_old_version_is_readable_with_its_own_text(editor_client):
    section = make_section(body="The first wording.")
    first = section.history.earliest()
    edit(editor_client, section, body="The second wording.")

    url = reverse("admin:guide_section_simple_history", args=[section.pk, first.pk])
    page = editor_client.get(url)

    assert page.status_code == 200
    assert page.context["adminform"].form["body"].value() == "The first wording."
    assert "Revert" in page.content.decode()


def test_reverting_restores_text_and_references(editor_client):
    cited, later = make_reference(), make_reference()
    section = make_section(body="The first wording.")
    section.references.set([cited])
    first = section.history.latest()
    edit(editor_client, section, body="The second wording.", references=[str(later.pk)])
    section.refresh_from_db()
    assert list(section.references.all()) == [later]

    page = revert(editor_client, section, first)

    assert page.context["adminform"].form["references"].value() == [cited.pk]
    section.refresh_from_db()
    assert section.body == "The first wording."
    assert list(section.references.all()) == [cited]
    assert section.history.latest().body == "The first wording."


def test_reverting_restores_a_signs_strategies(editor_client):
    helpful, other = make_strategy(), make_strategy()
    sign = make_sign(text="You reach out when upset")
    sign.strategies.set([helpful])
    first = sign.history.latest()
    edit(editor_client, sign, text="You ask for comfort", strategies=[str(other.pk)])

    revert(editor_client, sign, first)

    sign = Sign.objects.get(pk=sign.pk)
    assert sign.text == "You reach out when upset"
    assert list(sign.strategies.all()) == [helpful]


def test_the_public_page_shows_the_reverted_text(editor_client, public):
    section = make_section(slug="earned", body="What was there before.")
    first = section.history.earliest()
    edit(editor_client, section, body="A mistaken rewrite.")

    revert(editor_client, section, first)

    page = public.get("/guide/earned/").content.decode()
    assert "What was there before." in page and "A mistaken rewrite." not in page


def test_the_history_page_costs_two_queries_a_version_at_most(
    editor_client, django_assert_max_num_queries
):
    section = make_section()
    for n in range(12):
        section.body = f"Version {n}"
        section.save()
    assert Section.history.filter(id=section.pk).count() == 13
    url = reverse("admin:guide_section_history", args=[section.pk])

    # Session, user, permissions, section, versions; then simple-history diffs each version's
    # references with the next (two small queries). A page shows 50 versions at most.
    with django_assert_max_num_queries(8 + 2 * 13):
        response = editor_client.get(url)
    assert response.status_code == 200
