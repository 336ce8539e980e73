"""Control requests paced like the gates' statements (attack y34o, finding 1).

Every control request runs on the one event loop that relays every session. A connection used to
run each line of a received chunk at once, back to back: 30 `audit` requests (1.8 KB) from one
supervisor froze every session for ~10 s, and a lock sent meanwhile ended its session 10 s late.

So a connection's requests wait in a queue of at most MAX_WAITING (more are refused, each with an
error reply, audited as `control.refused` kind `too many requests`: the first of a minute, then a
count; at most MAX_WAITING of them each time the queue fills, the lines after them wait unsplit
until it has room: a36o, finding 1); reading stops while the queue is full or while more than
REPLY_HIGH_WATER bytes of replies wait unsent (a client that does not read its replies sends no
more requests). The queue is worked off a task: at most SLICE seconds of requests per pass of
the loop, at most REQUEST_RATE a second after a burst of REQUEST_BURST, and the loop time one
person's requests take (all their connections together) is metered as judging time is
(runtime.judging: a bucket of ACTOR_BURST seconds refilled at ACTOR_RATE a second); an urgent
request (URGENT: lock, kill, revoke...) does not wait for that bucket. Once the connection is
closed (its actor refused, locked, removed, or the client gone), nothing more is handled: what
waited is dropped and counted in one row. Honest clients (the CLI, the console) send one
request and wait for its reply.

What remains: one request still runs to its end (an `audit` of 1000 rows: a few tenths of a
second; its reads are bounded per request, a10o), and N people flooding together take N times
ACTOR_RATE.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bastion.control.protocol import ProtocolError
from bastion.runtime.judging import JudgingBudget

if TYPE_CHECKING:
    from bastion.control.operations import ControlConnection

log = logging.getLogger("bastion.control.pacing")

MAX_WAITING = 32             # requests a connection may have waiting; more are refused
REQUEST_RATE = 20.0          # requests handled a second per connection, after
REQUEST_BURST = 40.0         # a burst of this many
SLICE = 0.005                # seconds of one connection's requests per pass of the loop
REPLY_HIGH_WATER = 1 << 20   # unsent reply bytes above which no request is handled or read
DRAIN_POLL = 0.05            # seconds between looks at a full reply buffer
ACTOR_RATE = 0.1             # seconds of the loop one person's control requests take a second
ACTOR_BURST = 0.25           # ... after a burst of this many seconds
URGENT = frozenset({"lock", "kill", "revoke", "reject", "unwatch"})
BUSY = f"too many requests waiting (at most {MAX_WAITING}): request refused"


def budget_of(app: Any) -> JudgingBudget:
    """The server's one meter of control time per person (kept on the runtime)."""
    budget = getattr(app, "control_budget", None)
    if budget is None:
        budget = JudgingBudget(person_rate=ACTOR_RATE, person_burst=ACTOR_BURST)
        app.control_budget = budget
    return budget


def _peek(item: bytes | ProtocolError, key: str) -> Any:
    """A field of a request line, None when it has none (or is no JSON object)."""
    if isinstance(item, ProtocolError):
        return None
    try:
        message = json.loads(item)
    except (ValueError, RecursionError):
        return None
    return message.get(key) if isinstance(message, dict) else None


class Pacer:
    """The queue of one control connection's requests and the task that works it off."""

    def __init__(self, conn: ControlConnection, pause: Callable[[], None] | None,
                 resume: Callable[[], None] | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.conn = conn
        self.waiting: deque[bytes | ProtocolError] = deque()
        self._pause, self._resume = pause, resume
        self.paused = False
        self.eof = False
        self.task: asyncio.Task | None = None
        self.clock = clock
        self.tokens, self.at = REQUEST_BURST, clock()
        self.budget = budget_of(conn.app)

    def pull(self) -> None:
        """Lines read: as many as there is room for are queued; past that, at most MAX_WAITING
        more are refused (each with its error reply) and the rest wait unsplit in the reader,
        reading paused, until the queue has room again. Every line of a read used to be refused
        at once, outside every meter: one 32 KiB read of `1` lines was 16,000 replies and a
        quarter of a second of the loop (attack a36o, finding 1); now a read costs at most
        MAX_WAITING refusals, and the next ones wait for requests handled at the paced rate."""
        if self.conn.closed:
            return
        reader = self.conn.reader
        room = MAX_WAITING - len(self.waiting)
        if room > 0:
            self.waiting.extend(reader.lines(room))
        if len(self.waiting) >= MAX_WAITING:
            refused = reader.lines(MAX_WAITING)
            for item in refused:
                self.conn.send({"id": _peek(item, "id"), "ok": False, "error": BUSY})
            if refused:
                self.conn.note("control.refused", "too many requests", reason=BUSY,
                               lines=len(refused))
            self.pause()
        if self.waiting and self.task is None and not self.conn.closed:
            self.task = asyncio.get_running_loop().create_task(self._run())

    def _room(self) -> bool:
        """The queue has room: lines waiting unsplit come first; reading goes on once none
        does. True when requests wait to be handled."""
        self.pull()
        if not self.conn.reader.complete():
            self.resume()
        return bool(self.waiting)

    def pause(self) -> None:
        if not self.paused and self._pause is not None:
            self.paused = True
            self._pause()

    def resume(self) -> None:
        if self.paused and self._resume is not None and not self.conn.closed:
            self.paused = False
            self._resume()

    def discard(self) -> int:
        """Drop what waits (the connection closed), queued or unsplit: how many lines."""
        count = len(self.waiting) + self.conn.reader.complete()
        self.waiting.clear()
        self.conn.reader.clear()
        return count

    def _rate_wait(self) -> float:
        now = self.clock()
        self.tokens = min(REQUEST_BURST, self.tokens + (now - self.at) * REQUEST_RATE)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / REQUEST_RATE

    def _wait(self) -> float:
        """Seconds before the next request may run: the reply buffer, the rate, the person."""
        if self.conn.unsent() > REPLY_HIGH_WATER:
            self.pause()
            return DRAIN_POLL
        wait = self._rate_wait()
        if wait == 0:
            wait = self.budget.wait(self.conn.actor)
            if wait > 0 and _peek(self.waiting[0], "op") in URGENT:
                wait = 0.0
        return wait

    async def _run(self) -> None:
        spent = 0.0
        try:
            while not self.conn.closed:
                if not self.waiting:  # done, once reading goes on (a reply may still wait unread)
                    if not self.paused or self.conn.unsent() <= REPLY_HIGH_WATER:
                        if self._room():
                            continue
                        break
                    await asyncio.sleep(DRAIN_POLL)
                    continue
                wait = self._wait()
                if wait > 0:
                    spent = 0.0
                    await asyncio.sleep(wait)
                    continue
                item = self.waiting.popleft()
                self.tokens -= 1
                started = self.clock()
                self.conn.handle_item(item)
                took = self.clock() - started
                self.budget.spend(self.conn.actor, took)
                spent += took
                if len(self.waiting) <= MAX_WAITING // 2 and self.conn.unsent() <= REPLY_HIGH_WATER:
                    self._room()
                if spent >= SLICE:
                    spent = 0.0
                    await asyncio.sleep(0)  # the other sessions' turn
        except Exception:  # the door must not hang on a bug: close it
            log.exception("control requests failed")
            self.conn.connection_lost()
        finally:
            self.task = None
            if self.conn.closed:
                self.conn.dropped_waiting()
            elif self.eof and not self.waiting:
                self.conn.eof_received()
