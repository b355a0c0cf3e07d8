"""Staff second factor: enrolment links, authenticator apps, recovery codes (django-otp).

Every staff account signs in to the admin with a password *and* a code: six digits from an
authenticator app (a TOTP device), or one of ten single-use recovery codes (a static device).

A phone is never enrolled "on first sign-in", which would let whoever holds the password enrol
their own. An administrator runs ``add_editor`` or ``enrol_staff``, which print a link that
works once and for 24 hours; whoever opens it must still know the account's password to finish.
The link is signed, not stored: it carries a digest of the account's state (password, last
sign-in, devices), so starting an enrolment, signing in or changing the password spends it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

log = logging.getLogger("securebase.staff")

LINK_LIFETIME = timedelta(hours=24)
# Between pressing "Start" on the link's page and entering the first code.
SETUP_LIFETIME = timedelta(minutes=30)
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
_LINK_SALT = "securebase.staff.enrolment-link"
_STATE_SALT = "securebase.staff.enrolment-state"


def _state_digest(user: AbstractBaseUser) -> str:
    """What a used link must no longer match: password, last sign-in and every device."""
    devices = sorted(
        [f"totp{pk}" for pk in TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)]
        + [
            f"static{pk}"
            for pk in StaticDevice.objects.filter(user=user).values_list("pk", flat=True)
        ]
    )
    last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0)
    value = f"{user.pk}|{user.password}|{last_login}|{user.is_active}|{','.join(devices)}"
    return salted_hmac(_STATE_SALT, value, algorithm="sha256").hexdigest()[:32]


def enrolment_token(user: AbstractBaseUser) -> str:
    return signing.dumps([user.pk, _state_digest(user)], salt=_LINK_SALT)


def enrolment_url(user: AbstractBaseUser) -> str:
    """The full link an administrator hands to the account's owner."""
    path = reverse("admin:staff-enrol", kwargs={"token": enrolment_token(user)})
    return settings.SITE_URL.rstrip("/") + path


def user_for_enrolment_token(token: str) -> AbstractBaseUser | None:
    """The staff account a valid, unexpired, unused link is for; None for any other link."""
    try:
        pk, digest = signing.loads(token, salt=_LINK_SALT, max_age=LINK_LIFETIME)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    user = get_user_model()._default_manager.filter(pk=pk, is_active=True, is_staff=True).first()
    if user is None or _state_digest(user) != digest:
        return None
    return user


@dataclass(frozen=True)
class Setup:
    """An enrolment under way: the account and the authenticator device not yet confirmed."""

    user: AbstractBaseUser
    device: TOTPDevice


def enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A fresh, unconfirmed authenticator device; this spends the link (the devices changed).

    Devices already confirmed keep working until the new one is confirmed, so an editor who
    lost a phone is never left with no way in half-way through.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def enrolment_finish(*, setup: Setup, code: str) -> list[str] | None:
    """Confirm the new device with its first code: it replaces every older device, and a new set
    of recovery codes replaces the old. Returns the recovery codes (shown once), or None when
    the code is wrong (nothing changes)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=setup.device.pk).first()
        if device is None or device.confirmed or not device.verify_token(code.strip()):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=setup.user).exclude(pk=device.pk).delete()
        codes = recovery_codes_replace(user=setup.user)
    return codes


def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """Ten new single-use recovery codes; any older ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def code_device(user: AbstractBaseUser, code: str) -> TOTPDevice | StaticDevice | None:
    """The confirmed device a code is meant for: six digits are the app's, anything else a
    recovery code. Only that device is tried, so a typo never throttles the other."""
    model = TOTPDevice if is_app_code(code) else StaticDevice
    return model.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user: AbstractBaseUser) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def second_factor_methods(user: AbstractBaseUser) -> str:
    """What the account can sign in with, for the enrolment command's message."""
    names = []
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        names.append("an authenticator app")
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    if left:
        names.append(f"{left} recovery code{'s' if left != 1 else ''}")
    return " and ".join(names) or "no second factor yet"


def is_verified_staff(user) -> bool:
    """Staff who signed in with their second factor (not merely with a password)."""
    if not (user.is_authenticated and user.is_staff):
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
