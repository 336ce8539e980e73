"""The event bus: what the running server pushes to control subscribers (the console, scripts),
and the waiters of held commands that a supervisor's decision wakes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bastion.access import grants, sessions
from bastion.runtime import events


class EventBus:
    """Subscribers get every event as a dict (protocol.check_event names them); a gate holding
    a command waits on `held_waiters[held_id]`. Needs `self.store` (the running server's)."""

    store: Any

    def __init__(self) -> None:
        self.subscribers: set[Callable[[dict[str, Any]], None]] = set()
        self.held_waiters: dict[str, asyncio.Event] = {}
        self.seen_requests: set[str] | None = None
        self.seen_held: set[str] | None = None
        self.seen_changes: object = None  # the store's change token when they were last read

    def publish(self, event: str, **data: Any) -> None:
        """Push `event` (one of events.EVENTS, else ValueError) to every control subscriber;
        texts longer than events.EVENT_TEXT are cut."""
        message = {"event": events.check_event(event), "at": round(time.time(), 3),
                   **events.bounded(data)}
        for subscriber in list(self.subscribers):
            subscriber(message)

    def broadcast_output(self, session_id: str | None, channel: int, data: bytes) -> None:
        if self.subscribers:
            message = {"event": "output", "session": session_id, "channel": channel, "data": data}
            for subscriber in list(self.subscribers):
                subscriber(message)

    def broadcast_resize(self, session_id: str | None, channel: int, width: int, height: int
                         ) -> None:
        """The user's terminal changed size: watchers resize their copy of the screen, or its
        rows and the cursor would no longer line up with the output."""
        if self.subscribers:
            message = {"event": "resize", "session": session_id, "channel": channel,
                       "width": width, "height": height}
            for subscriber in list(self.subscribers):
                subscriber(message)

    def held_decided(self, held_id: str) -> None:
        """A supervisor decided a held command; the gate holding it acts now."""
        waiter = self.held_waiters.get(held_id)
        if waiter is not None:
            waiter.set()

    def publish_store_changes(self) -> None:
        """Requests and held commands can change in other processes (the CLI): push the news.
        Nothing is read while the store says nothing was committed since the last look."""
        changes = self.store.changes()
        if changes == self.seen_changes:
            return
        pending = grants.pending_requests(self.store)
        held = {r["id"]: r for r in sessions.list_held(self.store)}
        if self.seen_requests is not None:
            for rid in pending.keys() - self.seen_requests:
                self.publish("request_created", request=pending[rid])
            for rid in self.seen_requests - pending.keys():
                state, by = grants.request_decision(self.store, rid)
                self.publish("request_decided", request=rid, state=state, by=by)
        if self.seen_held is not None:
            for hid in held.keys() - self.seen_held:
                self.publish("command_held", held=held[hid])
            for hid in self.seen_held - held.keys():
                self.held_decided(hid)
        self.seen_requests, self.seen_held = set(pending), set(held)
        self.seen_changes = changes
