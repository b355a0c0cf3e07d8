"""Write config/nginx/bypass-cookies.conf from the PAGE_CACHE_BYPASS_COOKIES setting.

The app's page cache and the nginx front pass the same cookies through; the setting is the
one list, and this file is nginx's copy of it (a test fails when they differ).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

BYPASS_FILE = Path(settings.BASE_DIR) / "config" / "nginx" / "bypass-cookies.conf"


def bypass_cookies_conf(cookies=None) -> str:
    cookies = settings.PAGE_CACHE_BYPASS_COOKIES if cookies is None else cookies
    names = "|".join(re.escape(name) for name in cookies)
    return (
        "# Written by `make proxy-config` from PAGE_CACHE_BYPASS_COOKIES (config/settings.py):\n"
        "# change the setting, not this file. 1 when the request carries one of the cookies.\n"
        "map $http_cookie $page_cache_bypass {\n"
        "    default 0;\n"
        f'    "~(^|;)\\s*({names})=" 1;\n'
        "}\n"
    )


class Command(BaseCommand):
    help = "Write the nginx front's list of cookies that bypass its cache, from the settings."

    def handle(self, *args, **options) -> None:
        BYPASS_FILE.write_text(bypass_cookies_conf())
        self.stdout.write(f"Wrote {BYPASS_FILE.relative_to(settings.BASE_DIR)}")
