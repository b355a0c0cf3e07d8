"""Couples by consent: invites, accepting, limits, sharing, agreements and unlinking."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from assessments import couples, practice
from assessments.couples_models import (
    Agreement,
    AgreementCopy,
    CoupleLink,
    CoupleMember,
    PartnerInvite,
)
from assessments.models import Plan
from tests.factories import make_user, share, take_quiz


def invite(user, name="Sam"):
    return couples.invite_create(inviter=user, display_name=name)


def linked(a, b):
    _, token = invite(a, "Alex")
    couples.invite_accept(token=token, user=b, display_name="Blake")
    return couples.couple_for(a)


def test_an_invite_token_has_256_random_bits_and_only_its_hash_is_stored(reader):
    made, token = invite(reader)
    assert len(token) >= 43  # 32 bytes, base64
    assert made.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(PartnerInvite.objects.filter(pk=made.pk).values().get())
    assert made.expires - made.created == timedelta(days=7)


def test_accepting_links_both_and_shares_nothing_by_default(reader, other_reader):
    couple = linked(reader, other_reader)
    assert couple.partner.user == other_reader
    assert couple.partner.display_name == "Blake" and couple.me.display_name == "Alex"
    for member in (couple.me, couple.partner):
        assert not member.share_self_result
        assert member.partner_result is None
        assert not member.share_strategies
        assert not member.share_plan_focus
    assert PartnerInvite.objects.get().outcome == "accepted"


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda i, t, inviter, other: couples.invite_revoke(inviter=inviter), "revoked"),
        (
            lambda i, t, inviter, other: PartnerInvite.objects.filter(pk=i.pk).update(
                expires=timezone.now() - timedelta(seconds=1)
            ),
            "expired",
        ),
        (
            lambda i, t, inviter, other: couples.invite_accept(
                token=t, user=make_user("quick"), display_name="Q"
            ),
            "accepted",
        ),
    ],
)
def test_a_stale_invite_cannot_be_accepted_and_changes_nothing(reader, other_reader, spoil, reason):
    made, token = invite(reader)
    spoil(made, token, reader, other_reader)
    links_before = CoupleLink.objects.count()
    with pytest.raises(couples.InviteUnusable) as caught:
        couples.invite_accept(token=token, user=other_reader, display_name="Blake")
    assert caught.value.reason == reason
    assert CoupleLink.objects.count() == links_before
    assert not CoupleMember.objects.filter(user=other_reader).exists()


def test_ones_own_invite_and_a_tampered_token_are_refused(reader, other_reader):
    _, token = invite(reader)
    with pytest.raises(couples.InviteUnusable) as own:
        couples.invite_accept(token=token, user=reader, display_name="Me")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(couples.InviteUnusable) as bad:
        couples.invite_accept(token=tampered, user=other_reader, display_name="B")
    assert own.value.reason == "own" and bad.value.reason == "unknown"
    assert not CoupleLink.objects.exists()
    assert PartnerInvite.objects.get().closed is None  # still usable by the right person


def test_one_open_invite_one_link_and_five_invites_a_day(reader, other_reader):
    invite(reader)
    with pytest.raises(couples.CoupleError, match="open invite"):
        invite(reader)
    for _ in range(4):
        couples.invite_revoke(inviter=reader)
        invite(reader)
    couples.invite_revoke(inviter=reader)
    with pytest.raises(couples.CoupleError, match="5 invites"):
        invite(reader)
    assert PartnerInvite.objects.filter(inviter=reader).count() == 5
    # A day later, it is allowed again.
    PartnerInvite.objects.update(created=timezone.now() - timedelta(days=1, seconds=1))
    invite(reader)

    third = make_user("third")
    linked(other_reader, third)
    with pytest.raises(couples.CoupleError, match="linked already"):
        invite(other_reader)
    _, token = couples.invite_create(inviter=make_user("fourth"), display_name="D")
    with pytest.raises(couples.InviteUnusable) as caught:
        couples.invite_accept(token=token, user=third, display_name="T")
    assert caught.value.reason == "linked"


def test_an_expired_invite_makes_way_for_a_new_one(reader):
    made, _ = invite(reader)
    PartnerInvite.objects.filter(pk=made.pk).update(expires=timezone.now() - timedelta(hours=1))
    invite(reader)
    made.refresh_from_db()
    assert made.outcome == "expired"


def test_sharing_takes_effect_at_once_and_only_own_partner_results_can_be_chosen(
    quiz, reader, other_reader
):
    linked(reader, other_reader)
    mine = take_quiz(quiz, reader, 2, subject="partner")
    theirs = take_quiz(quiz, other_reader, 4, subject="partner")
    take_quiz(quiz, other_reader, 5)
    with pytest.raises(couples.CoupleError):
        share(reader, partner_result_id=theirs.pk)
    assert couples.side_by_side(couples.couple_for(reader)).their_self is None
    share(
        other_reader,
        share_self_result=True,
        partner_result_id=theirs.pk,
        share_strategies=True,
        share_plan_focus=True,
    )
    view = couples.side_by_side(couples.couple_for(reader))
    assert view.their_self is not None and view.their_partner_result == theirs
    assert {row.their_view_of_them for row in view.rows} == {5}
    assert {row.their_view_of_me for row in view.rows} == {4}
    share(other_reader)
    view = couples.side_by_side(couples.couple_for(reader))
    assert view.their_self is None and view.strategies is None
    assert not view.plan_focus_shared and view.plan_focus is None
    assert {row.their_view_of_them for row in view.rows} == {None}
    assert mine.pk  # my own choice is separate
    assert not hasattr(view, "score") and not hasattr(view, "match")


def test_a_shared_plan_focus_is_the_week_the_partners_plan_is_in_today(quiz, reader, other_reader):
    linked(reader, other_reader)
    own = take_quiz(quiz, other_reader, 2)
    share(other_reader, share_plan_focus=True)
    view = couples.side_by_side(couples.couple_for(reader))
    assert view.plan_focus_shared and view.plan_focus is None  # shared, no plan under way

    plan = practice.plan_start(owner=other_reader, result_id=own.pk)
    weeks = list(plan.weeks.order_by("number"))
    assert couples.side_by_side(couples.couple_for(reader)).plan_focus == weeks[0]
    # A week in, in the partner's own calendar (a day ahead of UTC’s for 14 hours of 24):
    # their second week.
    practice.time_zone_set(owner=other_reader, name="Pacific/Kiritimati")  # UTC+14
    today = practice.today_for(other_reader)
    Plan.objects.filter(pk=plan.pk).update(started_on=today - timedelta(days=7))
    focus = couples.side_by_side(couples.couple_for(reader)).plan_focus
    assert (focus.number, focus.strategy_title) == (2, weeks[1].strategy_title)
    # Past the last week, the last week's focus stays; an ended plan shares nothing.
    Plan.objects.filter(pk=plan.pk).update(started_on=today - timedelta(days=60))
    assert couples.side_by_side(couples.couple_for(reader)).plan_focus.number == 4
    practice.plan_end(plan=Plan.objects.get(pk=plan.pk))
    assert couples.side_by_side(couples.couple_for(reader)).plan_focus is None
    # The reader's own plan is never the one shown as the partner's.
    practice.plan_start(owner=reader, result_id=take_quiz(quiz, reader, 3).pk)
    assert couples.side_by_side(couples.couple_for(reader)).plan_focus is None


def test_the_plan_focus_shows_on_the_partners_page_only_while_shared(
    client, quiz, reader, other_reader
):
    linked(reader, other_reader)
    plan = practice.plan_start(owner=other_reader, result_id=take_quiz(quiz, other_reader, 2).pk)
    title = plan.weeks.get(number=1).strategy_title
    client.force_login(reader)
    body = client.get("/me/couple/side-by-side/").content.decode()
    assert "practice this week" not in body and title not in body  # off by default

    client.force_login(other_reader)
    form = client.get("/me/couple/").content.decode()
    assert 'name="share_plan_focus" id="id_share_plan_focus">' in form  # unticked
    client.post("/me/couple/sharing/", {"share_plan_focus": "on"})
    assert 'name="share_plan_focus" id="id_share_plan_focus" checked>' in (
        client.get("/me/couple/").content.decode()
    )
    client.force_login(reader)
    body = client.get("/me/couple/side-by-side/").content.decode()
    assert "Blake’s practice this week" in body and "Week 1 of their plan: " in body
    focus = body.split("Week 1 of their plan: ")[1].split("</p>")[0]
    assert title in focus
    # Only the week and its strategy: which sign it works on comes from their own result.
    assert plan.weeks.get(number=1).sign_text not in focus

    client.force_login(other_reader)
    client.post("/me/couple/sharing/", {})
    client.force_login(reader)
    body = client.get("/me/couple/side-by-side/").content.decode()
    assert "practice this week" not in body and title not in body


def test_differences_become_conversation_starters_never_a_score(quiz, reader, other_reader):
    linked(reader, other_reader)
    take_quiz(quiz, reader, [5] + [3] * 14)
    theirs = take_quiz(quiz, other_reader, [1] + [3] * 14, subject="partner")
    share(other_reader, partner_result_id=theirs.pk)
    view = couples.side_by_side(couples.couple_for(reader))
    assert [len(row.starters) for row in view.rows] == [1] + [0] * 14
    assert view.starter_count == 1


def test_unlinking_keeps_a_private_copy_of_the_agreements_for_each(reader, other_reader):
    couple = linked(reader, other_reader)
    kept = couples.agreement_add(member=couple.me, text="We repair within a day")
    couples.agreement_edit(
        member=couples.couple_for(other_reader).me, agreement=kept, text="We repair the same day"
    )
    couples.agreement_retire(
        member=couple.me, agreement=couples.agreement_add(member=couple.me, text="Old")
    )

    assert couples.couple_unlink(user=other_reader)

    assert couples.couple_for(reader) is None and couples.couple_for(other_reader) is None
    assert not Agreement.objects.exists() and not CoupleMember.objects.exists()
    for user in (reader, other_reader):
        copies = AgreementCopy.objects.filter(owner=user).order_by("pk")
        assert [c.text for c in copies] == ["We repair the same day", "Old"]
        assert copies[0].written_by_name == "Alex" and copies[0].changed_by_name == "Blake"
        assert copies[1].retired is not None
    # Re-linking needs a new invite.
    _, token = invite(reader)
    couples.invite_accept(token=token, user=other_reader, display_name="Blake")
    assert couples.couple_for(reader) is not None


def test_deleting_an_account_unlinks_first_and_the_partner_keeps_their_copy(
    client, reader, other_reader
):
    couple = linked(reader, other_reader)
    couples.agreement_add(member=couple.me, text="Kind words first")
    client.force_login(other_reader)
    client.post("/me/delete/", {"password": other_reader.raw_password})
    assert not CoupleLink.objects.exists()
    assert list(AgreementCopy.objects.values_list("owner", "text")) == [
        (reader.pk, "Kind words first")
    ]


@pytest.mark.django_db(transaction=True)
def test_two_tabs_accepting_one_invite_at_once_exactly_one_wins():
    inviter, first, second = make_user("inviter"), make_user("first"), make_user("second")
    _, token = invite(inviter)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def accept(user):
        try:
            barrier.wait()
            couples.invite_accept(token=token, user=user, display_name=user.username)
            outcomes[user.username] = "linked"
        except couples.InviteUnusable as unusable:
            outcomes[user.username] = unusable.reason
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["accepted", "linked"]
    assert CoupleLink.objects.count() == 1
    assert CoupleMember.objects.filter(user=inviter).exists()
    assert CoupleMember.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_browser_tabs_posting_the_same_invite_link_link_once():
    inviter, partner = make_user("inviter"), make_user("partner")
    _, token = invite(inviter)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(partner)
    url = f"/couple/join/{token}/"
    barrier = threading.Barrier(2)
    statuses = []

    def post(tab):
        barrier.wait()
        data = {"display_name": "Pat", "understood": "on"}
        statuses.append(tab.post(url, data).status_code)
        connection.close()

    threads = [threading.Thread(target=post, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302, 410]
    assert CoupleLink.objects.count() == 1


def test_the_invite_page_shows_only_the_chosen_name_and_the_safety_note(client, reader):
    _, token = invite(reader, "Sunny")
    body = client.get(f"/couple/join/{token}/").content.decode()
    assert "An invite to link from Sunny" in body
    assert "If you feel afraid of your partner, or they check your phone or accounts" in body
    assert 'href="/support/"' in body and "data-leave-quickly" in body
    assert "reader-one" not in body
    assert f"/accounts/signup/?next=/couple/join/{token}/" in body


def test_an_anonymous_accept_goes_to_sign_in_and_links_nothing(client, reader):
    _, token = invite(reader)
    response = client.post(f"/couple/join/{token}/", {"display_name": "X", "understood": "on"})
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not CoupleLink.objects.exists()


def test_accepting_asks_for_the_safety_confirmation_first(client, reader, other_reader):
    _, token = invite(reader)
    client.force_login(other_reader)
    response = client.post(f"/couple/join/{token}/", {"display_name": "Blake"})
    assert response.status_code == 400
    assert "Please confirm that you have read the safety note." in response.content.decode()
    assert not CoupleLink.objects.exists()
    response = client.post(f"/couple/join/{token}/", {"display_name": "Blake", "understood": "on"})
    assert response.status_code == 302 and CoupleLink.objects.count() == 1


@pytest.mark.parametrize(
    ("make_stale", "status", "title"),
    [
        ("used", 410, "This invite has been used"),
        ("expired", 410, "This invite has expired"),
        ("revoked", 410, "This invite was withdrawn"),
        ("own", 400, "This is your own invite"),
        ("tampered", 404, "This invite link doesn’t work"),
        ("garbage", 404, "This invite link doesn’t work"),
    ],
)
def test_bad_and_stale_invite_links_get_a_clear_page_and_change_nothing(
    client, reader, other_reader, make_stale, status, title
):
    made, token = invite(reader)
    visitor = other_reader
    if make_stale == "used":
        couples.invite_accept(token=token, user=make_user("first"), display_name="F")
    elif make_stale == "expired":
        PartnerInvite.objects.filter(pk=made.pk).update(expires=timezone.now())
    elif make_stale == "revoked":
        couples.invite_revoke(inviter=reader)
    elif make_stale == "own":
        visitor = reader
    elif make_stale == "tampered":
        token = token[::-1]
    else:
        token = "%3Cscript%3E"
    client.force_login(visitor)
    before = list(PartnerInvite.objects.values()), CoupleMember.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(
            f"/couple/join/{token}/", {"display_name": "B", "understood": "on"}
        )
        assert response.status_code == status
        body = response.content.decode()
        assert title in body and "Nothing has been changed." in body
        assert "Sam" not in body  # the inviter's name is not shown on a dead link
    assert (list(PartnerInvite.objects.values()), CoupleMember.objects.count()) == before


def test_making_and_withdrawing_an_invite_through_the_pages(client, reader):
    client.force_login(reader)
    response = client.post("/me/couple/invite/", {"display_name": "Sam"})
    assert response.status_code == 400 and not PartnerInvite.objects.exists()
    response = client.post(
        "/me/couple/invite/", {"display_name": "Sam", "understood": "on"}, follow=True
    )
    body = response.content.decode()
    link = body.split('id="invite-link" type="text" readonly value="', 1)[1].split('"', 1)[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert PartnerInvite.objects.get().token_hash == couples.token_hash(token)
    assert link not in client.get("/me/couple/").content.decode()  # shown once
    client.post("/me/couple/invite/revoke/")
    assert PartnerInvite.objects.get().outcome == "revoked"


def test_signing_up_from_an_invite_comes_back_to_it_to_accept(client, reader):
    _, token = invite(reader, "Sunny")
    join = f"/couple/join/{token}/"
    response = client.post(
        f"/accounts/signup/?next={join}",
        {
            "username": "new-partner",
            "password1": "a-calm-long-passphrase",
            "password2": "a-calm-long-passphrase",
            "next": join,
        },
    )
    assert response["Location"] == join
    assert not CoupleLink.objects.exists()  # nothing is linked until they accept
    response = client.post(join, {"display_name": "Nova", "understood": "on"})
    assert response.status_code == 302
    assert couples.couple_for(reader).partner.display_name == "Nova"


def test_the_starting_suggestions_are_the_editors_principles(client, reader, other_reader):
    from tests.factories import make_bubble_principle

    make_bubble_principle(title="Turn toward each other", explanation="Even when tired.")
    make_bubble_principle(title="A draft principle", published=False)
    linked(reader, other_reader)
    client.force_login(reader)
    body = client.get("/me/couple/agreements/").content.decode()
    assert "Turn toward each other" in body and "A draft principle" not in body
    slug = "principle-" + body.split('name="from_principle" value="principle-', 1)[1].split('"')[0]
    client.post(
        "/me/couple/agreements/",
        {"text": "Turn toward each other: Even when tired.", "from_principle": slug},
    )
    body = client.get("/me/couple/agreements/").content.decode()
    assert f'value="{slug}"' not in body  # adopted: no longer suggested
    assert Agreement.objects.get().written_by_name == "Alex"


def test_an_empty_or_oversized_agreement_is_refused_and_changes_nothing(
    client, reader, other_reader
):
    linked(reader, other_reader)
    client.force_login(reader)
    for text in ("   ", "x" * 501):
        response = client.post("/me/couple/agreements/", {"text": text})
        assert response.status_code == 400
        assert "The agreement was not added" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_retired_agreement_stays_as_it_was_retired(client, reader, other_reader):
    couple = linked(reader, other_reader)
    agreement = couples.agreement_add(member=couple.me, text="We check in on Sundays.")
    couples.agreement_retire(member=couple.me, agreement=agreement)
    client.force_login(other_reader)
    url = f"/me/couple/agreements/{agreement.pk}/edit/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Rewritten after the fact."}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.text == "We check in on Sundays."


def test_an_edit_racing_a_retirement_changes_nothing(reader, other_reader):
    couple = linked(reader, other_reader)
    agreement = couples.agreement_add(member=couple.me, text="We check in on Sundays.")
    stale = Agreement.objects.get(pk=agreement.pk)  # read by the edit page, before retiring
    couples.agreement_retire(member=couples.couple_for(other_reader).me, agreement=agreement)

    with pytest.raises(couples.AgreementRetired):
        couples.agreement_edit(member=couple.me, agreement=stale, text="Rewritten meanwhile.")
    agreement.refresh_from_db()
    assert agreement.text == "We check in on Sundays." and agreement.retired is not None


def test_the_privacy_page_covers_couples(client):
    body = client.get("/privacy/").content.decode()
    assert "Linking with a partner" in body
    assert "stored only as a one-way hash" in body
    assert "this week’s focus in your practice plan" in body
    assert "never your partner’s own data" in body
    assert "never see links, sharing choices or agreements" in body


def test_unlinking_and_deleting_an_account_send_nothing_to_anyone(db, client, smtp_server):
    """Silent: no mail to either partner, whoever unlinks, and none when an account goes."""
    alex = make_user("alex-reader", email="alex@example.org")
    blake = make_user("blake-reader", email="blake@example.org")
    couples.agreement_add(member=linked(alex, blake).me, text="We say goodnight")
    client.force_login(blake)
    response = client.post("/me/couple/unlink/", follow=True)
    assert "Nothing was sent to anyone." in response.content.decode()
    assert couples.couple_for(alex) is None

    linked(alex, blake)
    client.force_login(alex)
    client.post("/me/delete/", {"password": alex.raw_password})
    assert couples.couple_for(blake) is None
    assert list(AgreementCopy.objects.values_list("owner", "text")) == [
        (blake.pk, "We say goodnight")
    ]
    assert smtp_server.messages == []


def test_the_inviter_sees_the_safety_note_before_making_an_invite(client, reader):
    client.force_login(reader)
    body = client.get("/me/couple/").content.decode()
    note = body.index("If you feel afraid of your partner, or they check your phone or accounts")
    assert note < body.index("Make an invite link")
    assert 'href="/support/"' in body and "data-leave-quickly" in body
    assert "I have read the safety note above, and I want to link" in body


def test_the_limits_are_explained_on_the_page_and_change_nothing(client, reader, other_reader):
    client.force_login(reader)
    data = {"display_name": "Sam", "understood": "on"}
    client.post("/me/couple/invite/", data)
    page = client.post("/me/couple/invite/", data, follow=True).content.decode()
    assert "You have an open invite already. Revoke it to make a new one." in page
    assert PartnerInvite.objects.filter(closed=None).count() == 1
    for _ in range(4):
        client.post("/me/couple/invite/revoke/")
        client.post("/me/couple/invite/", data)
    client.post("/me/couple/invite/revoke/")
    page = client.post("/me/couple/invite/", data, follow=True).content.decode()
    assert "You have made 5 invites in the last 24 hours, the most there can be." in page
    assert PartnerInvite.objects.count() == 5 and not PartnerInvite.objects.filter(closed=None)

    linked(other_reader, make_user("third"))
    client.force_login(other_reader)
    page = client.post("/me/couple/invite/", data, follow=True).content.decode()
    assert "You are linked already. Unlink first to invite someone new." in page
    assert not PartnerInvite.objects.filter(inviter=other_reader, closed=None).exists()


def test_an_invite_lasts_seven_days_to_the_second(reader, other_reader):
    made, token = invite(reader)
    PartnerInvite.objects.filter(pk=made.pk).update(
        expires=timezone.now() + timedelta(seconds=5), created=timezone.now() - timedelta(days=7)
    )
    assert couples.invite_check(token=token, user=other_reader) == made
    PartnerInvite.objects.filter(pk=made.pk).update(expires=timezone.now())
    with pytest.raises(couples.InviteUnusable) as caught:
        couples.invite_check(token=token, user=other_reader)
    assert caught.value.reason == "expired"


@pytest.mark.parametrize(
    ("visitor", "status", "shows"),
    [
        ("anonymous", 200, "To accept, sign in or create an account"),
        ("stranger", 200, "Link with Sam"),  # whoever holds the link may accept it
        ("partner after accepting", 410, "This invite has been used"),
        ("ex-partner after unlinking", 410, "This invite has been used"),
        ("inviter", 400, "This is your own invite"),
    ],
)
def test_the_invite_link_across_visitors(client, reader, other_reader, visitor, status, shows):
    made, token = invite(reader)
    if visitor in ("partner after accepting", "ex-partner after unlinking"):
        couples.invite_accept(token=token, user=other_reader, display_name="Blake")
        if visitor == "ex-partner after unlinking":
            couples.couple_unlink(user=reader)
    if visitor == "stranger":
        client.force_login(make_user("stranger"))
    elif visitor == "inviter":
        client.force_login(reader)
    elif visitor != "anonymous":
        client.force_login(other_reader)
    before = list(PartnerInvite.objects.values()), CoupleMember.objects.count()
    response = client.get(f"/couple/join/{token}/")
    assert response.status_code == status
    body = response.content.decode()
    assert shows in body
    assert "reader-one" not in body and "reader-two" not in body
    assert (list(PartnerInvite.objects.values()), CoupleMember.objects.count()) == before


def test_the_chart_marks_exactly_the_tables_numbers_and_nothing_unshared(
    client, quiz, reader, other_reader
):
    linked(reader, other_reader)
    take_quiz(quiz, reader, [1, 2, 3, 4, 5] * 3)
    take_quiz(quiz, other_reader, 4)  # not shared
    theirs = take_quiz(quiz, other_reader, 5, subject="partner")
    share(other_reader, partner_result_id=theirs.pk)
    client.force_login(reader)
    response = client.get("/me/couple/side-by-side/")
    view, chart = response.context["view"], response.context["chart"]
    scale = dict(chart.ticks)
    assert [sorted((m.shape, m.filled, scale[m.x]) for m in row.marks) for row in chart.rows] == [
        sorted([("circle", True, row.my_view_of_me), ("circle", False, row.their_view_of_me)])
        for row in view.rows
    ]
    assert [line for row in chart.rows for _, line in row.lines][0] == view.rows[0].text
    body = response.content.decode()
    assert '<svg viewBox="0 0 560 ' in body and 'role="img" aria-labelledby="chart-title' in body
    assert "<table" in body  # the same numbers, in words


def test_a_write_that_races_an_unlink_finds_the_link_gone_and_changes_nothing(reader, other_reader):
    couple = linked(reader, other_reader)
    kept = couples.agreement_add(member=couple.me, text="We repair within a day")
    stale = couples.couple_for(other_reader).me  # read just before the other side unlinks
    couples.couple_unlink(user=reader)
    writes = [
        lambda: couples.agreement_add(member=stale, text="Too late"),
        lambda: couples.agreement_edit(member=stale, agreement=kept, text="Too late"),
        lambda: couples.agreement_retire(member=stale, agreement=kept),
        lambda: couples.sharing_update(
            member=stale,
            share_self_result=True,
            partner_result_id=None,
            share_strategies=True,
            share_plan_focus=True,
        ),
    ]
    for write in writes:
        with pytest.raises(couples.NotLinked):
            write()
    assert not Agreement.objects.exists() and not CoupleMember.objects.exists()
    assert set(AgreementCopy.objects.values_list("text", flat=True)) == {"We repair within a day"}


def test_a_page_that_races_an_unlink_answers_404(client, monkeypatch, reader, other_reader):
    linked(reader, other_reader)
    stale = couples.couple_for(other_reader)
    couples.couple_unlink(user=reader)
    # The page read the link a moment before it ended, then writes.
    monkeypatch.setattr(couples, "couple_for", lambda user: stale)
    client.force_login(other_reader)
    assert client.post("/me/couple/agreements/", {"text": "Too late"}).status_code == 404
    assert client.post("/me/couple/sharing/", {"share_self_result": "on"}).status_code == 404
    assert not Agreement.objects.exists() and not CoupleMember.objects.exists()
