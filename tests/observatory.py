"""The MDN HTTP Observatory's score, computed from one response by its published rules.

A port of the scoring tables and the header tests of mdn/mdn-http-observatory
(src/grader/charts.js, src/analyzer/tests/*.js): every site starts at 100; penalties always
count, bonuses only when the score without them is 90 or more. HSTS preloading (+5) needs the
browsers' preload list, which no local run is on, so it never scores here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCE_OR_HASH = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


@dataclass
class Result:
    score: int
    modifiers: dict[str, int] = field(default_factory=dict)

    @property
    def grade(self) -> str:
        return "A+" if self.score >= 100 else "below A+"


def parse_csp(header: str) -> dict[str, set[str]]:
    policy: dict[str, set[str]] = {}
    for part in header.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in policy:
            raise ValueError(f"duplicate directive {name}")
        policy[name] = {token.lower() if token.startswith("'") else token for token in tokens[1:]}
    return policy


def csp_test(headers: dict[str, str]) -> tuple[str, int]:
    header = headers.get("content-security-policy")
    if not header:
        return "csp-not-implemented", -25
    try:
        csp = parse_csp(header)
    except ValueError:
        return "csp-header-invalid", -25
    default = csp.get("default-src")
    script = set(csp.get("script-src") or default or {"*"})
    style = set(csp.get("style-src") or default or {"*"})
    objects = csp.get("object-src") or default or {"*"}
    for sources in (script, style):
        if any(s.startswith(NONCE_OR_HASH) for s in sources):
            sources.discard("'unsafe-inline'")
    if script & (BROAD | UNSAFE_INLINE) or objects & BROAD:
        return "csp-implemented-with-unsafe-inline", -20
    active = [s for d, v in csp.items() if d not in {"img-src", "media-src"} for s in v]
    if any(s.startswith(("http:", "ftp:")) for s in active):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in script | style:
        return "csp-implemented-with-unsafe-eval", -10
    passive = [s for d in ("img-src", "media-src") for s in (csp.get(d) or default or set())]
    if any(s.startswith(("http:", "ftp:")) for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", -10
    if style & (BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 5


def hsts_test(headers: dict[str, str]) -> tuple[str, int]:
    header = headers.get("strict-transport-security")
    if not header:
        return "hsts-not-implemented", -20
    match = re.search(r"max-age=\"?(\d+)", header, re.IGNORECASE)
    if not match:
        return "hsts-header-invalid", -20
    if int(match.group(1)) < 15_768_000:
        return "hsts-implemented-max-age-less-than-six-months", -10
    return "hsts-implemented-max-age-at-least-six-months", 0


def cookies_test(set_cookies: list[str], hsts_ok: bool) -> tuple[str, int]:
    if not set_cookies:
        return "cookies-not-found", 0
    worst = ("", 0)

    def worse(name: str, value: int) -> None:
        nonlocal worst
        if value < worst[1]:
            worst = (name, value)

    missing_samesite = False
    for raw in set_cookies:
        jar = SimpleCookie()
        jar.load(raw)
        for key, morsel in jar.items():
            secure = bool(morsel["secure"])
            samesite = (morsel["samesite"] or "").lower()
            session_id = "login" in key.lower() or "sess" in key.lower()
            if samesite and samesite not in {"lax", "strict", "none"}:
                worse("cookies-samesite-flag-invalid", -20)
            if samesite == "none" and not secure:
                worse("cookies-samesite-flag-invalid", -20)
            if not secure:
                if hsts_ok:
                    worse("cookies-without-secure-flag-but-protected-by-hsts", -5)
                else:
                    worse("cookies-without-secure-flag", -20)
            if "csrf" in key.lower() and not samesite:
                worse("cookies-anticsrf-without-samesite-flag", -20)
            if session_id and not secure:
                if hsts_ok:
                    worse("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                else:
                    worse("cookies-session-without-secure-flag", -40)
            if session_id and not morsel["httponly"]:
                worse("cookies-session-without-httponly-flag", -30)
            missing_samesite = missing_samesite or not samesite
    if worst[0]:
        return worst
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions", 0
    return "cookies-secure-with-httponly-sessions-and-samesite", 5


def cors_test(headers: dict[str, str]) -> tuple[str, int]:
    origin = headers.get("access-control-allow-origin")
    if not origin:
        return "cross-origin-resource-sharing-not-implemented", 0
    if origin.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    if headers.get("access-control-allow-credentials", "").lower() == "true":
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


def redirection_test(http_status: int, http_location: str, host: str) -> tuple[str, int]:
    if http_status not in {301, 302, 303, 307, 308}:
        return "redirection-missing", -20
    target = urlsplit(http_location)
    if target.scheme != "https":
        return "redirection-not-to-https-on-initial-redirection", -10
    if target.hostname != host:
        return "redirection-off-host-from-http", -5
    return "redirection-to-https", 0


def referrer_test(headers: dict[str, str]) -> tuple[str, int]:
    header = headers.get("referrer-policy")
    if not header:
        return "referrer-policy-not-implemented", 0
    policies = [p.strip().lower() for p in header.split(",") if p.strip()]
    private = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    unsafe = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
    known = [p for p in policies if p in private | unsafe]
    if not known:
        return "referrer-policy-header-invalid", -5
    if known[-1] in private:
        return "referrer-policy-private", 5
    return "referrer-policy-unsafe", -5


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri_test(headers: dict[str, str], body: str, host: str) -> tuple[str, int]:
    if "html" not in headers.get("content-type", ""):
        return "sri-not-implemented-response-not-html", 0
    parser = _Scripts()
    parser.feed(body)
    scripts = [s for s in parser.scripts if s.get("src")]
    if not scripts:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    external = [s for s in scripts if urlsplit(s["src"]).hostname not in {None, host}]
    insecure = [s for s in external if not str(s["src"]).startswith("https://")]
    with_sri = all(s.get("integrity") for s in external) if external else False
    if insecure:
        if with_sri:
            return "sri-implemented-but-external-scripts-not-loaded-securely", -20
        return "sri-not-implemented-and-external-scripts-not-loaded-securely", -50
    if external and not with_sri:
        return "sri-not-implemented-but-external-scripts-loaded-securely", -5
    if external:
        return "sri-implemented-and-external-scripts-loaded-securely", 5
    if all(s.get("integrity") for s in scripts):
        return "sri-implemented-and-all-scripts-loaded-securely", 5
    return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0


def xcto_test(headers: dict[str, str]) -> tuple[str, int]:
    header = headers.get("x-content-type-options")
    if not header:
        return "x-content-type-options-not-implemented", -5
    if header.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff", 0
    return "x-content-type-options-header-invalid", -5


def xfo_test(headers: dict[str, str]) -> tuple[str, int]:
    csp = headers.get("content-security-policy", "")
    try:
        ancestors = parse_csp(csp).get("frame-ancestors") if csp else None
    except ValueError:
        ancestors = None
    if ancestors and not ancestors & BROAD:
        return "x-frame-options-implemented-via-csp", 5
    header = headers.get("x-frame-options", "").strip().lower()
    if header in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny", 0
    if header.startswith("allow-from"):
        return "x-frame-options-allow-from-origin", 0
    if not header:
        return "x-frame-options-not-implemented", -20
    return "x-frame-options-header-invalid", -20


def corp_test(headers: dict[str, str]) -> tuple[str, int]:
    header = headers.get("cross-origin-resource-policy")
    if not header:
        return "corp-not-implemented", 0
    value = header.strip().lower()
    if value == "same-origin":
        return "corp-implemented-with-same-origin", 10
    if value == "same-site":
        return "corp-implemented-with-same-site", 10
    if value == "cross-origin":
        return "corp-implemented-with-cross-origin", 0
    return "corp-header-invalid", -5


def score(
    *,
    headers: dict[str, str],
    set_cookies: list[str],
    body: str,
    host: str,
    http_status: int,
    http_location: str,
) -> Result:
    """The Observatory's score for an https response and the answer to the same URL over http."""
    headers = {name.lower(): value for name, value in headers.items()}
    hsts = hsts_test(headers)
    results = [
        csp_test(headers),
        cookies_test(set_cookies, hsts_ok=hsts[1] == 0),
        cors_test(headers),
        redirection_test(http_status, http_location, host),
        referrer_test(headers),
        hsts,
        sri_test(headers, body, host),
        xcto_test(headers),
        xfo_test(headers),
        corp_test(headers),
    ]
    modifiers = dict(results)
    base = 100 + sum(value for value in modifiers.values() if value < 0)
    bonus = sum(value for value in modifiers.values() if value > 0) if base >= 90 else 0
    return Result(score=max(base + bonus, 0), modifiers=modifiers)
