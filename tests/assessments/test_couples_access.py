"""Who reaches each couple URL: anonymous visitors, a stranger, the partner before and after
accepting, an ex-partner after unlinking, and a reader whose partner withdrew consent.

Link pages answer 404 to everyone but the two linked partners, exactly as if they did not
exist, and a refused request changes nothing. Staff never see any of it in the admin.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from assessments import couples, practice, services
from assessments.couples_models import (
    Agreement,
    CoupleLink,
    CoupleMember,
    PartnerInvite,
)
from guide.models import Strategy
from tests.assessments.test_access import reader_url_names
from tests.factories import (
    make_agreement_copy,
    make_bubble_principle,
    make_strategy,
    make_user,
    share,
    staff_login,
    take_quiz,
)

# Pages of the link itself, with how to fill them in and what a POST would send.
LINK_URLS = {
    "couple-sharing": (
        lambda a: {},
        {"share_self_result": "on", "share_strategies": "on", "share_plan_focus": "on"},
    ),
    "couple-side-by-side": (lambda a: {}, {}),
    "couple-agreements": (lambda a: {}, {"text": "Written by an intruder"}),
    "couple-agreement-edit": (lambda a: {"pk": a.pk}, {"text": "Changed by an intruder"}),
    "couple-agreement-retire": (lambda a: {"pk": a.pk}, {}),
    "couple-unlink": (lambda a: {}, {}),
}
# Pages about the visitor's own side: they show the visitor's state, never another's.
OWN_URLS = {
    "couple": {},
    "couple-invite": {"display_name": "Someone", "understood": "on"},
    "couple-invite-revoke": {},
}
GET_ONLY_REFUSED = {"couple-sharing", "couple-agreement-retire", "couple-unlink"}


def test_the_matrix_covers_every_couple_url():
    names = {name for name in reader_url_names() if name.startswith("couple")}
    assert names == set(LINK_URLS) | set(OWN_URLS)


@pytest.fixture
def pair(quiz, reader, other_reader):
    """reader-one ("Alex") and reader-two ("Blake"), linked, with one agreement."""
    _, token = couples.invite_create(inviter=reader, display_name="Alex")
    couples.invite_accept(token=token, user=other_reader, display_name="Blake")
    agreement = couples.agreement_add(
        member=couples.couple_for(reader).me, text="We repair before sleeping"
    )
    return agreement


def link_url(name, agreement):
    return reverse(f"assessments:{name}", kwargs=LINK_URLS[name][0](agreement))


def state():
    return (
        CoupleLink.objects.count(),
        CoupleMember.objects.count(),
        list(Agreement.objects.values_list("text", "retired", "changed_by_name")),
        list(
            CoupleMember.objects.values_list(
                "share_self_result", "partner_result", "share_strategies", "share_plan_focus"
            )
        ),
    )


@pytest.mark.parametrize("name", sorted(LINK_URLS) + sorted(OWN_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client, pair, name, method):
    url = link_url(name, pair) if name in LINK_URLS else reverse(f"assessments:{name}")
    before = state()
    response = getattr(client, method)(url, {"text": "x"} if method == "post" else {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert state() == before


@pytest.mark.parametrize("name", sorted(LINK_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_stranger_gets_404_on_every_page_of_someone_elses_link(client, pair, name, method):
    client.force_login(make_user("stranger"))
    before = state()
    response = getattr(client, method)(link_url(name, pair), LINK_URLS[name][1])
    expected = 405 if method == "get" and name in GET_ONLY_REFUSED else 404
    assert response.status_code == expected
    assert state() == before


def test_a_strangers_own_couple_page_shows_nothing_of_anyone_else(client, pair):
    client.force_login(make_user("stranger"))
    body = client.get("/me/couple/").content.decode()
    assert "Alex" not in body and "Blake" not in body and "We repair" not in body


@pytest.mark.parametrize("name", sorted(LINK_URLS))
def test_the_partner_before_accepting_reaches_no_link_page(
    client, quiz, reader, other_reader, name
):
    couples.invite_create(inviter=reader, display_name="Alex")
    for user in (reader, other_reader):
        client.force_login(user)
        response = client.post(reverse(f"assessments:{name}", kwargs=_fake_pk(name)), {"text": "x"})
        assert response.status_code == 404
    assert not CoupleLink.objects.exists() and not Agreement.objects.exists()
    client.force_login(other_reader)
    assert "Alex" not in client.get("/me/couple/").content.decode()


def _fake_pk(name):
    return {"pk": 1} if "pk" in LINK_URLS[name][0](Agreement(pk=1)) else {}


@pytest.mark.parametrize("name", sorted(set(LINK_URLS) - GET_ONLY_REFUSED))
@pytest.mark.parametrize("who", ["inviter", "partner"])
def test_both_partners_reach_every_link_page_after_accepting(
    client, pair, reader, other_reader, name, who
):
    client.force_login(reader if who == "inviter" else other_reader)
    response = client.get(link_url(name, pair))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b"data-leave-quickly" in response.content


def test_a_partner_edits_and_retires_a_shared_agreement_and_both_see_who(
    client, pair, reader, other_reader
):
    client.force_login(other_reader)
    client.post(link_url("couple-agreement-edit", pair), {"text": "We repair before bed"})
    client.force_login(reader)
    body = client.get("/me/couple/agreements/").content.decode()
    assert "We repair before bed" in body and "changed by Blake" in body
    client.post(link_url("couple-agreement-retire", pair))
    pair.refresh_from_db()
    assert pair.retired is not None and pair.changed_by_name == "Alex"


@pytest.mark.parametrize("name", sorted(LINK_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_ex_partner_gets_404_on_the_next_request_after_unlinking(
    client, pair, reader, other_reader, name, method
):
    client.force_login(reader)
    assert client.post("/me/couple/unlink/").status_code == 302
    client.force_login(other_reader)
    response = getattr(client, method)(link_url(name, pair), LINK_URLS[name][1])
    expected = 405 if method == "get" and name in GET_ONLY_REFUSED else 404
    assert response.status_code == expected
    assert not CoupleLink.objects.exists()
    # The ex-partner's own page: their private copy, nothing else of the other person's.
    body = client.get("/me/couple/").content.decode()
    assert "We repair before sleeping" in body and "linked with" not in body


def test_a_withdrawn_share_disappears_from_the_partners_next_page(
    client, quiz, pair, reader, other_reader
):
    mine = take_quiz(quiz, reader, 5)
    about_blake = take_quiz(quiz, reader, 4, subject="partner")
    take_quiz(quiz, other_reader, 1)
    focus = practice.plan_start(owner=reader, result_id=mine.pk).weeks.get(number=1)
    client.force_login(reader)
    client.post(
        "/me/couple/sharing/",
        {
            "share_self_result": "on",
            "partner_result": about_blake.pk,
            "share_strategies": "on",
            "share_plan_focus": "on",
        },
    )
    client.force_login(other_reader)
    response = client.get("/me/couple/side-by-side/")
    view = response.context["view"]
    assert {row.their_view_of_them for row in view.rows} == {5}
    assert {row.their_view_of_me for row in view.rows} == {4}
    assert view.strategies == []
    assert view.plan_focus == focus and focus.strategy_title in response.content.decode()

    client.force_login(reader)
    client.post("/me/couple/sharing/", {"partner_result": ""})
    client.force_login(other_reader)
    response = client.get("/me/couple/side-by-side/")
    view = response.context["view"]
    assert {row.their_view_of_them for row in view.rows} == {None}
    assert {row.their_view_of_me for row in view.rows} == {None}
    assert {row.my_view_of_me for row in view.rows} == {1}
    assert view.strategies is None
    assert not view.plan_focus_shared and view.plan_focus is None
    main = response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert "toolkit" not in main and "practice this week" not in main
    assert focus.strategy_title not in main


def test_a_result_of_someone_else_cannot_be_shared_as_ones_own(
    client, quiz, pair, reader, other_reader
):
    theirs = take_quiz(quiz, other_reader, 3, subject="partner")
    client.force_login(reader)
    client.post("/me/couple/sharing/", {"partner_result": theirs.pk})
    assert CoupleMember.objects.get(user=reader).partner_result is None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/assessments/partnerinvite/",
        "/admin/assessments/couplelink/",
        "/admin/assessments/couplemember/",
        "/admin/assessments/agreement/",
        "/admin/assessments/agreementcopy/",
    ],
)
@pytest.mark.parametrize("who", ["staff with every permission", "superuser"])
def test_staff_never_see_links_shares_or_agreements_in_the_admin(client, pair, url, who):
    if who == "superuser":
        editor = make_user("editor", is_staff=True, is_superuser=True)
    else:
        editor = make_user("editor", is_staff=True)
        editor.user_permissions.set(Permission.objects.all())
    staff_login(client, editor)
    assert client.get("/admin/").status_code == 200  # signed in to the admin, second factor too
    assert client.get(url).status_code == 404
    assert "Blake" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("who", ["staff with every permission", "superuser"])
def test_an_accounts_pages_in_the_admin_name_no_partner_and_no_agreement(
    client, pair, reader, other_reader, who
):
    """The admin's account pages, the delete confirmation above all (it lists every row that
    would go with the account), show neither the names chosen for the link nor agreements."""
    make_agreement_copy(reader, text="Kept from an earlier link", written_by_name="Casey")
    couples.invite_create(inviter=make_user("inviting"), display_name="Dana")
    if who == "superuser":
        editor = make_user("editor", is_staff=True, is_superuser=True)
    else:
        editor = make_user("editor", is_staff=True)
        editor.user_permissions.set(Permission.objects.all())
    staff_login(client, editor)
    for user in (reader, other_reader):
        for page in ("change", "delete", "history"):
            response = client.get(f"/admin/auth/user/{user.pk}/{page}/")
            assert response.status_code == 200
            body = response.content.decode()
            for private in ("Alex", "Blake", "Casey", "We repair", "Kept from"):
                assert private not in body, (page, private)
    body = client.get("/admin/auth/user/").content.decode()
    assert "Dana" not in body and "Alex" not in body


def test_the_export_holds_the_link_own_choices_and_agreements_never_the_partners_data(
    client, quiz, pair, reader, other_reader
):
    take_quiz(quiz, other_reader, 1)
    client.force_login(other_reader)
    client.post("/me/couple/sharing/", {"share_self_result": "on"})
    client.force_login(reader)
    data = json.loads(client.get("/me/export/").content)["couple"]
    assert data["link"]["partner_name_in_the_link"] == "Blake"
    assert data["link"]["i_share"] == {
        "latest_self_result": False,
        "partner_result_taken_at": None,
        "toolkit_titles": False,
        "plan_focus": False,
    }
    assert [a["text"] for a in data["link"]["agreements"]] == ["We repair before sleeping"]
    assert data["invites"][0]["outcome"] == "accepted"
    assert "reader-two" not in json.dumps(data)
    assert PartnerInvite.objects.filter(inviter=other_reader).count() == 0
    # One's own choice, as soon as it is made; the partner's stays out of it.
    client.post("/me/couple/sharing/", {"share_plan_focus": "on"})
    assert json.loads(client.get("/me/export/").content)["couple"]["link"]["i_share"] == {
        "latest_self_result": False,
        "partner_result_taken_at": None,
        "toolkit_titles": False,
        "plan_focus": True,
    }

    client.post("/me/couple/unlink/")
    data = json.loads(client.get("/me/export/").content)["couple"]
    assert data["link"] is None
    assert [a["text"] for a in data["agreements_kept_after_unlinking"]] == [
        "We repair before sleeping"
    ]


def test_the_export_covers_every_couple_table_that_points_at_the_reader(
    client, quiz, pair, reader, other_reader
):
    """Every row of a couple table that names the reader appears in their export: a new
    couple table fails here until the export holds it."""
    from tests.assessments.test_account_deletion import rows_pointing_at

    couples.invite_create(inviter=make_user("someone"), display_name="S")  # not the reader's
    client.force_login(reader)
    client.post("/me/couple/unlink/")
    _, token = couples.invite_create(inviter=reader, display_name="Alex again")
    couples.invite_accept(token=token, user=other_reader, display_name="Blake")
    couples.agreement_add(member=couples.couple_for(reader).me, text="A second start")
    data = json.loads(client.get("/me/export/").content)["couple"]

    pointing = {
        key: count
        for key, count in rows_pointing_at(reader.pk).items()
        if key.split(".")[0] not in {"auth_user", "assessments_result", "assessments_readersession"}
        and not key.startswith(("axes_", "django_admin_log"))
    }
    assert pointing == {
        "assessments_partnerinvite.inviter_id": len(data["invites"]),
        "assessments_couplemember.user_id": 1 if data["link"] else 0,
        "assessments_agreementcopy.owner_id": len(data["agreements_kept_after_unlinking"]),
    }
    # The shared agreements hang off the link, not the reader: they are in it too.
    assert [a["text"] for a in data["link"]["agreements"]] == ["A second start"]
    assert len(data["invites"]) == 2 and len(data["agreements_kept_after_unlinking"]) == 1


def test_couple_pages_cost_the_same_queries_for_1_and_for_many_items(
    client, quiz, pair, reader, other_reader, fetch_raise, django_assert_num_queries
):
    """Every item shared, and each page's query count is the same with one of everything
    (agreement, principle, toolkit title, kept copy, result to choose from) as with many."""
    take_quiz(quiz, reader, 2)
    about = take_quiz(quiz, other_reader, 4, subject="partner")
    own = take_quiz(quiz, other_reader, 3)
    practice.plan_start(owner=other_reader, result_id=own.pk)
    services.strategy_save(owner=other_reader, strategy=quiz.strategies[0])
    share(
        other_reader,
        share_self_result=True,
        partner_result_id=about.pk,
        share_strategies=True,
        share_plan_focus=True,
    )
    make_bubble_principle()
    take_quiz(quiz, reader, 4, subject="partner")
    make_agreement_copy(reader, text="Kept from before")
    client.force_login(reader)

    def visit(items):
        # session, user, members with their chosen results, my latest, their latest, the
        # four results' answers, signs, toolkit titles, plan focus, chapters, repair scripts
        with django_assert_num_queries(11, info=f"side by side with {items}"):
            assert client.get("/me/couple/side-by-side/").status_code == 200
        # session, user, members, agreements, principles, chapters, repair scripts
        with django_assert_num_queries(7, info=f"our bubble with {items}"):
            assert client.get("/me/couple/agreements/").status_code == 200
        # session, user, members with results, kept copies, my results about a partner
        with django_assert_num_queries(5, info=f"my partner link with {items}"):
            assert client.get("/me/couple/").status_code == 200

    visit("1 of each")
    me = couples.couple_for(reader).me
    for n in range(30):
        agreement = couples.agreement_add(member=me, text=f"Agreement {n}")
        if n % 3 == 0:
            couples.agreement_retire(member=me, agreement=agreement)
        make_bubble_principle()
        services.strategy_save(owner=other_reader, strategy=make_strategy())
        make_agreement_copy(reader, text=f"Kept {n}")
    for _ in range(10):
        make_strategy(path=Strategy.Path.REPAIR)
        take_quiz(quiz, reader, 3, subject="partner")
    visit("30 of each")
