"""Two readers linked as partners, by consent: the invite, the link, what each shares, and
the agreements of their shared bubble (:mod:`assessments.couples` writes them all).

Nothing here is registered in the admin, and no row names anything private when printed (an
account's delete page in the admin lists what would go with it). Each table belongs to the
reader(s) it names: an invite to its inviter, a membership (with its sharing choices) to its
member, the shared agreements to both partners while they are linked, and a private copy of
the agreements to one reader after unlinking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

AGREEMENT_MAX_LENGTH = 500
DISPLAY_NAME_MAX_LENGTH = 40


class PartnerInvite(models.Model):
    """An invite to link, made by one reader for one person.

    Only a hash of the token is stored: the link itself is shown once, to its maker. The
    invite is open while ``closed`` is empty and it has not expired; it closes when it is
    accepted, revoked, or replaced after expiring. ``display_name`` is the only thing about
    the inviter the invite ever shows.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_invites"
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(db_index=True)
    expires = models.DateTimeField()
    closed = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inviter"], condition=Q(closed=None), name="partner_invite_one_open"
            ),
            models.CheckConstraint(
                condition=Q(closed=None, outcome="") | (~Q(closed=None) & ~Q(outcome="")),
                name="partner_invite_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return "Partner invite"


class CoupleLink(models.Model):
    """Two readers who both agreed to link. Deleting it unlinks them (see ``couple_unlink``)."""

    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "Partner link"


class CoupleMember(models.Model):
    """One reader's side of a link: the name their partner sees, and what they share.

    Nothing is shared until the reader says so. ``partner_result`` is the one partner-mode
    result the reader chose to share as being about this partner (results name no one).
    The unique ``user`` is the rule of one link at a time.
    """

    link = models.ForeignKey(CoupleLink, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="couple_member"
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH)
    share_self_result = models.BooleanField(default=False)
    partner_result = models.ForeignKey(
        "assessments.Result", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    share_strategies = models.BooleanField(default=False)
    share_plan_focus = models.BooleanField(default=False)
    sharing_changed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return "One side of a partner link"


class Agreement(models.Model):
    """One agreement of a couple's shared bubble, written and kept by both partners.

    Who wrote and who last changed it are kept as the names the partners chose (and as
    members, while they are linked), so the page can say who did what and when.
    """

    link = models.ForeignKey(CoupleLink, on_delete=models.CASCADE, related_name="agreements")
    text = models.TextField(max_length=AGREEMENT_MAX_LENGTH)
    from_principle = models.SlugField(max_length=80, blank=True)
    written_by = models.ForeignKey(
        CoupleMember, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_by_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH)
    written = models.DateTimeField()
    changed_by = models.ForeignKey(
        CoupleMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    changed = models.DateTimeField(null=True, blank=True)
    retired = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["written", "pk"]

    def __str__(self) -> str:
        return "Shared agreement"


class AgreementCopy(models.Model):
    """A reader's private copy of one agreement as it stood when the link ended: theirs alone."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_copies"
    )
    text = models.TextField(max_length=AGREEMENT_MAX_LENGTH)
    written_by_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH)
    written = models.DateTimeField()
    changed_by_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    changed = models.DateTimeField(null=True, blank=True)
    retired = models.DateTimeField(null=True, blank=True)
    link_ended = models.DateTimeField()

    class Meta:
        ordering = ["link_ended", "written", "pk"]
        verbose_name_plural = "agreement copies"

    def __str__(self) -> str:
        return "Kept agreement"
