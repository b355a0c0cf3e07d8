"""Response headers Django has no setting for: Permissions-Policy, Cross-Origin-Resource-Policy,
``Cache-Control: no-store`` on every page answered to someone signed in, and Clear-Site-Data
on signing out.

First in the middleware list, so static files that whitenoise answers carry them too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Powerful features a text site never uses, all off. Only names Chromium knows: an unknown
# name costs a console error ("Unrecognized feature") on every page (tests/browser/test_headers.py).
DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "window-management",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)
# On signing out: the browser drops its HTTP cache (pages seen while signed in, Back included)
# and the site's storage. Not "cookies": that would also wipe cookies the owner needs, such as
# one that lets them sign in during a pause on their account.
CLEAR_SITE_DATA = '"cache", "storage"'


def signed_in(request: HttpRequest) -> bool:
    """Someone is signed in; asked only with a session cookie, so other pages touch no session."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def clear_site_data(response: HttpResponse) -> HttpResponse:
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if signed_in(request):
            # Nothing a signed-in page shows stays in the browser's cache or its Back history.
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Nothing here is meant to be embedded by other sites.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
