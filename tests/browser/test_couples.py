"""Two people, each in their own browser: invite, safety note, accept, share, side by side,
an agreement, unlink, and the other side sees nothing. Axe on every page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from assessments import practice, services
from assessments.couples_models import Agreement, AgreementCopy, CoupleLink
from guide.models import Sign
from tests.conftest import PageWatch, assert_accessible
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rate(user, value: int, subject: str = "self"):
    signs = Sign.objects.published()
    return services.result_create(
        owner=user, subject=subject, key=uuid.uuid4(), answers={s.slug: value for s in signs}
    )


def watched(browser):
    context = browser.new_context()
    page = context.new_page()
    page.watch = PageWatch()
    page.on("console", page.watch.on_console)
    page.on("pageerror", lambda error: page.watch.console_errors.append(str(error)))
    page.on("request", page.watch.on_request)
    return context, page


def sign_in(page, user) -> None:
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Sign in").click()


def test_two_partners_link_share_keep_a_bubble_and_unlink(browser, live_server, loaded_guide):
    base = live_server.url
    alex, blake = make_user("alex-reader"), make_user("blake-reader")
    rate(alex, 2)
    focus = practice.plan_start(owner=blake, result_id=rate(blake, 3).pk).weeks.get(number=1)
    about_alex = rate(blake, 5, subject="partner")
    (alex_context, a), (blake_context, b) = watched(browser), watched(browser)

    # Alex makes an invite, after the safety note.
    a.goto(base + "/accounts/login/?next=/me/")
    assert_accessible(a)
    sign_in(a, alex)
    a.get_by_role("link", name="My partner link").click()
    expect(a.get_by_role("heading", name="Before you link: your safety first")).to_be_visible()
    expect(a.get_by_role("link", name="Leave quickly")).to_be_visible()
    assert_accessible(a)
    a.get_by_label("The name your partner will see").fill("Alex")
    a.get_by_label("I have read the safety note above, and I want to link").check()
    a.get_by_role("button", name="Make an invite link").click()
    link = a.get_by_label("Invite link").input_value()
    assert re.fullmatch(re.escape(base) + r"/couple/join/[\w-]{43}/", link)
    assert_accessible(a)

    # Blake opens it signed out: the chosen name, the safety note, then signs in and accepts.
    b.goto(link)
    expect(b.get_by_role("heading", level=1)).to_have_text("An invite to link from Alex")
    expect(b.get_by_text("If you feel afraid of your partner")).to_be_visible()
    expect(b.get_by_role("link", name="find a help line near you")).to_be_visible()
    assert "alex-reader" not in b.content()
    assert_accessible(b)
    b.get_by_role("link", name="Sign in").last.click()
    assert_accessible(b)
    sign_in(b, blake)
    assert b.url == link
    assert_accessible(b)
    b.get_by_label("The name your partner will see").fill("Blake")
    b.get_by_label("I have read the safety note above, and I want to link").check()
    b.get_by_role("button", name="Link with Alex").click()
    expect(b.locator(".message-success")).to_contain_text("You are linked with Alex.")
    assert_accessible(b)
    # The link is spent: opening it again says so, and changes nothing.
    b.goto(link)
    expect(b.get_by_role("heading", level=1)).to_have_text("This invite has been used")
    assert_accessible(b)
    b.watch.console_errors.clear()  # its 410 status, logged by Chromium
    b.goto(base + "/me/couple/")

    # Blake shares their own result and the one about Alex.
    b.get_by_label("My latest result about myself").check()
    b.get_by_label(f"Taken {about_alex.created:%B %-d, %Y}").check()
    b.get_by_label("This week’s focus in my practice plan").check()
    b.get_by_role("button", name="Save my choices").click()
    expect(b.get_by_text("Your sharing choices are saved.")).to_be_visible()
    assert_accessible(b)

    # Alex sees it side by side: four views, differences to talk about, no score.
    a.goto(base + "/me/couple/")
    expect(a.get_by_text("You are linked with Blake. They know you as Alex.")).to_be_visible()
    assert_accessible(a)
    a.get_by_role("link", name="Side by side").click()
    expect(a.get_by_role("img", name="Side by side, as a picture")).to_be_visible()
    expect(a.locator(".side-by-side-chart .mark")).to_have_count(4 + 15 * 3)  # legend, marks
    table = a.get_by_role("table")
    expect(table.get_by_role("columnheader", name="You, by Blake")).to_be_visible()
    first = table.get_by_role("row").nth(1).get_by_role("cell")
    expect(first.nth(0)).to_have_text("2")  # Alex, by Alex
    expect(first.nth(1)).to_have_text("5")  # Alex, by Blake
    expect(first.nth(2)).to_have_text("3")  # Blake, by Blake
    expect(first.nth(3)).to_have_text("–")  # Blake, by Alex: Alex chose no result
    expect(first.nth(4)).to_have_text("You and your partner see you differently on this one.")
    assert "%" not in a.locator("main").inner_text()
    assert "match" not in a.locator("main").inner_text().lower()
    expect(a.get_by_role("heading", name="Blake’s practice this week")).to_be_visible()
    expect(a.get_by_role("link", name=focus.strategy_title)).to_be_visible()
    assert_accessible(a)

    # Alex adopts a principle and writes an agreement; Blake sees who wrote them.
    a.goto(base + "/me/couple/agreements/")
    a.get_by_role("button", name="Adopt “Never threaten the bond”").click()
    a.get_by_label("The agreement").fill("We put phones away at dinner")
    a.get_by_role("button", name="Add", exact=True).click()
    expect(a.get_by_text("We put phones away at dinner", exact=True)).to_be_visible()
    assert_accessible(a)
    b.goto(base + "/me/couple/agreements/")
    expect(b.get_by_text("We put phones away at dinner", exact=True)).to_be_visible()
    expect(b.get_by_text("Written by Alex").first).to_be_visible()
    assert_accessible(b)
    b.get_by_role("link", name="Change “We put phones away at dinner”").click()
    assert_accessible(b)
    b.get_by_label("The agreement").fill("We put phones away at meals")
    b.get_by_role("button", name="Save", exact=True).click()
    expect(b.get_by_text("changed by Blake").first).to_be_visible()
    a.reload()
    expect(a.get_by_text("We put phones away at meals", exact=True)).to_be_visible()

    # Blake unlinks, in one press.
    agreement_pk = Agreement.objects.get(text="We put phones away at meals").pk
    b.goto(base + "/me/couple/")
    b.get_by_role("button", name="Unlink now").click()
    expect(b.get_by_text("You are unlinked. Nothing was sent to anyone.")).to_be_visible()
    expect(b.locator(".agreement-copies")).to_contain_text("We put phones away at meals")
    assert_accessible(b)
    assert not CoupleLink.objects.exists()
    assert AgreementCopy.objects.filter(owner=alex).count() == 2

    # Alex's next request: nothing of Blake's, and no sign of why.
    response = a.goto(base + "/me/couple/side-by-side/")
    assert response.status == 404
    # That 404 is the point: Chromium logs it as a console error, the only one allowed.
    assert a.watch.console_errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    a.watch.console_errors.clear()
    assert "Blake" not in a.content()
    assert_accessible(a)
    for gone in ("/me/couple/agreements/", f"/me/couple/agreements/{agreement_pk}/edit/"):
        assert a.goto(base + gone).status == 404
    a.watch.console_errors.clear()
    a.goto(base + "/me/couple/")
    expect(a.get_by_role("heading", name="Invite your partner")).to_be_visible()
    assert "You are linked" not in a.content()
    assert_accessible(a)

    for page in (a, b):
        page.watch.assert_clean()
    alex_context.close()
    blake_context.close()


def test_accepting_and_unlinking_work_without_javascript(browser, live_server, loaded_guide):
    alex, blake = make_user("alex-reader"), make_user("blake-reader")
    from assessments import couples

    _, token = couples.invite_create(inviter=alex, display_name="Alex")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/couple/join/{token}/")
    page.get_by_role("link", name="Sign in").last.click()
    sign_in(page, blake)
    page.get_by_label("The name your partner will see").fill("Blake")
    page.get_by_label("I have read the safety note above, and I want to link").check()
    page.get_by_role("button", name="Link with Alex").click()
    expect(page.get_by_text("You are linked with Alex. They know you as Blake.")).to_be_visible()
    page.get_by_role("link", name="Side by side").click()
    expect(page.get_by_role("table")).to_be_visible()  # axe needs JavaScript: audited above
    page.goto(f"{live_server.url}/me/couple/")
    page.get_by_role("button", name="Unlink now").click()
    expect(page.get_by_text("You are unlinked.")).to_be_visible()
    assert not CoupleLink.objects.exists()
    context.close()
