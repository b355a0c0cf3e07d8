"""System checks for settings that would quietly weaken the site's limits."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def proxy_settings(app_configs=None, **kwargs) -> list:
    """Trusting a proxy's X-Forwarded-Proto means a proxy is there: it must be counted too.

    Otherwise every request seems to come from the proxy's address, and one client's wrong
    passwords or searches would pause everyone.
    """
    if settings.TRUST_X_FORWARDED_PROTO and settings.TRUSTED_PROXY_COUNT <= 0:
        return [
            Error(
                "TRUST_X_FORWARDED_PROTO is on but TRUSTED_PROXY_COUNT is 0.",
                hint=(
                    "Behind a proxy every reader would share the proxy's address, so one "
                    "client's wrong passwords would pause signing in for everyone. Set "
                    "TRUSTED_PROXY_COUNT to the number of proxies that append to "
                    "X-Forwarded-For (usually 1)."
                ),
                id="config.E001",
            )
        ]
    return []


@register(Tags.security)
def sign_in_limits(app_configs=None, **kwargs) -> list:
    """Counts are per clock hour: a rolling hour may see twice the limit."""
    if settings.SIGN_IN_ACCOUNT_LIMIT * 2 > 100 or settings.SIGN_IN_ACCOUNT_LIMIT < 1:
        return [
            Error(
                f"SIGN_IN_ACCOUNT_LIMIT is {settings.SIGN_IN_ACCOUNT_LIMIT}.",
                hint=(
                    "Use 1 to 50: counts restart each clock hour, so a limit of 50 already "
                    "lets up to 100 wrong passwords through in a rolling hour (ASVS 2.2.1)."
                ),
                id="config.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def rate_limits_on(app_configs=None, **kwargs) -> list:
    if not settings.RATE_LIMITS:
        return [
            Warning(
                "RATE_LIMITS is off: sign-up, password reset and search can be flooded.",
                hint="Turn it off only to benchmark; unset RATE_LIMITS in production.",
                id="config.W001",
            )
        ]
    return []
