"""Couples, by consent: invites, the link, sharing item by item, side by side, the shared
bubble's agreements, and unlinking. Every write is one transaction.

What a couple page shows is decided here, never in a template: a partner's data appears
only while the two are linked and only for the items its owner chose to share, so a choice
changed or a link ended takes effect on the very next request.
"""

from __future__ import annotations

import hashlib
import secrets
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.couples_models import (
    Agreement,
    AgreementCopy,
    CoupleLink,
    CoupleMember,
    PartnerInvite,
)
from assessments.models import Answer, PlanWeek, Result, SavedStrategy, Subject
from assessments.practice import current_focus
from assessments.scoring import NOTABLE_SIGN_STEPS
from guide.models import Sign

INVITE_LIFETIME = timedelta(days=7)
INVITES_PER_DAY = 5
TOKEN_BYTES = 32  # 256 random bits: the invite link is the only secret an invite has

# What a partner can choose to share, in the order the sharing form asks: each key is a
# field of CoupleMember, off (or empty) until its owner chooses it.
SHARE_ITEMS = {
    "share_self_result": "My latest result about myself",
    "partner_result": "One result I took about my partner",
    "share_strategies": "The titles of the strategies in my toolkit (never my notes)",
    "share_plan_focus": "This week’s focus in my practice plan (never my practice log)",
}


class CoupleError(Exception):
    """A couple action that can't be done; the message says why, kindly, revealing no one."""


class InviteUnusable(CoupleError):
    """An invite link that can't be accepted, and why (one of ``REASONS``)."""

    REASONS = ("unknown", "accepted", "expired", "revoked", "own", "linked")

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotLinked(CoupleError):
    """The link ended (the other partner unlinked) between reading it and writing to it."""


class AgreementRetired(CoupleError):
    """The agreement was retired (by either partner) before this change to it was saved."""


def _still_linked(member: CoupleMember) -> None:
    """Lock the member's link for this write, as unlinking does: a write that races an unlink
    either finishes first or finds the link gone, and changes nothing."""
    if not CoupleLink.objects.select_for_update().filter(pk=member.link_id).exists():
        raise NotLinked("You are no longer linked.")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock_users(*users: AbstractBaseUser) -> None:
    """One reader's couple writes happen one at a time (in pk order: no deadlock)."""
    pks = sorted({user.pk for user in users})
    list(get_user_model().objects.select_for_update().filter(pk__in=pks).order_by("pk"))


# -- invites ------------------------------------------------------------------------------


def _close_expired(user: AbstractBaseUser, now: datetime) -> None:
    PartnerInvite.objects.filter(inviter=user, closed=None, expires__lte=now).update(
        closed=now, outcome=PartnerInvite.Outcome.EXPIRED
    )


def invite_open(*, user: AbstractBaseUser) -> PartnerInvite | None:
    """The reader's invite that can still be accepted, if any."""
    return PartnerInvite.objects.filter(
        inviter=user, closed=None, expires__gt=timezone.now()
    ).first()


@transaction.atomic
def invite_create(
    *, inviter: AbstractBaseUser, display_name: str, now: datetime | None = None
) -> tuple[PartnerInvite, str]:
    """Make an invite; return it and its token (shown once, stored only as a hash)."""
    now = now or timezone.now()
    _lock_users(inviter)
    if CoupleMember.objects.filter(user=inviter).exists():
        raise CoupleError("You are linked already. Unlink first to invite someone new.")
    _close_expired(inviter, now)
    if PartnerInvite.objects.filter(inviter=inviter, closed=None).exists():
        raise CoupleError("You have an open invite already. Revoke it to make a new one.")
    made_today = PartnerInvite.objects.filter(
        inviter=inviter, created__gt=now - timedelta(days=1)
    ).count()
    if made_today >= INVITES_PER_DAY:
        raise CoupleError(
            f"You have made {INVITES_PER_DAY} invites in the last 24 hours, the most there "
            "can be. You can make another tomorrow."
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invite = PartnerInvite.objects.create(
        inviter=inviter,
        display_name=display_name.strip(),
        token_hash=token_hash(token),
        created=now,
        expires=now + INVITE_LIFETIME,
    )
    return invite, token


@transaction.atomic
def invite_revoke(*, inviter: AbstractBaseUser) -> bool:
    revoked = PartnerInvite.objects.filter(inviter=inviter, closed=None).update(
        closed=timezone.now(), outcome=PartnerInvite.Outcome.REVOKED
    )
    return revoked > 0


def _usable(invite: PartnerInvite | None, user: AbstractBaseUser | None, now: datetime) -> None:
    if invite is None:
        raise InviteUnusable("unknown")
    if invite.outcome in (PartnerInvite.Outcome.ACCEPTED, PartnerInvite.Outcome.REVOKED):
        raise InviteUnusable(invite.outcome)
    if invite.closed is not None or invite.expires <= now:
        raise InviteUnusable("expired")
    if user is not None and user.is_authenticated:
        if invite.inviter_id == user.pk:
            raise InviteUnusable("own")
        if CoupleMember.objects.filter(user=user).exists():
            raise InviteUnusable("linked")


def invite_check(*, token: str, user: AbstractBaseUser | None = None) -> PartnerInvite:
    """The invite this token opens, or InviteUnusable saying why not. Changes nothing."""
    invite = PartnerInvite.objects.filter(token_hash=token_hash(token)).first()
    _usable(invite, user, timezone.now())
    return invite


@transaction.atomic
def invite_accept(*, token: str, user: AbstractBaseUser, display_name: str) -> CoupleLink:
    """Link the invite's maker and ``user``. Of two accepts at once, exactly one wins: the
    invite row is locked, and the loser finds it accepted."""
    now = timezone.now()
    invite = PartnerInvite.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    _usable(invite, user, now)
    _lock_users(invite.inviter, user)
    if CoupleMember.objects.filter(user=invite.inviter).exists():
        # The maker linked with someone else meanwhile; their invite can't be used now.
        raise InviteUnusable("expired")
    if CoupleMember.objects.filter(user=user).exists():
        raise InviteUnusable("linked")
    try:
        with transaction.atomic():
            link = CoupleLink.objects.create()
            CoupleMember.objects.create(
                link=link, user=invite.inviter, display_name=invite.display_name
            )
            CoupleMember.objects.create(link=link, user=user, display_name=display_name.strip())
    except IntegrityError:
        raise InviteUnusable("linked") from None
    invite.closed, invite.outcome = now, PartnerInvite.Outcome.ACCEPTED
    invite.save(update_fields=["closed", "outcome"])
    # Linked now: the accepting reader's own open invite, if any, can't be used any more.
    PartnerInvite.objects.filter(inviter=user, closed=None).update(
        closed=now, outcome=PartnerInvite.Outcome.REVOKED
    )
    return link


# -- the link ------------------------------------------------------------------------------


@dataclass
class Couple:
    me: CoupleMember
    partner: CoupleMember


def couple_for(user: AbstractBaseUser) -> Couple | None:
    """The reader's link as seen from their side, or None: the one door to partner data."""
    if not user.is_authenticated:
        return None
    members = list(
        CoupleMember.objects.filter(link__members__user=user)
        .select_related("partner_result")
        .order_by("pk")
    )
    if len(members) != 2:
        return None
    me = next(member for member in members if member.user_id == user.pk)
    partner = next(member for member in members if member.user_id != user.pk)
    return Couple(me=me, partner=partner)


def partner_results_of(user: AbstractBaseUser) -> list[Result]:
    """The reader's results about a partner, newest first: the ones they may choose from."""
    return list(Result.objects.owned_by(user).filter(subject=Subject.PARTNER))


@transaction.atomic
def sharing_update(
    *,
    member: CoupleMember,
    share_self_result: bool,
    partner_result_id: int | None,
    share_strategies: bool,
    share_plan_focus: bool,
) -> CoupleMember:
    """Change what this partner shares; the other side sees the change on their next page."""
    _still_linked(member)
    partner_result = None
    if partner_result_id is not None:
        partner_result = Result.objects.filter(
            owner_id=member.user_id, subject=Subject.PARTNER, pk=partner_result_id
        ).first()
        if partner_result is None:
            raise CoupleError("That result isn't one of yours about a partner.")
    member.share_self_result = share_self_result
    member.partner_result = partner_result
    member.share_strategies = share_strategies
    member.share_plan_focus = share_plan_focus
    member.sharing_changed = timezone.now()
    member.save(
        update_fields=[
            "share_self_result",
            "partner_result",
            "share_strategies",
            "share_plan_focus",
            "sharing_changed",
        ]
    )
    return member


@transaction.atomic
def couple_unlink(*, user: AbstractBaseUser) -> bool:
    """End the reader's link at once, silently. Each partner keeps a private copy of the
    agreements as they stood; the shared ones, the sharing choices and the link go."""
    member = CoupleMember.objects.filter(user=user).first()
    if member is None:
        return False
    link = CoupleLink.objects.select_for_update().filter(pk=member.link_id).first()
    if link is None:
        return False
    now = timezone.now()
    agreements = list(link.agreements.all())
    owners = list(link.members.values_list("user_id", flat=True))
    AgreementCopy.objects.bulk_create(
        AgreementCopy(
            owner_id=owner,
            text=agreement.text,
            written_by_name=agreement.written_by_name,
            written=agreement.written,
            changed_by_name=agreement.changed_by_name,
            changed=agreement.changed,
            retired=agreement.retired,
            link_ended=now,
        )
        for owner in owners
        for agreement in agreements
    )
    link.delete()
    return True


# -- side by side --------------------------------------------------------------------------


@dataclass
class SignRow:
    slug: str
    text: str
    my_view_of_me: int | None = None
    my_view_of_them: int | None = None
    their_view_of_them: int | None = None
    their_view_of_me: int | None = None
    starters: list[str] = field(default_factory=list)


@dataclass
class SideBySide:
    rows: list[SignRow]
    my_self: Result | None
    my_partner_result: Result | None
    their_self: Result | None
    their_partner_result: Result | None
    strategies: list[str] | None  # None: not shared
    plan_focus_shared: bool
    plan_focus: PlanWeek | None  # the week their current plan is in, when shared and under way

    @property
    def starter_count(self) -> int:
        """How many starters there are: the page only asks whether there are any, and never
        shows the number (a count of differences would read as a score)."""
        return sum(len(row.starters) for row in self.rows)


def _latest_self(user_id: int) -> Result | None:
    return Result.objects.filter(owner_id=user_id, subject=Subject.SELF).first()


def side_by_side(couple: Couple) -> SideBySide:
    """Each sign, four views where both have shared; differences as conversation starters.

    Never a total: no score, percentage or "match" for the couple is computed at all.
    """
    me, partner = couple.me, couple.partner
    my_self = _latest_self(me.user_id)
    their_self = _latest_self(partner.user_id) if partner.share_self_result else None
    views = {
        "my_view_of_me": my_self,
        "my_view_of_them": me.partner_result,
        "their_view_of_them": their_self,
        "their_view_of_me": partner.partner_result,
    }
    result_ids = [result.pk for result in views.values() if result is not None]
    answers: dict[int, dict[str, int]] = {pk: {} for pk in result_ids}
    for result_id, slug, value in Answer.objects.filter(result_id__in=result_ids).values_list(
        "result_id", "sign_slug", "value"
    ):
        answers[result_id][slug] = value
    signs = list(Sign.objects.published().order_by("order", "pk").values_list("slug", "text"))
    rows = []
    for slug, text in signs:
        row = SignRow(slug=slug, text=text)
        for name, result in views.items():
            if result is not None:
                setattr(row, name, answers[result.pk].get(slug))
        if _differs(row.my_view_of_me, row.their_view_of_me):
            row.starters.append("You and your partner see you differently on this one.")
        if _differs(row.their_view_of_them, row.my_view_of_them):
            row.starters.append("You see your partner differently from how they see themselves.")
        rows.append(row)
    strategies = None
    if partner.share_strategies:
        strategies = list(
            SavedStrategy.objects.filter(owner_id=partner.user_id)
            .order_by("title")
            .values_list("title", flat=True)
        )
    return SideBySide(
        rows=rows,
        my_self=my_self,
        my_partner_result=me.partner_result,
        their_self=their_self,
        their_partner_result=partner.partner_result,
        strategies=strategies,
        plan_focus_shared=partner.share_plan_focus,
        plan_focus=current_focus(partner.user_id) if partner.share_plan_focus else None,
    )


# The chart: one row per sign, a 1-5 scale, four marks. Circles are about the reader,
# squares about their partner; filled is a view of oneself, hollow a view of the other. The
# table beside it holds the same numbers in words, for screen readers and without images.
CHART_WIDTH = 560
CHART_LEFT, CHART_RIGHT = 14, 546
CHART_TOP = 78  # below the legend and the scale's numbers
CHART_LINE = 18  # a line of sign text
CHART_LANES = (
    ("my_view_of_me", "circle", True, -13.5),
    ("their_view_of_me", "circle", False, -4.5),
    ("their_view_of_them", "square", True, 4.5),
    ("my_view_of_them", "square", False, 13.5),
)
CHART_MARK = 8  # a mark's width
CHART_WRAP = 66


@dataclass
class ChartMark:
    x: float
    y: float
    shape: str
    filled: bool

    @property
    def corner(self) -> tuple[float, float]:
        """A square mark's top left corner."""
        return self.x - CHART_MARK / 2, self.y - CHART_MARK / 2

    @property
    def radius(self) -> float:
        return CHART_MARK / 2


@dataclass
class ChartRow:
    lines: list[tuple[float, str]]  # (y, text)
    axis_y: float
    marks: list[ChartMark]


@dataclass
class Chart:
    width: int
    height: int
    ticks: list[tuple[float, int]]  # (x, value)
    left: int
    right: int
    rows: list[ChartRow]


def chart_of(view: SideBySide) -> Chart:
    """Where each mark of the side-by-side chart goes: geometry only, the same numbers as the
    table. No line joins two views and nothing is summed."""
    step = (CHART_RIGHT - CHART_LEFT) / 4
    rows, y = [], CHART_TOP
    for row in view.rows:
        text = textwrap.wrap(row.text, CHART_WRAP) or [""]
        lines = [(y + CHART_LINE * (n + 1) - 4, line) for n, line in enumerate(text)]
        axis_y = y + CHART_LINE * len(text) + 20
        marks = [
            ChartMark(CHART_LEFT + (value - 1) * step, axis_y + offset, shape, filled)
            for name, shape, filled, offset in CHART_LANES
            if (value := getattr(row, name)) is not None
        ]
        rows.append(ChartRow(lines, axis_y, marks))
        y = axis_y + 26
    ticks = [(CHART_LEFT + (value - 1) * step, value) for value in range(1, 6)]
    return Chart(CHART_WIDTH, y + 6, ticks, CHART_LEFT, CHART_RIGHT, rows)


def _differs(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and abs(a - b) >= NOTABLE_SIGN_STEPS


# -- the shared bubble ---------------------------------------------------------------------


@transaction.atomic
def agreement_add(*, member: CoupleMember, text: str, from_principle: str = "") -> Agreement:
    _still_linked(member)
    return Agreement.objects.create(
        link_id=member.link_id,
        text=text.strip(),
        from_principle=from_principle,
        written_by=member,
        written_by_name=member.display_name,
        written=timezone.now(),
    )


@transaction.atomic
def agreement_edit(*, member: CoupleMember, agreement: Agreement, text: str) -> Agreement:
    if agreement.link_id != member.link_id:
        raise CoupleError("That agreement isn't in your shared bubble.")
    _still_linked(member)
    if Agreement.objects.select_for_update().get(pk=agreement.pk).retired is not None:
        raise AgreementRetired("A retired agreement stays as it was retired.")
    agreement.text = text.strip()
    agreement.changed_by, agreement.changed_by_name = member, member.display_name
    agreement.changed = timezone.now()
    agreement.save(update_fields=["text", "changed_by", "changed_by_name", "changed"])
    return agreement


@transaction.atomic
def agreement_retire(*, member: CoupleMember, agreement: Agreement) -> Agreement:
    if agreement.link_id != member.link_id:
        raise CoupleError("That agreement isn't in your shared bubble.")
    _still_linked(member)
    now = timezone.now()
    agreement.retired = now
    agreement.changed_by, agreement.changed_by_name, agreement.changed = (
        member,
        member.display_name,
        now,
    )
    agreement.save(update_fields=["retired", "changed_by", "changed_by_name", "changed"])
    return agreement


def agreements_of(couple: Couple) -> list[Agreement]:
    return list(Agreement.objects.filter(link_id=couple.me.link_id).order_by("written", "pk"))


# -- the reader's data ---------------------------------------------------------------------


def _agreement_data(item: Agreement | AgreementCopy) -> dict[str, Any]:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "text": item.text,
        "written_by": item.written_by_name,
        "written_at": iso(item.written),
        "changed_by": item.changed_by_name or None,
        "changed_at": iso(item.changed),
        "retired_at": iso(item.retired),
    }


def couple_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """The reader's side of couples: invites they made, their link and own sharing choices,
    the shared agreements, and their private copies. Never the partner's own data: the
    partner appears only by the name they chose for the link."""
    couple = couple_for(user)
    link = None
    if couple is not None:
        me = couple.me
        link = {
            "linked_at": CoupleLink.objects.get(pk=me.link_id).created.isoformat(),
            "my_name_in_the_link": me.display_name,
            "partner_name_in_the_link": couple.partner.display_name,
            "i_share": {
                "latest_self_result": me.share_self_result,
                "partner_result_taken_at": (
                    me.partner_result.created.isoformat() if me.partner_result else None
                ),
                "toolkit_titles": me.share_strategies,
                "plan_focus": me.share_plan_focus,
            },
            "sharing_changed_at": (me.sharing_changed.isoformat() if me.sharing_changed else None),
            "agreements": [_agreement_data(item) for item in agreements_of(couple)],
        }
    invites = PartnerInvite.objects.filter(inviter=user).order_by("created", "pk")
    copies = AgreementCopy.objects.filter(owner=user).order_by("link_ended", "written", "pk")
    return {
        "invites": [
            {
                "name_shown": invite.display_name,
                "made_at": invite.created.isoformat(),
                "expires_at": invite.expires.isoformat(),
                "closed_at": invite.closed.isoformat() if invite.closed else None,
                "outcome": invite.outcome or None,
            }
            for invite in invites
        ],
        "link": link,
        "agreements_kept_after_unlinking": [
            {**_agreement_data(copy), "link_ended_at": copy.link_ended.isoformat()}
            for copy in copies
        ],
    }


def couple_forget(*, user: AbstractBaseUser) -> None:
    """Before an account goes: unlink silently (the partner keeps their copy), then delete
    the reader's invites and copies."""
    couple_unlink(user=user)
    PartnerInvite.objects.filter(inviter=user).delete()
    AgreementCopy.objects.filter(owner=user).delete()
