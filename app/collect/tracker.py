"""The tracker script as served: the minified build (tracker/build makes it from
tracker/parcours.js) with the property id and the collect endpoint written in. Each variant
is rendered, hashed and gzipped once, not per request: every page view of every tracked site
asks for it."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass

from parcours import PROJECT_ROOT

BUILD = PROJECT_ROOT / "tracker" / "parcours.min.js"


@dataclass(frozen=True)
class Script:
    body: bytes
    gzipped: bytes
    etag: str


@functools.lru_cache(maxsize=1)
def _template() -> str:
    return BUILD.read_text()


def render(template: str, property_id: str, endpoint: str) -> bytes:
    # json.dumps yields a quoted, escaped JS string literal; the build's quoted placeholder is replaced with it.
    script = template.replace('"__PARCOURS_PROPERTY__"', json.dumps(property_id))
    return script.replace('"__PARCOURS_ENDPOINT__"', json.dumps(endpoint)).encode()


@functools.lru_cache(maxsize=4096)
def script(property_id: str, endpoint: str) -> Script:
    body = render(_template(), property_id, endpoint)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Script(body=body, gzipped=gzip.compress(body, 9, mtime=0), etag=etag)
