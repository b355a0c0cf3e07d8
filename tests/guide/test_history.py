"""Every change is recorded (who, when, what) and any old version can be restored,
many-to-many links included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guide.history import text_diff
from guide.models import Section, Sign
from tests.factories import (
    make_reference,
    make_reviewer,
    make_section,
    make_sign,
    make_strategy,
)
from tests.guide.conftest import NOTED, PUBLISH, form_data

pytestmark = pytest.mark.django_db


def edit(client, obj, **changes):
    """Open the admin form for ``obj``, change some fields, save it as an editor would."""
    url = reverse(f"admin:guide_{obj._meta.model_name}_change", args=[obj.pk])
    data = {**form_data(client.get(url).context["adminform"].form), **changes, **PUBLISH}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def revert(client, obj, record):
    url = reverse(f"admin:guide_{obj._meta.model_name}_simple_history", args=[obj.pk, record.pk])
    page = client.get(url)
    data = {**form_data(page.context["adminform"].form), **NOTED, "_save": "Revert"}
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


def test_an_old_version_citing_a_reference_deleted_since_still_reverts(editor_client):
    kept, gone = make_reference(), make_reference()
    section = make_section(body="Cites two.")
    section.references.set([kept, gone])
    first = section.history.latest()
    edit(editor_client, section, body="Cites none.", references=[])
    gone.delete()

    revert(editor_client, section, first)

    section.refresh_from_db()
    assert section.body == "Cites two."
    assert list(section.references.all()) == [kept]


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


@pytest.mark.parametrize("versions", [3, 30])
def test_the_history_page_costs_the_same_few_queries_however_many_versions(
    editor_client, django_assert_max_num_queries, versions
):
    references = [make_reference(), make_reference()]
    section = make_section()
    for n in range(versions - 1):
        section.body = f"Version {n}"
        section.save()
        section.references.set(references[: n % 3])
    url = reverse("admin:guide_section_history", args=[section.pk])

    with django_assert_max_num_queries(10):
        response = editor_client.get(url)

    assert response.status_code == 200
    assert Section.history.filter(id=section.pk).count() >= versions
    html = response.content.decode()
    assert f"<strong>References:</strong> [] &rarr; [{references[0]}]" in html
    assert "<strong>Body:</strong>" in html


@pytest.mark.parametrize("versions", [3, 30])
def test_a_chapters_reviewer_changes_cost_no_query_per_version(
    editor_client, django_assert_max_num_queries, versions
):
    reviewers = [make_reviewer(name="Dr Ada"), make_reviewer(name="Dr Bea")]
    section = make_section()
    for n in range(versions - 1):
        section.reviewer = reviewers[n % 2]
        section.save()
    url = reverse("admin:guide_section_history", args=[section.pk])
    editor_client.get(url)  # the content types, cached from then on

    with django_assert_max_num_queries(10):
        response = editor_client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<strong>Reviewer:</strong> {reviewers[0]} &rarr; {reviewers[1]}</li>" in html


def test_the_history_shows_a_link_to_a_reference_deleted_since(editor_client):
    gone = make_reference(title="Withdrawn paper")
    section = make_section()
    section.references.set([gone])
    section.references.set([])
    gone_pk = gone.pk
    gone.delete()

    html = editor_client.get(
        reverse("admin:guide_section_history", args=[section.pk])
    ).content.decode()

    assert f"(deleted, #{gone_pk})" in html


def test_what_changed_matches_simple_historys_own_diff(rf, editor):
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    references = [make_reference(), make_reference(), make_reference()]
    sign_strategies = [make_strategy(), make_strategy()]
    section = make_section(body="One")
    for n, body in enumerate(["Two", "Three", "Three", "Four"]):
        section.body = body
        section.title = f"Title {n % 2}"
        section.save()
        section.references.set(references[n % 3 :])
    sign = make_sign()
    sign.strategies.set(sign_strategies)
    sign.strategies.set(sign_strategies[:1])
    request = rf.get("/")
    request.user = editor

    for obj in (section, sign):
        ours = list(obj.history.all())
        theirs = list(obj.history.all())
        admin.site._registry[type(obj)].set_history_delta_changes(request, ours)
        SimpleHistoryAdmin.set_history_delta_changes(
            admin.site._registry[type(obj)], request, theirs
        )
        assert [getattr(r, "history_delta_changes", None) for r in ours] == [
            getattr(r, "history_delta_changes", None) for r in theirs
        ]


LONG = (
    "One of the first things to know is that security is built slowly.\n\n"
    "A second paragraph that stays exactly the same from one version to the next.\n\n"
    "Third: repair matters more than never rupturing."
)


def test_a_long_texts_change_shows_just_the_changed_words(editor_client):
    section = make_section(body=LONG)
    changed = LONG.replace("slowly", "slowly, <script>x</script> in small moments").replace(
        "Third", "Finally"
    )
    edit(editor_client, section, body=changed)

    html = editor_client.get(
        reverse("admin:guide_section_history", args=[section.pk])
    ).content.decode()

    assert "<ins>, &lt;script&gt;x&lt;/script&gt; in small moments</ins>" in html
    assert "<del>Third</del><ins>Finally</ins>" in html
    assert "chars]" not in html  # simple-history's truncation
    assert "stays exactly the same" not in html.split('class="text-diff"')[1]
    assert "css/admin.css" in html  # where .text-diff is styled


def test_text_diff_marks_words_and_keeps_a_little_context():
    diff = text_diff(
        "Say what you feel and what you need, calmly and clearly, every single time.",
        "Say what you feel and what you need, kindly and clearly, every single time.",
    )

    assert diff == (
        '<ol class="text-diff"><li class="diff-passage">… what you need, <del>calmly</del>'
        "<ins>kindly</ins> and clearly, every …</li></ol>"
    )


def test_a_rewrite_too_large_to_compare_word_by_word_is_shown_whole_and_short():
    old = " ".join(f"old{n}" for n in range(1500))
    new = " ".join(f"new{n}" for n in range(1500))

    diff = text_diff(old, new)

    assert diff.count("<del>") == 1 and diff.count("<ins>") == 1
    assert len(diff) < 1000


def test_the_revert_page_lists_the_versions_references_and_names_the_content(editor_client):
    cited = make_reference(authors="Bowlby, J.", year=1988, title="A Secure Base")
    section = make_section(title="Where it begins")
    section.references.set([cited])
    first = section.history.latest()
    section.references.set([])

    url = reverse("admin:guide_section_simple_history", args=[section.pk, first.pk])
    html = editor_client.get(url).content.decode()

    assert "<strong>References in this version:</strong> Bowlby, J. (1988). A Secure Base" in html
    assert ">Sections</a>" in html
    assert "Historical sections" not in html and "historical sections" not in html.lower()
