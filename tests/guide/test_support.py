"""Support lines as content: /support/ picks a region from Accept-Language (never cached), each
region's page lists its lines (cached like any guide page), and editors see what needs checking."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from guide.models import SupportResource
from guide.support import region_from_accept_language
from tests.factories import make_support_resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "region"),
    [
        ("en-GB,en;q=0.9", "uk"),
        ("en-US,en;q=0.9", "us"),
        ("fr-CA,fr;q=0.9,en;q=0.8", "ca"),
        ("en-AU", "au"),
        ("en-IE", "ie"),
        ("ga", "ie"),
        ("cy-GB", "uk"),
        ("de-DE,de;q=0.9,en-GB;q=0.8", "uk"),  # the first preference that names a region
        ("en-GB;q=0.5,en-US;q=0.9", "us"),  # by quality, not by position
        ("de-DE,de;q=0.9", "elsewhere"),
        ("en", "elsewhere"),
        ("", "elsewhere"),
        ("*", "elsewhere"),
        ("not a header ;;; q=x", "elsewhere"),
    ],
)
def test_the_region_comes_from_the_browsers_languages(header, region):
    assert region_from_accept_language(header) == region


def test_support_redirects_to_the_readers_region_and_is_never_cached(client):
    response = client.get("/support/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 302
    assert response["Location"] == "/support/uk/"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies
    assert client.get("/support/")["Location"] == "/support/elsewhere/"


@override_settings(GUIDE_PAGE_CACHE=True)
def test_a_region_page_is_cached_like_a_guide_page(client, guide):
    response = client.get("/support/uk/")

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert client.get("/support/uk/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_an_unknown_region_is_a_404(client):
    assert client.get("/support/mars/").status_code == 404


def test_the_uk_page_lists_its_lines_and_leaves_a_clear_gap_for_the_other_nations(client, guide):
    html = client.get("/support/uk/").content.decode()

    assert '<a href="tel:999">999</a>' in html
    assert "Samaritans" in html and '<a href="tel:116123">116 123</a>' in html
    assert "National Domestic Abuse Helpline" in html and "(England)" in html
    assert '<a href="tel:08082000247">0808 2000 247</a>' in html
    assert "Scotland, Wales and Northern Ireland have their own domestic abuse helplines" in html
    assert "not confirmed yet" in html


def test_an_editor_adding_a_nations_line_closes_its_gap(client, guide):
    make_support_resource(
        region="uk", area="Scotland", purpose="domestic-abuse", name="A Scottish line"
    )

    html = client.get("/support/uk/").content.decode()

    assert "A Scottish line" in html
    assert "Wales and Northern Ireland have their own domestic abuse helplines" in html


@pytest.mark.parametrize(
    ("region", "numbers"),
    [
        ("us", ["911", "988", "1-800-799-7233"]),
        ("ca", ["911", "9-8-8"]),
        ("ie", ["112", "116 123"]),
        ("au", ["000", "13 11 14", "1800 737 732"]),
        ("elsewhere", ["112"]),
    ],
)
def test_each_region_page_lists_its_shipped_lines(client, guide, region, numbers):
    html = client.get(f"/support/{region}/").content.decode()
    for number in numbers:
        assert f">{number}</a>" in html
    assert "domestic abuse helplines" not in html  # only the UK is split by nation


def test_every_region_page_has_the_picker_with_its_own_region_marked(client, guide):
    for region in SupportResource.Region:
        html = client.get(f"/support/{region.value}/").content.decode()
        picker = html.split('class="region-picker"')[1].split("</nav>")[0]
        for other in SupportResource.Region:
            assert f'href="/support/{other.value}/"' in picker
        assert f'href="/support/{region.value}/" aria-current="page"' in picker
        assert picker.count('aria-current="page"') == 1


def test_a_draft_line_is_not_shown_to_readers(client):
    make_support_resource(region="us", name="Unconfirmed line", published=False)
    assert "Unconfirmed line" not in client.get("/support/us/").content.decode()


def test_an_entry_needs_a_way_to_reach_it(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_support_resource(phone="", text="", web="")


def test_the_admin_lists_entries_not_checked_for_six_months(editor_client):
    today = datetime.date.today()
    make_support_resource(name="Checked lately", last_checked=today - datetime.timedelta(days=30))
    make_support_resource(
        name="Checked long ago", last_checked=today - datetime.timedelta(days=200)
    )
    make_support_resource(name="Never checked")
    url = reverse("admin:guide_supportresource_changelist")

    html = editor_client.get(url).content.decode()
    due = editor_client.get(url, {"checked": "due"}).context["cl"].result_list

    assert "2 entries not checked for 6 months." in html
    assert sorted(entry.name for entry in due) == ["Checked long ago", "Never checked"]


def test_marking_entries_checked_today_clears_them(editor_client):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    entry = make_support_resource()
    editor_client.post(
        reverse("admin:guide_supportresource_changelist"),
        {"action": "mark_checked", ACTION_CHECKBOX_NAME: [entry.pk]},
    )

    entry.refresh_from_db()
    assert entry.last_checked == datetime.date.today()
    assert not entry.check_due()


@pytest.mark.parametrize("url", ["/support/uk/", "/quiz/?about=partner"])
def test_leave_quickly_is_a_plain_link_to_the_configured_neutral_site(client, guide, url):
    with override_settings(LEAVE_QUICKLY_URL="https://weather.example/today"):
        html = client.get(url).content.decode()

    assert (
        '<a class="leave-quickly-button" href="https://weather.example/today" rel="noreferrer" '
        "data-leave-quickly>Leave quickly</a>"
    ) in html
    assert '<script src="/static/js/leave-quickly.js" defer></script>' in html


def test_leave_quickly_is_on_partner_results_and_not_on_pages_about_oneself(client, guide):
    import uuid

    from guide.models import Sign

    answers = {f"sign-{sign.slug}": "3" for sign in Sign.objects.published()}
    assert "Leave quickly" not in client.get("/quiz/").content.decode()
    client.post("/quiz/", {"key": str(uuid.uuid4()), "subject": "self", **answers})
    assert "Leave quickly" not in client.get("/quiz/result/").content.decode()

    client.post("/quiz/", {"key": str(uuid.uuid4()), "subject": "partner", **answers})
    assert "Leave quickly" in client.get("/quiz/result/").content.decode()


def test_the_privacy_page_explains_private_browsing_and_clearing_history(client):
    html = client.get("/privacy/").content.decode()

    assert 'id="private-browsing"' in html
    assert "Browse privately." in html and "Clear your history." in html
    assert "Pages you visited before it stay in your history" in html
