"""Static files as whitenoise stores them (hashed names, compressed copies), each file's
address worked out once per process.

A page names the same few files on every request (the stylesheet, the icon, a script), and
each ``{% static %}`` looked the name up in the manifest and quoted it again: about 40 µs, a
tag. The manifest is read when the process starts and does not change while it runs (a new
release is a new process), so an address, once known, is kept.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str, force: bool = False) -> str:
        if force or settings.DEBUG:  # DEBUG: unhashed names, read afresh, as Django's
            return super().url(name, force)
        try:
            return self._addresses[name]
        except KeyError:
            # A name not in the manifest raises here, as Django's does, and is not kept.
            address = self._addresses[name] = super().url(name)
            return address
