"""The per-address token bucket, driven by an explicit clock."""

import pytest

from parcours import ratelimit
from parcours.ratelimit import RateLimiter


@pytest.mark.parametrize("rate, burst, times, allowed", [
    (1.0, 3, [0, 0, 0, 0], [True, True, True, False]),          # the burst, then empty
    (1.0, 3, [0, 0, 0, 0, 1.0], [True, True, True, False, True]),  # one token back per second
    (2.0, 1, [0, 0.2, 0.5, 0.6, 1.0], [True, False, True, False, True]),
    (0.0, 1, [0, 0, 0, 0], [True, True, True, True]),          # 0 turns the limit off
])
def test_token_bucket(rate, burst, times, allowed):
    limiter = RateLimiter(rate, burst)
    assert [limiter.allow("203.0.113.1", now) for now in times] == allowed


def test_addresses_have_their_own_buckets():
    limiter = RateLimiter(1.0, 1)
    assert limiter.allow("203.0.113.1", 0) and not limiter.allow("203.0.113.1", 0)
    assert limiter.allow("203.0.113.2", 0)


@pytest.mark.parametrize("later, remembered", [
    (5.0, 1),    # the first hundred are idle (full again after burst/rate = 2 s): forgotten
    (0.5, 0),    # all 101 are recent: a flood of addresses, so it starts afresh
])
def test_memory_stays_bounded(monkeypatch, later, remembered):
    monkeypatch.setattr(ratelimit, "MAX_ADDRESSES", 100)
    limiter = RateLimiter(1.0, 2)
    for n in range(100):
        limiter.allow(f"198.51.100.{n}", 0.0)
    limiter.allow("203.0.113.1", later)
    assert len(limiter) == remembered
