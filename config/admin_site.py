"""The admin site: a password and a second factor for every staff account.

It replaces Django's default site (``config.apps.AdminConfig``), so ``admin.site`` and
``@admin.register`` everywhere else keep working. Staff who signed in with a password alone
(through the readers' sign-in, or a password reset) are treated as not staff here until they
give a code. The enrolment pages live here too: an account gets its authenticator app only
through a link from ``add_editor`` or ``enrol_staff`` (see ``config.staff``).
"""

from __future__ import annotations

import logging
from datetime import datetime

import segno
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from config import staff
from config.headers import clear_site_data
from config.ratelimit import client_address

log = logging.getLogger("securebase.staff")

SETUP_SESSION_KEY = "staff_enrolment"


class StaffAuthenticationForm(AdminAuthenticationForm):
    """Username, password and a code, on one form."""

    otp_token = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_device": (
            "This account has no second factor yet. Ask an administrator for an enrolment link "
            "(manage.py enrol_staff USERNAME)."
        ),
        "wrong_code": "That code is not right. Check your authenticator app and try again.",
        "throttled": "Too many wrong codes: wait a minute, then try again.",
    }

    def clean(self):
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            _log_refusal(self.request, self.cleaned_data.get("username", ""), "password")
            raise
        user = self.get_user()
        if not staff.has_second_factor(user):
            _log_refusal(self.request, user.get_username(), "no second factor")
            raise forms.ValidationError(self.error_messages["no_device"], code="no_device")
        code = "".join(cleaned.get("otp_token", "").split()).lower()
        if not code:
            _log_refusal(self.request, user.get_username(), "no code")
            return cleaned  # the field's own error asks for it
        device = staff.code_device(user, code)
        if device is None:
            self._refuse_wrong_code(user)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            _log_refusal(self.request, user.get_username(), "code throttled")
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        if not device.verify_token(code):
            self._refuse_wrong_code(user)
        # django-otp's user_logged_in receiver stores the device in the session.
        user.otp_device = device
        return cleaned

    def _refuse_wrong_code(self, user) -> None:
        _log_refusal(self.request, user.get_username(), "wrong code")
        # Counted as a wrong password is (assessments.throttling: for this browser if the
        # account signed in on it before, else for the account and the network), so the
        # sign-in pause covers code guessing too.
        user_login_failed.send(
            sender=type(self),
            credentials={"username": user.get_username()},
            request=self.request,
        )
        raise forms.ValidationError(self.error_messages["wrong_code"], code="wrong_code")


def _log_refusal(request: HttpRequest | None, username: str, reason: str) -> None:
    """A refused staff sign-in, named only when the account is staff (a password typed into the
    username box is never written down); never the password or the code."""
    user_model = get_user_model()
    is_staff = user_model._default_manager.filter(
        **{user_model.USERNAME_FIELD: username}, is_staff=True
    ).exists()
    if not is_staff:
        # Perhaps a reader at the wrong door: like their wrong passwords, logged without the
        # name or the address (as the privacy page says).
        log.warning("Staff sign-in refused: account=(not a staff account) reason=%s", reason)
        return
    address = client_address(request) if request is not None else ""
    log.warning("Staff sign-in refused: account=%s reason=%s address=%s", username, reason, address)


def _log_sign_in(request: HttpRequest, user, device) -> None:
    method = "recovery code" if isinstance(device, StaticDevice) else "authenticator app"
    extra = ""
    if isinstance(device, StaticDevice):
        left = StaticToken.objects.filter(device=device).count()
        extra = f" recovery_codes_left={left}"
    log.info(
        "Staff sign-in: account=%s method=%s address=%s%s",
        user.get_username(),
        method,
        client_address(request),
        extra,
    )


class StaffAdminSite(admin.AdminSite):
    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and staff.is_verified_staff(request.user)

    def login(self, request: HttpRequest, extra_context=None):
        response = super().login(request, extra_context)
        user = request.user
        if (
            request.method == "POST"
            and isinstance(response, HttpResponseRedirect)
            and getattr(user, "otp_device", None) is not None
        ):
            _log_sign_in(request, user, user.otp_device)
        return response

    def logout(self, request: HttpRequest, extra_context=None):
        return clear_site_data(super().logout(request, extra_context))

    def get_urls(self):
        return [
            path("enrol/", self.enrol_setup_view, name="staff-enrol-setup"),
            path("enrol/<str:token>/", self.enrol_link_view, name="staff-enrol"),
            *super().get_urls(),
        ]

    # -- enrolment ---------------------------------------------------------------------------

    def _render(self, request, template: str, context: dict, status: int = 200):
        return TemplateResponse(
            request,
            template,
            {**self.each_context(request), **context},
            status=status,
        )

    def _spent(self, request: HttpRequest) -> HttpResponse:
        return self._render(
            request, "admin/enrol/spent.html", {"title": "This link no longer works"}, status=410
        )

    @method_decorator(never_cache)
    def enrol_link_view(self, request: HttpRequest, token: str) -> HttpResponse:
        """The link from the command: a page with one button, so a link preview or a mail
        scanner that fetches it spends nothing; pressing Start spends it."""
        user = staff.user_for_enrolment_token(token)
        if user is None:
            return self._spent(request)
        if request.method == "POST":
            return csrf_protect(self._enrol_start)(request, user)
        return self._render(
            request,
            "admin/enrol/start.html",
            {"title": "Set up your second factor", "account": user.get_username()},
        )

    def _enrol_start(self, request: HttpRequest, user) -> HttpResponse:
        device = staff.enrolment_start(user=user)
        request.session[SETUP_SESSION_KEY] = {
            "user": user.pk,
            "device": device.pk,
            "started": timezone.now().isoformat(),
        }
        return HttpResponseRedirect(reverse("admin:staff-enrol-setup", current_app=self.name))

    def _setup(self, request: HttpRequest) -> staff.Setup | None:
        data = request.session.get(SETUP_SESSION_KEY)
        if not isinstance(data, dict):
            return None
        try:
            started = datetime.fromisoformat(data["started"])
            device = (
                staff.TOTPDevice.objects.select_related("user")
                .filter(pk=data["device"], user_id=data["user"], confirmed=False)
                .first()
            )
        except (KeyError, TypeError, ValueError):
            return None
        if device is None or timezone.now() - started > staff.SETUP_LIFETIME:
            return None
        if not (device.user.is_active and device.user.is_staff):
            return None
        return staff.Setup(user=device.user, device=device)

    @method_decorator([sensitive_post_parameters("password", "code"), never_cache, csrf_protect])
    def enrol_setup_view(self, request: HttpRequest) -> HttpResponse:
        setup = self._setup(request)
        if setup is None:
            return self._spent(request)
        form = EnrolmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            username = setup.user.get_username()
            found = authenticate(request, username=username, password=form.cleaned_data["password"])
            if found is None or found.pk != setup.user.pk:
                form.add_error("password", "That is not this account's password.")
            else:
                codes = staff.enrolment_finish(setup=setup, code=form.cleaned_data["code"])
                if codes is None:
                    form.add_error("code", "That code is not right: enter the one showing now.")
                else:
                    return self._enrolled(request, setup, codes)
        uri = setup.device.config_url
        return self._render(
            request,
            "admin/enrol/setup.html",
            {
                "title": "Set up your second factor",
                "account": setup.user.get_username(),
                "form": form,
                "qr_svg": _qr_svg(uri),
                "secret": _grouped(uri.split("secret=", 1)[1].split("&", 1)[0]),
                "otpauth_uri": uri,
            },
        )

    def _enrolled(self, request: HttpRequest, setup: staff.Setup, codes: list[str]):
        request.session.pop(SETUP_SESSION_KEY, None)
        user = setup.user
        device = staff.TOTPDevice.objects.get(pk=setup.device.pk)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        otp_login(request, device)
        log.info(
            "Staff enrolment finished: account=%s address=%s",
            user.get_username(),
            client_address(request),
        )
        return self._render(
            request,
            "admin/enrol/done.html",
            {"title": "Your second factor is set up", "codes": codes},
        )


class EnrolmentForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="The 6-digit code your app shows",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not staff.is_app_code(code):
            raise forms.ValidationError("Enter the six digits your app shows.")
        return code


def _qr_svg(uri: str):
    """The otpauth link as an SVG QR code, drawn dark on light even in a dark theme."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", border=4, omitsize=False
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-label" ', 1))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
