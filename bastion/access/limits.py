"""Pre-authentication limits (pure): the rate of new connections per source address, and the
bookkeeping that keeps a flood of refusals from turning into a flood of audit rows.

Both are kept per source address in memory and swept by the server's enforcement loop, so an
attacker cycling through addresses costs a few hundred bytes per address for about a minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RATE_WINDOW = 60.0  # `connection_rate_per_source` is per this many seconds
REFUSAL_WINDOW = 60.0  # one audit row per source and reason per window, plus a count of the rest
REFUSAL_BUDGET = 100   # rows written at once per window, all sources together
MAX_SOURCES = 65536    # sources with a bucket of their own; past it, new ones share one
MANY = "(many sources)"


@dataclass
class _Bucket:
    tokens: float
    at: float


class ConnectionRate:
    """A token bucket per source: `per_minute` new connections a minute, in bursts of up to
    `per_minute`. Every attempt takes a token, refused ones too, so a client that keeps hammering
    stays refused until it slows down. `per_minute` 0: no limit."""

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, source: str, per_minute: int, now: float) -> bool:
        if per_minute <= 0:
            return True
        if source not in self._buckets and len(self._buckets) >= MAX_SOURCES:
            # A flood from very many addresses: the newcomers share one bucket, so memory stays
            # bounded and the flood as a whole is held to the rate of one source.
            source = MANY
        bucket = self._buckets.get(source)
        if bucket is None:
            bucket = self._buckets[source] = _Bucket(float(per_minute), now)
        else:
            refill = (now - bucket.at) * per_minute / RATE_WINDOW
            bucket.tokens = min(float(per_minute), bucket.tokens + max(refill, 0.0))
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        bucket.tokens = max(bucket.tokens - 1.0, -float(per_minute))
        return False

    def sweep(self, per_minute: int, now: float) -> None:
        """Forget the sources whose bucket has filled up again (they are as good as new)."""
        if per_minute <= 0:
            self._buckets.clear()
            return
        full = [s for s, b in self._buckets.items()
                if b.tokens + (now - b.at) * per_minute / RATE_WINDOW >= per_minute]
        for source in full:
            del self._buckets[source]

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass
class _Refusals:
    since: float
    more: int = 0


@dataclass
class RefusalLog:
    """Which refusals to write down now. The first refusal of a source for a reason in a window
    is written at once; the rest are counted, and `due()` hands out the counts of the windows
    that have ended, to be written as one row each. At most `budget` refusals are written at
    once per window, all sources together: past that, they are counted under MANY, so a flood
    from very many addresses costs a bounded number of rows and of entries here."""

    window: float = REFUSAL_WINDOW
    budget: int = REFUSAL_BUDGET
    _open: dict[tuple[str, str], _Refusals] = field(default_factory=dict)
    _budget_since: float | None = None
    _budget_used: int = 0

    def note(self, source: str, reason: str, now: float) -> bool:
        """True: write this refusal down now. False: it was counted."""
        entry = self._open.get((source, reason))
        if entry is not None and now - entry.since < self.window:
            entry.more += 1
            return False
        if self._budget_since is None or now - self._budget_since >= self.window:
            self._budget_since, self._budget_used = now, 0
        if self._budget_used >= self.budget:
            self._count((MANY, reason), now)
            return False
        self._budget_used += 1
        self._roll((source, reason))
        self._open[(source, reason)] = _Refusals(since=now)
        return True

    def _count(self, key: tuple[str, str], now: float) -> None:
        entry = self._open.get(key)
        if entry is None or now - entry.since >= self.window:
            self._roll(key)
            entry = self._open[key] = _Refusals(since=now)
        entry.more += 1

    def _roll(self, key: tuple[str, str]) -> None:
        """An ended window not yet handed out by due(): keep its count for it."""
        entry = self._open.get(key)
        if entry is not None and entry.more:
            self._open[(key[0], f"{key[1]}\0{entry.since}")] = entry

    def due(self, now: float) -> list[tuple[str, str, int]]:
        """(source, reason, how many more were refused) for each window that has ended."""
        out = []
        for key, entry in list(self._open.items()):
            if now - entry.since < self.window:
                continue
            del self._open[key]
            if entry.more:
                source, reason = key[0], key[1].split("\0", 1)[0]
                out.append((source, reason, entry.more))
        return out

    def __len__(self) -> int:
        return len(self._open)
