"""Change notes: written when an editor saves a published change readers would notice, listed
per chapter and in an Atom feed that validates against RFC 4287's RELAX NG schema. Drafts and
minor edits never appear."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from guide.changes import record_change
from guide.models import ChangeNote, Section
from guide.signals import content_published
from tests.factories import make_section, make_sign, make_strategy
from tests.guide.conftest import form_data

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
ATOM = "http://www.w3.org/2005/Atom"
SCHEMATRON = "http://www.ascc.net/xml/schematron"


def save(client, obj, **changes):
    url = reverse(f"admin:guide_{obj._meta.model_name}_change", args=[obj.pk])
    data = {**form_data(client.get(url).context["adminform"].form), **changes, "_save": "Save"}
    return client.post(url, data)


def notes_page(client, section) -> str:
    response = client.get(f"/guide/{section.slug}/changes/")
    assert response.status_code == 200
    return response.content.decode()


# -- writing notes ---------------------------------------------------------------------------


def test_saving_a_published_change_asks_for_a_note_and_changes_nothing_without_one(
    editor_client,
):
    section = make_section(slug="kept", body="The first wording.")

    response = save(editor_client, section, body="A second wording.")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_note"] == [
        "Say in a sentence what changed for readers, or tick “Minor edit” for a typo."
    ]
    assert Section.objects.get(pk=section.pk).body == "The first wording."
    assert not ChangeNote.objects.exists()


def test_a_noted_change_shows_on_the_chapter_and_its_changes_page(editor_client, public):
    section = make_section(slug="noted")

    save(editor_client, section, body="New text.", change_note="Added a section on repair.")

    note = ChangeNote.objects.get()
    assert (note.section, note.note, note.minor_edit) == (
        section,
        "Added a section on repair.",
        False,
    )
    chapter = public.get("/guide/noted/").content.decode()
    day = note.created.strftime("%Y-%m-%d")
    assert re.search(
        rf'<a href="/guide/noted/changes/">Updated <time datetime="{day}">[^<]+</time>: '
        r"what changed</a>",
        chapter,
    )
    changes = notes_page(public, section)
    assert f'<li id="note-{note.pk}"><time datetime="{day}">' in changes
    assert "Added a section on repair." in changes
    assert 'aria-label="Breadcrumb"' in changes and 'href="/guide/"' in changes


def test_a_change_to_an_item_is_noted_on_the_chapter_that_shows_it(editor_client, public):
    signs = make_section(slug="signs", component=Section.Component.SIGNS)
    anxious = make_section(slug="anxious", component=Section.Component.ANXIOUS)
    sign = make_sign()
    strategy = make_strategy(path="anxious")

    save(editor_client, sign, text="You reach out first", change_note="Sign reworded.")
    save(editor_client, strategy, body="New steps.", change_note="New steps for calming.")

    assert "Sign reworded." in notes_page(public, signs)
    assert "New steps for calming." in notes_page(public, anxious)
    assert "Sign reworded." not in notes_page(public, anxious)


def test_a_minor_edit_needs_no_note_and_never_shows(editor_client, public):
    section = make_section(slug="typo")

    response = save(editor_client, section, body="Fixed a tpyo.", minor_edit="on")

    assert response.status_code == 302
    assert ChangeNote.objects.get().minor_edit is True
    assert "what changed</a>" not in public.get("/guide/typo/").content.decode()
    assert "No changes have been noted" in notes_page(public, section)
    assert "<entry>" not in public.get("/feed/").content.decode()


def test_drafts_write_no_note_and_a_draft_chapters_notes_stay_hidden(editor_client, public):
    draft = make_section(slug="draft", published=False)
    save(editor_client, draft, body="Still drafting.")  # no note asked of a draft
    assert not ChangeNote.objects.exists()

    hidden = make_section(slug="hidden")
    record_change(hidden, note="A change readers saw once.")
    hidden.published = False
    hidden.save()

    assert public.get("/guide/hidden/changes/").status_code == 404
    assert public.get("/guide/draft/changes/").status_code == 404
    assert "A change readers saw once." not in public.get("/feed/").content.decode()


def test_reordering_alone_asks_for_no_note(editor_client):
    section = make_section()

    assert save(editor_client, section, order="77").status_code == 302
    assert not ChangeNote.objects.exists()


def test_the_publish_signal_records_its_note_through_the_same_function(editor):
    section = make_section()

    content_published.send(
        sender=Section,
        instance=section,
        editor=editor,
        note="  Published   the new part. ",
        minor_edit=False,
        changed_fields=["body"],
    )

    note = ChangeNote.objects.get()
    assert (note.note, note.editor, note.subject) == (
        "Published the new part.",
        editor,
        str(section),
    )


def test_a_change_that_is_not_minor_cannot_be_recorded_without_a_note():
    with pytest.raises(ValueError, match="needs a note"):
        record_change(make_section(), note="   ")
    assert not ChangeNote.objects.exists()


def test_notes_never_name_the_editor_to_readers(editor_client, editor, public):
    section = make_section(slug="who")
    save(editor_client, section, body="Changed.", change_note="Clearer wording.")

    assert editor.get_username() not in notes_page(public, section)
    assert editor.get_username() not in public.get("/feed/").content.decode()


# -- the feed --------------------------------------------------------------------------------


def atom_schema() -> tuple[etree.RelaxNG, list[tuple[str, str, str]]]:
    """RFC 4287's schema, and its Schematron rules (context, test, message)."""
    document = etree.parse(str(SCHEMAS / "atom.rng"))
    rules = [
        (rule.get("context"), assertion.get("test"), assertion.text)
        for rule in document.iter(f"{{{SCHEMATRON}}}rule")
        for assertion in rule.iter(f"{{{SCHEMATRON}}}assert")
    ]
    return etree.RelaxNG(document), rules


def assert_valid_atom(xml: bytes) -> etree._Element:
    schema, rules = atom_schema()
    feed = etree.fromstring(xml)
    assert schema.validate(feed), schema.error_log
    namespaces = {"atom": ATOM}
    assert len(rules) == 3
    for context, test, message in rules:
        for node in feed.xpath(f"//{context}", namespaces=namespaces):
            assert node.xpath(f"boolean({test})", namespaces=namespaces), message
    return feed


def test_the_schema_rejects_what_rfc_4287_forbids():
    schema, _ = atom_schema()
    no_id = etree.fromstring(
        f'<feed xmlns="{ATOM}"><title>t</title><updated>2026-01-01T00:00:00Z</updated>'
        "</feed>".encode()
    )
    bad_date = etree.fromstring(
        f'<feed xmlns="{ATOM}"><id>urn:x</id><title>t</title><updated>yesterday</updated>'
        "</feed>".encode()
    )
    assert not schema.validate(no_id)
    assert not schema.validate(bad_date)


def test_the_feed_is_valid_atom_with_published_notes_only(client):
    shown = make_section(slug="shown", title="Shown chapter")
    draft = make_section(slug="draft-chapter", published=False)
    record_change(shown, note="Added the repair steps.")
    record_change(shown, note="Fixed a typo.", minor_edit=True)
    ChangeNote.objects.create(
        section=draft,
        content_type=ChangeNote.objects.get(note="Added the repair steps.").content_type,
        object_id=draft.pk,
        subject=str(draft),
        note="A draft's note.",
    )

    response = client.get("/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = assert_valid_atom(response.content)
    entries = feed.findall(f"{{{ATOM}}}entry")
    assert [e.findtext(f"{{{ATOM}}}summary") for e in entries] == ["Added the repair steps."]
    note = ChangeNote.objects.get(note="Added the repair steps.")
    link = entries[0].find(f"{{{ATOM}}}link").get("href")
    assert link == f"http://testserver/guide/shown/changes/#note-{note.pk}"
    assert entries[0].findtext(f"{{{ATOM}}}title").startswith("Shown chapter: ")
    assert feed.findtext(f"{{{ATOM}}}author/{{{ATOM}}}name") == "Secure Base editorial team"


def test_an_empty_feed_is_valid_atom_too(client):
    assert_valid_atom(client.get("/feed/").content)


def test_the_feed_from_the_real_guide_validates(client, guide, editor_client):
    section = Section.objects.get(slug="earned-security")
    save(editor_client, section, body=section.body + "\n\nMore.", change_note="Added a line.")

    feed = assert_valid_atom(client.get("/feed/").content)

    assert len(feed.findall(f"{{{ATOM}}}entry")) == 1


@pytest.mark.parametrize("url", ["/", "/guide/", "/quiz/", "/privacy/", "/how-we-score/"])
def test_every_page_links_the_feed_from_its_head(client, guide, url):
    head = client.get(url).content.decode().split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Secure Base: guide updates" '
        'href="/feed/">'
    ) in head


def test_the_feed_and_changes_pages_set_no_cookie(client):
    section = make_section(slug="calm")
    record_change(section, note="Something new.")
    for url in ("/feed/", "/guide/calm/changes/"):
        response = client.get(url)
        assert not response.cookies, url
        assert "public" in response["Cache-Control"], url


def test_editors_can_reword_a_note_or_hide_it_as_a_minor_edit(editor_client, public):
    section = make_section(slug="reworded")
    note = record_change(section, note="Fixed the sentnce on repair.")
    url = reverse("admin:guide_changenote_change", args=[note.pk])
    assert editor_client.get(reverse("admin:guide_changenote_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:guide_changenote_add")).status_code == 403

    editor_client.post(url, {"note": "Fixed the sentence on repair.", "_save": "Save"})
    assert "Fixed the sentence on repair." in notes_page(public, section)

    editor_client.post(url, {"note": "Fixed the sentence on repair.", "minor_edit": "on"})
    assert "Fixed the sentence on repair." not in notes_page(public, section)
