"""{% static %} remembers each file's address and still answers exactly as whitenoise's."""

from __future__ import annotations

import json

import pytest
from django.templatetags.static import static
from whitenoise.storage import CompressedManifestStaticFilesStorage

MANIFEST = {"version": "1.1", "paths": {"css/site.css": "css/site.1111.css"}}


@pytest.fixture
def released(settings, tmp_path):
    """A collected release: the manifest in STATIC_ROOT, read by the site's storage."""
    (tmp_path / "staticfiles.json").write_text(json.dumps(MANIFEST))
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.static_storage.StaticFilesStorage"},
    }
    return tmp_path


def test_pages_link_the_hashed_file_named_in_the_manifest(released):
    whitenoise = CompressedManifestStaticFilesStorage(location=released)

    assert static("css/site.css") == "/static/css/site.1111.css"
    assert static("css/site.css") == whitenoise.url("css/site.css")  # the second, remembered


def test_a_file_missing_from_the_manifest_fails_every_time(released):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            static("css/missing.css")


def test_debug_links_the_unhashed_file(released, settings):
    assert static("css/site.css") == "/static/css/site.1111.css"
    settings.DEBUG = True

    assert static("css/site.css") == "/static/css/site.css"
