"""What `parcours doctor` warns about in how the web app faces the internet: settings that are
legal but probably wrong for a public install. Warnings, not problems: an operator may mean
them (a trial behind plain http, sign-up opened on purpose), so they do not fail the doctor
unless it runs with --strict."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from parcours.settings import Settings


def warnings(settings: Settings) -> list[str]:
    found = _url_warnings(settings) + _proxy_warnings(settings)
    if settings.signup_open:
        found.append("sign-up is open: anyone who reaches /signup can make an account "
                     "(PARCOURS_SIGNUP_OPEN=false closes it; parcours user add adds people)")
    return found


def _url_warnings(settings: Settings) -> list[str]:
    if not settings.public_url:
        return ["PARCOURS_PUBLIC_URL is not set: no mail with links is sent (password resets, sign-up) "
                "and tracking snippets name whatever host a request came in on"]
    url = urlsplit(settings.public_url)
    if url.scheme == "https":
        if settings.cookie_secure == "never":
            return ["the public URL is https but PARCOURS_COOKIE_SECURE=never: session cookies would travel in clear"]
        return []
    if not _loopback(url.hostname or ""):
        return [f"the public URL {settings.public_url} is plain http: passwords and session cookies cross the "
                "network unencrypted; put a TLS proxy in front and make it https://"]
    return []


def _proxy_warnings(settings: Settings) -> list[str]:
    if any(network.prefixlen == 0 for network in settings.trusted_proxies):
        return ["PARCOURS_TRUSTED_PROXIES trusts every address: any visitor can forge X-Forwarded-For "
                "(rate limits, visitor ids and locations); name only your proxy's address"]
    if settings.public_url.startswith("https://") and not settings.trusted_proxies:
        return ["the public URL is https, so a TLS proxy is in front, but PARCOURS_TRUSTED_PROXIES is empty: "
                "every visitor would share the proxy's address (one rate-limit bucket, visitor ids from the user "
                "agent alone, no locations); set it to the proxy's address"]
    return []


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
