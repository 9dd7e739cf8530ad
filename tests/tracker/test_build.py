"""The script Parcours serves is the minified build of tracker/parcours.js, and within budget."""

import gzip
import hashlib

from app.collect import tracker
from parcours import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "tracker" / "parcours.js"
BUDGET = 1500  # bytes, minified and gzipped (docs/benchmarks.md)


def test_the_build_is_made_from_the_current_source():
    recorded = (PROJECT_ROOT / "tracker" / "parcours.min.js.source-sha256").read_text().strip()
    assert recorded == hashlib.sha256(SOURCE.read_bytes()).hexdigest(), "run tracker/build"


def test_the_served_script_is_within_budget():
    served = tracker.script("abcdef123456", "https://stats.example.com/metrics")
    assert len(served.gzipped) < BUDGET
    assert gzip.decompress(served.gzipped) == served.body
