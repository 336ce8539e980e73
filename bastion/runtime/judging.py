"""Judging time shared fairly between people (attack K, finding 4).

Every statement is judged on the one event loop that relays every session, and a statement may
cost up to the policy's work bound (`policy.MAX_WORK`, a few tenths of a second). The bound
holds one statement, not how many: a person who pipes costly statements into `bash` on ten
channels, or several people at once, held the loop for seconds, and every other session's
keystrokes waited (a quiet user's `ssh web01 echo busy` took 14 s instead of 0.4 s).

So judging time is metered per person, and with it the recording of each verdict (a `commands`
row, an audit event: attack L, finding 5, thousands of `true` lines cheap to judge slowed
everyone's logins) and the reading of a line off the terminal model (Judge.metered): a bucket
of `PERSON_BURST` seconds that refills at `PERSON_RATE` seconds per second. A gate asks
`wait(person)` before it judges and gives back what the judging took (`spend`); while the
person's bucket is empty their gates wait (the client paused, nothing held and nothing
refused), so one person takes at most about PERSON_RATE of the loop for judging, however many
channels they use (a single costly line lets them wait at most MAX_WAIT, so one costly line per
MAX_WAIT at worst). There is no shared bucket: one would make the quiet users wait for the loud
ones. Honest work stays within the burst or close to it: an everyday statement costs about 0.1
ms to judge and a few tenths of a millisecond to record, so a script of a thousand statements
waits a few seconds at most. What remains: a statement already being judged runs to its end (at
most the work bound, a few tenths of a second), and N people sending costly statements together
take N times PERSON_RATE.
Pure: the clock is passed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PERSON_RATE = 0.1   # seconds of judging per second, for one person
PERSON_BURST = 0.25  # seconds one person may judge at once before waiting
MAX_WAIT = 2.0      # the longest one person waits at once; what they owe beyond is forgiven
MAX_PEOPLE = 4096   # buckets kept; full ones are dropped first


class _Bucket:
    __slots__ = ("at", "level")

    def __init__(self, level: float, at: float) -> None:
        self.level = level
        self.at = at

    def refill(self, now: float, rate: float, burst: float) -> None:
        self.level = min(burst, self.level + (now - self.at) * rate)
        self.at = now


class JudgingBudget:
    """The buckets of judging time; see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *,
                 person_rate: float = PERSON_RATE, person_burst: float = PERSON_BURST) -> None:
        self.clock = clock
        self.person_rate, self.person_burst = person_rate, person_burst
        self.people: dict[str, _Bucket] = {}

    def _person(self, person: str, now: float) -> _Bucket:
        bucket = self.people.get(person)
        if bucket is None:
            if len(self.people) >= MAX_PEOPLE:
                for name, b in list(self.people.items()):
                    b.refill(now, self.person_rate, self.person_burst)
                    if b.level >= self.person_burst:
                        del self.people[name]
            bucket = self.people[person] = _Bucket(self.person_burst, now)
        bucket.refill(now, self.person_rate, self.person_burst)
        return bucket

    def wait(self, person: str) -> float:
        """Seconds `person` must wait before judging again: 0 while their bucket holds time, at
        most MAX_WAIT (an honest line that was costly to judge, a 2 MB paste, is not followed
        by a long silence; one person sending costly lines still takes at most about one line's
        cost per MAX_WAIT)."""
        bucket = self._person(person, self.clock())
        bucket.level = max(bucket.level, -MAX_WAIT * self.person_rate)
        return max(0.0, -bucket.level / self.person_rate)

    def spend(self, person: str, seconds: float) -> None:
        """`person`'s judging just took `seconds`."""
        self._person(person, self.clock()).level -= seconds
