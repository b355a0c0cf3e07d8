"""Which region's support page a reader starts on, from the languages their browser sends.

No geolocation and no address lookup: only ``Accept-Language``, which the reader's browser
sends to every site. A reader can always pick another region on the page itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation.trans_real import parse_accept_lang_header

from guide.models import SupportRegion

DEFAULT_REGION = SupportRegion.ELSEWHERE

# A language tag's country part, as browsers send it ("en-GB"), to the page for it.
COUNTRY_REGIONS = {
    "us": SupportRegion.US,
    "ca": SupportRegion.CA,
    "gb": SupportRegion.UK,
    "uk": SupportRegion.UK,
    "ie": SupportRegion.IE,
    "au": SupportRegion.AU,
}
# Languages spoken mainly in one of the regions, for a tag without a country.
LANGUAGE_REGIONS = {
    "ga": SupportRegion.IE,  # Irish
    "cy": SupportRegion.UK,  # Welsh
    "gd": SupportRegion.UK,  # Scottish Gaelic
}


@dataclass(frozen=True)
class RegionInfo:
    """What a region's page needs beyond its entries: the parts with their own lines."""

    # Parts of the region whose domestic abuse lines differ: a part no entry covers is shown
    # as a gap editors still have to fill, never filled with a guess.
    areas: tuple[str, ...] = ()


REGION_INFO = {
    SupportRegion.UK: RegionInfo(areas=("England", "Scotland", "Wales", "Northern Ireland")),
}


def region_from_accept_language(header: str) -> str:
    """The first region the reader's languages point to, in their order of preference."""
    for tag, _quality in parse_accept_lang_header(header or ""):
        parts = tag.lower().replace("_", "-").split("-")
        for part in parts[1:]:
            if part in COUNTRY_REGIONS:
                return COUNTRY_REGIONS[part]
        if parts[0] in LANGUAGE_REGIONS:
            return LANGUAGE_REGIONS[parts[0]]
    return DEFAULT_REGION
