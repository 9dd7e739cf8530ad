"""Token buckets per key, in memory: per client address on the collect path, per address and
per account on the login form.

On the collect path it is generous by default, because one address can be a whole school or
office behind NAT; its job is to stop one client from flooding the spool, not to shape normal
traffic. Each process keeps its own buckets, so N processes allow up to N times the rate.
"""

from __future__ import annotations

import time

# Beyond this many tracked addresses, idle (full) buckets are forgotten.
MAX_ADDRESSES = 100_000


class RateLimiter:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def allow(self, address: str, now: float | None = None) -> bool:
        """Take one token from `address`'s bucket; False when it is empty."""
        if self.rate <= 0:
            return True
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self._buckets[address] = (tokens - 1 if allowed else tokens, now)
        if len(self._buckets) > MAX_ADDRESSES:
            self._forget_idle(now)
        return allowed

    def _forget_idle(self, now: float) -> None:
        # A bucket untouched for burst/rate seconds is full again: forgetting it changes nothing.
        refill = self.burst / self.rate
        self._buckets = {a: b for a, b in self._buckets.items() if now - b[1] < refill}
        if len(self._buckets) > MAX_ADDRESSES:  # a flood of distinct addresses: start afresh
            self._buckets.clear()
