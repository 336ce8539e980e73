"""The console's views, one per tab: live sessions, access requests, held commands, the audit trail,
and ended sessions to replay. Each shows what the app fetched and turns keys into app actions;
none talks to the bastion itself.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from bastion.text import shown_command, visible
from tui.tables import Clock, Column, Record, RecordTable, clip, clock_time, countdown, span

if TYPE_CHECKING:
    from tui.app import SupervisorApp

GRANT_WARNING = 300   # seconds left on a grant below which the countdown turns red
HELD_WARNING = 30     # seconds left to decide a held command below which it turns red


def access(r: Record, now: float) -> str:
    return f"{r.get('login', '?')}@{r.get('target', '?')}"


def session_flags(r: Record, now: float) -> Text:
    """What needs a supervisor's eye: flagged commands (!N), held commands, a kill under way."""
    flags = Text()
    if r.get("alerts"):
        flags.append(f"!{r['alerts']} ", style="bold yellow")
    if r.get("held"):
        flags.append("held ", style="bold magenta")
    if r.get("kill_requested"):
        flags.append("ending", style="bold red")
    return flags


SESSION_COLUMNS = [
    Column("id", "ID", lambda r, now: r["id"]),
    Column("user", "USER", lambda r, now: r.get("user", "")),
    Column("access", "LOGIN@TARGET", access),
    Column("ticket", "TICKET", lambda r, now: r.get("ticket", "")),
    Column("started", "STARTED", lambda r, now: clock_time(r.get("started"))),
    Column("duration", "FOR", lambda r, now: span(now - r["started"]) if r.get("started") else "-"),
    Column("left", "LEFT", lambda r, now: countdown(r.get("grant_ends"), now,
                                                    warn_below=GRANT_WARNING)),
    Column("flags", "FLAGS", session_flags),
    Column("last", "LAST COMMAND", lambda r, now: shown_command(r.get("last_command") or "", 30)),
]

REQUEST_COLUMNS = [
    Column("id", "ID", lambda r, now: r["id"]),
    Column("user", "USER", lambda r, now: r.get("user", "")),
    Column("access", "LOGIN@TARGET", access),
    Column("ticket", "TICKET", lambda r, now: r.get("ticket", "")),
    Column("for", "FOR", lambda r, now: span(r.get("duration"))),
    Column("asked", "ASKED", lambda r, now: clock_time(r.get("created"))),
    Column("expires", "EXPIRES", lambda r, now: countdown(r.get("expires"), now, warn_below=60)),
    Column("reason", "REASON", lambda r, now: clip(r.get("reason"), 40)),
]

HELD_COLUMNS = [
    Column("id", "ID", lambda r, now: r["id"]),
    Column("session", "SESSION", lambda r, now: r.get("session_id", "")),
    Column("user", "USER", lambda r, now: r.get("user", "")),
    Column("left", "LEFT", lambda r, now: countdown(r.get("deadline"), now,
                                                    warn_below=HELD_WARNING)),
    Column("waiting", "WAITING", lambda r, now: span(now - r["since"]) if r.get("since") else "-"),
    Column("rule", "RULE", lambda r, now: r.get("rule") or "-"),
    Column("command", "COMMAND", lambda r, now: shown_command(r.get("command") or "", 48)),
]


def held_notice(held: Record) -> str:
    """The text of the notice that a command waits for a decision: who, where, the command
    (`shown_command`, 60 characters) and the key that decides."""
    return (f"{visible(str(held.get('user', '?')))} on {visible(str(held.get('session_id', '?')))}:"
            f" {shown_command(str(held.get('command', '')), 60)}\npress 3 to decide")


def event_details(r: Record, now: float) -> str:
    data = r.get("data") or {}
    if not isinstance(data, dict):
        return clip(str(data), 60)
    # `node` and `access` (the session's user, target, ...) are on every event of their kind:
    # shown first, they would push the event's own details out of the column.
    parts = [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in data.items()
             if v not in (None, "", [], {}) and k not in ("node", "access")]
    return clip(" ".join(parts), 60)


def event_time(epoch: float | None) -> str:
    return time.strftime("%m-%d %H:%M:%SZ", time.gmtime(epoch)) if epoch else "-"


EVENT_COLUMNS = [
    Column("seq", "SEQ", lambda r, now: str(r.get("seq", ""))),
    Column("at", "TIME", lambda r, now: event_time(r.get("at"))),
    Column("type", "TYPE", lambda r, now: r.get("type", "")),
    Column("actor", "ACTOR", lambda r, now: r.get("actor", "")),
    Column("details", "DETAILS", event_details),
]

ENDED_COLUMNS = [
    Column("id", "ID", lambda r, now: r["id"]),
    Column("user", "USER", lambda r, now: r.get("user", "")),
    Column("access", "LOGIN@TARGET", access),
    Column("ticket", "TICKET", lambda r, now: r.get("ticket", "")),
    Column("started", "STARTED", lambda r, now: clock_time(r.get("started"))),
    Column("lasted", "LASTED", lambda r, now: span((r.get("ended") or now) - r["started"])
           if r.get("started") else "-"),
    Column("state", "STATE", lambda r, now: r.get("state", "")),
    Column("reason", "END REASON", lambda r, now: clip(r.get("end_reason"), 40)),
]


class RecordView(Vertical):
    """A table of records with a one-line note under it (what is shown, or that there is nothing)."""

    COLUMNS: list[Column] = []
    EMPTY = "nothing here"

    def __init__(self, clock: Clock, *, id: str) -> None:
        super().__init__(id=id)
        self.clock = clock

    @property
    def supervisor(self) -> SupervisorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield RecordTable(self.COLUMNS, self.clock, id=f"{self.id}-table")
        yield Static("loading…", classes="note", markup=False)

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def show(self, records: list[Record]) -> None:
        self.table.show(records)
        self.query_one(".note", Static).update(self.note(records))

    def note(self, records: list[Record]) -> str:
        return "" if records else self.EMPTY

    def tick(self) -> None:
        self.table.tick()

    def selected(self) -> Record | None:
        record = self.table.selected
        if record is None:
            self.app.notify("nothing selected", severity="warning", timeout=3)
        return record


class SessionsView(RecordView):
    """Live sessions: who is where, for how long, how long the grant has left, what they last ran."""

    COLUMNS = SESSION_COLUMNS
    EMPTY = "no live sessions"
    BINDINGS = [
        Binding("enter", "watch", "watch", priority=True),
        Binding("k", "kill", "kill"),
        Binding("r", "revoke", "revoke"),
        Binding("l", "lock", "lock user"),
    ]

    def show_sessions(self, sessions: list[Record], held: list[Record]) -> None:
        waiting = Counter(h.get("session_id") for h in held)
        self.show([{**s, "held": waiting.get(s["id"], 0)} for s in sessions])

    def note(self, records: list[Record]) -> str:
        if not records:
            return self.EMPTY
        return f"{len(records)} live · enter watch · k kill · r revoke ticket · l lock user"

    def action_watch(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.watch(record)

    def action_kill(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.kill(record)

    def action_revoke(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.revoke(record)

    def action_lock(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.lock(record)


class RequestsView(RecordView):
    """Pending access requests, with their ticket and reason."""

    COLUMNS = REQUEST_COLUMNS
    EMPTY = "no pending requests"
    BINDINGS = [Binding("a", "approve", "approve"), Binding("d", "deny", "deny")]

    def note(self, records: list[Record]) -> str:
        return f"{len(records)} pending · a approve · d deny" if records else self.EMPTY

    def action_approve(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.approve(record)

    def action_deny(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.deny(record)


class HeldView(RecordView):
    """Commands held for a supervisor's confirmation, with the time left before they are rejected."""

    COLUMNS = HELD_COLUMNS
    EMPTY = "no commands waiting for confirmation"
    BINDINGS = [Binding("c", "confirm", "confirm"), Binding("x", "reject", "reject")]

    def note(self, records: list[Record]) -> str:
        return f"{len(records)} waiting · c confirm · x reject" if records else self.EMPTY

    def action_confirm(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.confirm_held(record)

    def action_reject(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.reject_held(record)


class AuditView(RecordView):
    """The newest audit events, filtered by type, and whether the hash chain verifies."""

    COLUMNS = EVENT_COLUMNS
    EMPTY = "no events"
    BINDINGS = [Binding("slash", "filter", "filter", key_display="/")]

    def __init__(self, clock: Clock, *, id: str) -> None:
        super().__init__(clock, id=id)
        self.events: list[Record] = []
        self.asked_type: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="verify")
        yield Input(placeholder="filter by type (enter asks the bastion): session. control.action",
                    id="audit-filter")
        yield from super().compose()

    def show_audit(self, events: list[Record], verify: dict[str, Any], asked_type: str | None) -> None:
        self.events = [{**e, "id": e.get("seq")} for e in events]
        self.asked_type = asked_type
        if verify.get("ok"):
            more = "" if verify.get("complete", True) else " so far (checking the rest)"
            status = Text(f"✓ audit chain verifies: {verify.get('rows', 0)} events{more}", style="green")
        else:
            status = Text(f"✗ AUDIT CHAIN BROKEN: {verify.get('problem')}", style="bold red")
        self.query_one("#verify", Static).update(status)
        self.apply_filter()

    def apply_filter(self) -> None:
        text = self.query_one("#audit-filter", Input).value.strip()
        shown = [e for e in self.events if text in str(e.get("type", ""))]
        self.table.replace(shown)
        self.query_one(".note", Static).update(self.note(shown))

    def note(self, records: list[Record]) -> str:
        scope = f"type {self.asked_type}" if self.asked_type else "all types"
        return f"{len(records)} of the newest {len(self.events)} events ({scope}) · / filter"

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.supervisor.refresh_audit(event.value.strip() or None)
        self.table.focus()

    def action_filter(self) -> None:
        self.query_one("#audit-filter", Input).focus()


class ReplayView(RecordView):
    """Ended sessions, newest first, to play back."""

    COLUMNS = ENDED_COLUMNS
    EMPTY = "no ended sessions"
    BINDINGS = [Binding("enter", "play", "play", priority=True)]

    def show(self, records: list[Record]) -> None:
        """Newest first: the listing is redrawn in the order given."""
        self.table.replace(records)
        self.query_one(".note", Static).update(self.note(records))

    def note(self, records: list[Record]) -> str:
        return f"{len(records)} ended · enter play" if records else self.EMPTY

    def action_play(self) -> None:
        if (record := self.selected()) is not None:
            self.supervisor.replay(record)
