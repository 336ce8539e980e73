"""Refusal accounting: a flood of refused connections, requests or channels is audited as the
first of each kind in a minute, then one row with the count (`repeated`), so that it is not also
a flood of writes to the store."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from bastion import audit
from bastion.access import limits
from bastion.text import visible

log = logging.getLogger("bastion.runtime.refusals")

RATE_SWEEP_INTERVAL = 10.0
# What refusals before a key was proven are counted under, per source: their reasons hold what
# the client sent (a user name, a certificate's label), so they are written with the first row
# and never become keys of their own (attack k20o F3).
UNPROVEN = "refused before a key was proven"


def audit_refusal(store: Any, actor: str, client_addr: str, reason: str, *, proven: bool,
                  **more: Any) -> None:
    """An authentication refusal (`auth.refused`); it stands whether or not the store takes its
    row (the log keeps it then)."""
    audit.record_or_log(store, "auth.refused", actor, client=client_addr, reason=reason,
                        proven=proven, **more)


class Refusals:
    """The per-source and per-person refusal windows and the connection rate buckets. Needs
    `self.store` and `self.config` (the running server's)."""

    store: Any
    config: Any

    def __init__(self) -> None:
        self.per_source: dict[str, int] = {}
        self.rate = limits.ConnectionRate()
        self.rate_swept = 0.0
        self.refusals = limits.RefusalLog()
        self.request_refusals = limits.RefusalLog()  # per user: a flood of refused requests
        self.user_refusals = limits.RefusalLog()  # per person, event and kind (`note_refusal`)

    def refuse_connection(self, source: str, reason: str, **detail: Any) -> None:
        """Audit and log a refusal before authentication: the first of a source and reason in a
        minute at once (with `detail`), the rest as one row with their count (`sweep_limits`),
        so that a flood of refused connections is not also a flood of writes."""
        if self.refusals.note(source, reason, time.monotonic()):
            log.warning("%s; refusing %s", reason, source)
            audit_refusal(self.store, "unknown", source, reason, proven=False, **detail)

    def refuse_unproven(self, actor: str, source: str, reason: str) -> None:
        """Audit a refusal before any key was proven (an unknown key probed or signed, a
        certificate of another CA, an invalid or illegal user name): as `refuse_connection`
        does, the first of a source in a minute at once (its actor and reason), the rest as one
        row with their count, at most RefusalLog.budget written at once a minute, all sources
        together. A refusal after a key was proven (a real person) is always a row of its own."""
        if self.refusals.note(source, UNPROVEN, time.monotonic()):
            audit_refusal(self.store, actor, source, reason, proven=False)

    def sweep_limits(self, now: float | None = None) -> None:
        """Write the counts of refusals whose minute is over (all of them with `now` = inf)."""
        now = time.monotonic() if now is None else now
        # The rate buckets (up to limits.MAX_SOURCES) are swept every few seconds, not at every
        # enforcement pass: a bucket only fills up again over a minute.
        if now - self.rate_swept >= RATE_SWEEP_INTERVAL and now != math.inf:
            self.rate_swept = now
            self.rate.sweep(self.config.server.connection_rate_per_source, now)
        for source, reason, more in self.refusals.due(now):
            log.warning("%s: refused %d more connections from %s in the last minute", reason, more,
                        source)
            audit_refusal(self.store, "unknown", source, reason, proven=False, repeated=more)
        for user, problem, more in self.request_refusals.due(now):
            log.warning("refused %d more requests of %s in the last minute", more, visible(user))
            audit.record_or_log(self.store, "request.refused", user, problem=problem,
                                repeated=more)
        for user, what, more in self.user_refusals.due(now):
            event, kind = what.split(" ", 1)
            log.warning("%s: %d more of %s (%s) in the last minute", event, more, visible(user),
                        kind)
            audit.record_or_log(self.store, event, user, kind=kind, repeated=more)

    def note_refusal(self, event: str, user: str, kind: str, **data: Any) -> None:
        """Audit a refusal to an authenticated person (a channel or forwarding request of `kind`,
        the control door, a certificate): the first of its event and kind for that person in a
        minute at once, with `data`; the rest counted, and written as one row with `repeated`
        once the minute is over (or the server stops), so that a flood of refused requests is
        not a flood of audit rows."""
        if self.user_refusals.note(user, f"{event} {kind}", time.monotonic()):
            audit.record_or_log(self.store, event, user, kind=kind, **data)
