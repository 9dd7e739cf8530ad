"""Which web-facing settings `parcours doctor` warns about (parcours/exposure.py)."""

import ipaddress

import pytest

from cli import exposure
from parcours.settings import Settings

PROXY = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize("changes, warned", [
    ({"public_url": "https://stats.example.com", "trusted_proxies": PROXY}, []),
    ({"public_url": "http://127.0.0.1:8000"}, []),
    ({"public_url": "http://localhost:8000"}, []),
    ({"public_url": ""}, ["PARCOURS_PUBLIC_URL is not set"]),
    ({"public_url": "http://stats.example.com"}, ["is plain http"]),
    ({"public_url": "https://stats.example.com"}, ["PARCOURS_TRUSTED_PROXIES is empty"]),
    ({"public_url": "https://stats.example.com", "trusted_proxies": PROXY, "cookie_secure": "never"},
     ["PARCOURS_COOKIE_SECURE=never"]),
    ({"public_url": "https://stats.example.com", "trusted_proxies": [ipaddress.ip_network("0.0.0.0/0")]},
     ["trusts every address"]),
    ({"public_url": "https://stats.example.com", "trusted_proxies": PROXY, "signup_open": True}, ["sign-up is open"]),
    ({"public_url": "", "signup_open": True}, ["PARCOURS_PUBLIC_URL is not set", "sign-up is open"]),
])
def test_warnings(changes, warned):
    found = exposure.warnings(Settings(_env_file=None).model_copy(update=changes))
    assert len(found) == len(warned) and all(w in f for w, f in zip(warned, found, strict=True)), found
