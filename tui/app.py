"""The supervisor console (`bastion tui`): live sessions, requests, held commands, audit, replay.

A client of the control protocol only. `SupervisorApp(connect)` takes a connector (see
`tui.connection`), so tests drive it against a real bastion's socket, or a stand-in client for
pictures of the views. Every action asks first and sends a reason; the bastion audits it under
the supervisor's name (local:NAME on the socket, the user name over SSH).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.timer import Timer
from textual.widgets import Footer, Static, TabbedContent, TabPane

from bastion.control.protocol import ControlError
from bastion.text import visible
from tui.connection import (
    Client,
    ConnectionProblem,
    Connector,
    local_connector,
    socket_path,
    split_destination,
    ssh_connector,
)
from tui.dialogs import DEFAULT_REASON, ActionDialog, CodeDialog, HelpScreen
from tui.replay import ReplayScreen
from tui.tables import Clock, RecordTable
from tui.views import AuditView, HeldView, RecordView, ReplayView, RequestsView, SessionsView, held_notice
from tui.watch import WatchScreen

REFRESH_SECONDS = 5.0
AUDIT_LIMIT = 200     # events per audit fetch: the reply stays one modest protocol line
VIEWS = Binding.Group("views", compact=True)
EVENT_SETTLE = 0.2    # seconds to gather a burst of events before refreshing
HELD_NOTICE_SECONDS = 15
SESSION_EVENTS = ("output", "resync", "resize", "command", "verdict", "session_ended")


class SupervisorApp(App[None]):
    """The console. `failure` holds the one-line reason when it ended because of the connection."""

    CSS_PATH = "app.tcss"
    TITLE = "bastion supervisor console"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("1", "view('sessions')", "sessions", group=VIEWS),
        Binding("2", "view('requests')", "requests", group=VIEWS),
        Binding("3", "view('held')", "held", group=VIEWS),
        Binding("4", "view('audit')", "audit", group=VIEWS),
        Binding("5", "view('replay')", "replay", group=VIEWS),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("q", "quit", "quit"),
    ]

    class BastionEvent(Message):
        """An event the bastion pushed (session_started, output, command_held, ...)."""

        def __init__(self, event: dict[str, Any]) -> None:
            super().__init__()
            self.event = event

    def __init__(self, connect: Connector, *, ask_code: str | None = None,
                 clock: Clock = time.time, tick_seconds: float = 1.0) -> None:
        super().__init__()
        self.connector = connect
        self.ask_code = ask_code
        self.clock = clock
        self.tick_seconds = tick_seconds
        self._client: Client | None = None
        self.failure: str | None = None
        self._refresh_timer: Timer | None = None
        self.held_notices: dict[str, Notification] = {}

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE + " · connecting…", id="banner")
        with TabbedContent(initial="sessions", id="views"):
            with TabPane("1 Sessions", id="sessions"):
                yield SessionsView(self.clock, id="sessions-view")
            with TabPane("2 Requests", id="requests"):
                yield RequestsView(self.clock, id="requests-view")
            with TabPane("3 Held", id="held"):
                yield HeldView(self.clock, id="held-view")
            with TabPane("4 Audit", id="audit"):
                yield AuditView(self.clock, id="audit-view")
            with TabPane("5 Replay", id="replay"):
                yield ReplayView(self.clock, id="replay-view")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sessions-view-table").focus()
        if self.ask_code:
            self.push_screen(CodeDialog(self.ask_code), self._code_entered)
        else:
            self.connect(None)

    def _code_entered(self, code: str | None) -> None:
        if code is None:
            self.fail("no TOTP code given")
        else:
            self.connect(code)

    # -- the connection ------------------------------------------------------------------------

    @property
    def client(self) -> Client:
        if self._client is None:
            raise ControlError("not connected to the bastion")
        return self._client

    @work(exclusive=True, group="connect")
    async def connect(self, code: str | None) -> None:
        try:
            self._client = await self.connector(self._received, code)
        except ConnectionProblem as exc:
            self.fail(str(exc))
            return
        actor = (getattr(self._client, "hello", None) or {}).get("actor", "?")
        self.query_one("#banner", Static).update(Text(f"{self.TITLE} · acting as {visible(actor)}"))
        self.refresh_all()
        self.set_interval(self.tick_seconds, self.tick)
        self.set_interval(REFRESH_SECONDS, self.refresh_all)
        closed = getattr(self._client, "closed", None)
        if isinstance(closed, asyncio.Event):
            await closed.wait()
            if self.is_running and self.return_code is None:
                farewell = getattr(self._client, "farewell", None)
                self.fail("the bastion closed the control connection"
                          + (f": {farewell}" if farewell else ""))

    def fail(self, reason: str) -> None:
        """End the console with a one-line reason (main prints it and exits 1)."""
        self.failure = reason
        self.exit(None, return_code=1)

    def _received(self, event: dict[str, Any]) -> None:
        # Called from the client's reader task: hand over to the app's message loop.
        self.post_message(self.BastionEvent(event))

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.close()

    # -- events pushed by the bastion ----------------------------------------------------------

    def on_supervisor_app_bastion_event(self, message: BastionEvent) -> None:
        event = message.event
        kind = event.get("event")
        if kind in SESSION_EVENTS:
            for screen in self.screen_stack:
                if isinstance(screen, WatchScreen) and screen.session_id == event.get("session"):
                    screen.handle(event)
        if kind == "command_held":
            self.notice_held(event.get("held") or {})
        elif kind == "held_resolved":
            self.forget_held_notices(still_pending=set(self.held_notices) - {event.get("held")})
        elif kind == "request_created":
            request = event.get("request") or {}
            self.notify(f"{_field(request, 'user')}: {_field(request, 'login')}@"
                        f"{_field(request, 'target')} for {_field(request, 'ticket')}\n"
                        "press 2 to decide",
                        title=f"access request {_field(request, 'id')}", timeout=10, markup=False)
        if kind in ("session_started", "session_ended", "request_created", "request_decided",
                    "command_held", "held_resolved", "revoked", "command", "verdict"):
            self.refresh_soon()

    def notice_held(self, held: dict[str, Any]) -> None:
        """A notice, on any screen, that a command waits for a decision; it goes once the
        command is decided (`forget_held_notices`), wherever it was decided."""
        # App.notify gives no handle on the notice it raises, and this one must be taken down
        # when the command is decided: raised here, taken down with App._unnotify, as Textual's
        # own toasts take theirs down when they time out.
        notification = Notification(
            held_notice(held),
            title=f"command held ({visible(str(held.get('id', '?')))})", severity="warning",
            timeout=HELD_NOTICE_SECONDS, markup=False)
        self.post_message(Notify(notification))
        self.held_notices[str(held.get("id"))] = notification

    def forget_held_notices(self, still_pending: set[str]) -> None:
        """Take down the notices of held commands no longer pending."""
        for held_id in [h for h in self.held_notices if h not in still_pending]:
            notification = self.held_notices.pop(held_id)
            if notification in self._notifications:
                self._unnotify(notification)

    def refresh_soon(self) -> None:
        """Refresh shortly: a burst of events costs one round of requests, not one each."""
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(EVENT_SETTLE, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_timer = None
        self.refresh_all()

    # -- fetching ------------------------------------------------------------------------------

    @work(exclusive=True, group="refresh")
    async def refresh_all(self) -> None:
        """Fetch sessions, requests and held commands (and the tab on show, if it needs more)."""
        try:
            sessions = (await self.client.request("sessions"))["sessions"]
            requests = (await self.client.request("requests"))["requests"]
            held = (await self.client.request("held"))["held"]
            self.query_one(SessionsView).show_sessions(sessions, held)
            self.query_one(RequestsView).show(requests)
            self.query_one(HeldView).show(held)
            self.forget_held_notices(still_pending={str(h.get("id")) for h in held})
            self._label("sessions", "1 Sessions", len(sessions))
            self._label("requests", "2 Requests", len(requests))
            self._label("held", "3 Held", len(held))
            active = self.query_one(TabbedContent).active
            if active == "replay":
                await self._fetch_ended()
            elif active == "audit":
                await self._fetch_audit(self.query_one(AuditView).asked_type)
        except ControlError as exc:
            self.notify(f"refresh failed: {visible(str(exc))}", severity="error", timeout=5,
                        markup=False)
        except NoMatches:
            pass  # the console closed while the answers were on their way

    def _label(self, pane: str, name: str, count: int) -> None:
        label = Text(name)
        if count:
            label.append(f" ({count})", style="bold")
        self.query_one(TabbedContent).get_tab(pane).label = label

    @work(exclusive=True, group="audit")
    async def refresh_audit(self, event_type: str | None = None) -> None:
        try:
            await self._fetch_audit(event_type)
        except ControlError as exc:
            self.notify(f"audit: {visible(str(exc))}", severity="error", timeout=5, markup=False)
        except NoMatches:
            pass  # the console closed while the answer was on its way

    async def _fetch_audit(self, event_type: str | None) -> None:
        fields: dict[str, Any] = {"limit": AUDIT_LIMIT}
        if event_type:
            fields["type"] = event_type
        reply = await self.client.request("audit", **fields)
        self.query_one(AuditView).show_audit(reply["events"], reply.get("verify") or {}, event_type)

    @work(exclusive=True, group="ended")
    async def refresh_ended(self) -> None:
        try:
            await self._fetch_ended()
        except ControlError as exc:
            self.notify(f"sessions: {visible(str(exc))}", severity="error", timeout=5,
                        markup=False)
        except NoMatches:
            pass  # the console closed while the answer was on its way

    async def _fetch_ended(self) -> None:
        rows = (await self.client.request("sessions", all=True))["sessions"]
        ended = [r for r in rows if r.get("state") != "active"]
        ended.sort(key=lambda r: r.get("ended") or r.get("started") or 0, reverse=True)
        self.query_one(ReplayView).show(ended)

    def tick(self) -> None:
        """Recompute the durations and countdowns (the audit's times do not move)."""
        for table in self.query(RecordTable):
            if table.id != "audit-view-table":
                table.tick()

    # -- switching views -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The views are tabs of the main screen: over a watched or replayed session they would
        # switch something nobody can see.
        if action == "view" and len(self.screen_stack) > 1:
            return False
        return True

    def action_view(self, name: str) -> None:
        self.query_one(TabbedContent).active = name

    @on(TabbedContent.TabActivated)
    def _view_shown(self, event: TabbedContent.TabActivated) -> None:
        name = event.pane.id or ""
        view = self.query_one(f"#{name}-view", RecordView)
        view.table.focus()
        if self._client is None:
            return
        if name == "audit":
            self.refresh_audit(view.asked_type)  # type: ignore[attr-defined]
        elif name == "replay":
            self.refresh_ended()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # -- actions (each asks first, then sends its reason) --------------------------------------

    def ask_then(self, question: str, detail: str, op: str, done: str, *,
                 ask_reason: bool = False, **fields: Any) -> None:
        """Show the confirmation; on yes, send `op` with the fields and the reason given."""

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.send(op, done, {**fields, "reason": reason})

        reason = "" if ask_reason else DEFAULT_REASON
        self.push_screen(ActionDialog(question, detail, reason=reason, ask_reason=ask_reason),
                         answered)

    @work(group="actions")
    async def send(self, op: str, done: str, fields: dict[str, Any]) -> None:
        try:
            await self.client.request(op, **fields)
        except ControlError as exc:
            self.notify(f"{op} refused: {visible(str(exc))}", severity="error", timeout=8,
                        markup=False)
            return
        self.notify(done, timeout=5, markup=False)
        self.refresh_soon()

    # Questions and details quote records, so each field goes through `_field` (spelled out);
    # the dialog shows them as plain text, never markup.

    def kill(self, s: dict[str, Any]) -> None:
        self.ask_then(f"Kill session {_field(s, 'id')}?", _who(s), "kill",
                      f"session {_field(s, 'id')} killed", session=s["id"])

    def revoke(self, s: dict[str, Any]) -> None:
        self.ask_then(f"Revoke ticket {_field(s, 'ticket')}?",
                      "Every grant and certificate for this ticket stops working, and the "
                      f"sessions using them end.\n{_who(s)}", "revoke",
                      f"ticket {_field(s, 'ticket')} revoked", ticket=s.get("ticket"))

    def lock(self, s: dict[str, Any]) -> None:
        self.ask_then(f"Lock user {_field(s, 'user')}?",
                      "They cannot log in again and their live sessions end.", "lock",
                      f"user {_field(s, 'user')} locked", user=s.get("user"))

    def approve(self, r: dict[str, Any]) -> None:
        self.ask_then(f"Approve request {_field(r, 'id')}?", _asked(r), "approve",
                      f"request {_field(r, 'id')} approved", request=r["id"])

    def deny(self, r: dict[str, Any]) -> None:
        self.ask_then(f"Deny request {_field(r, 'id')}? The requester reads the reason.",
                      _asked(r), "deny", f"request {_field(r, 'id')} denied", ask_reason=True,
                      request=r["id"])

    def confirm_held(self, h: dict[str, Any]) -> None:
        self.ask_then(f"Let {_field(h, 'user')} run this on {_field(h, 'session_id')}?",
                      _field(h, "command", ""), "confirm",
                      f"held command {_field(h, 'id')} confirmed", held=h["id"])

    def reject_held(self, h: dict[str, Any]) -> None:
        self.ask_then(f"Reject {_field(h, 'user')}'s command on {_field(h, 'session_id')}?",
                      _field(h, "command", ""), "reject", f"held command {_field(h, 'id')} rejected",
                      ask_reason=True, held=h["id"])

    def watch(self, s: dict[str, Any]) -> None:
        self.push_screen(WatchScreen(s))

    @work(group="actions")
    async def unwatch(self, session_id: str) -> None:
        try:
            await self.client.request("unwatch", session=session_id)
        except ControlError:
            pass  # the session or the connection is gone: nothing is being watched either way

    def replay(self, s: dict[str, Any]) -> None:
        self.push_screen(ReplayScreen(s))


def _field(record: dict[str, Any], key: str, missing: str = "?") -> str:
    """A record's field as text to show: hidden characters spelled out (a newline in a reason
    must not start a line of the dialog)."""
    value = record.get(key)
    return visible(missing if value is None else str(value))


def _who(s: dict[str, Any]) -> str:
    return (f"{_field(s, 'user')} as {_field(s, 'login')}@{_field(s, 'target')}, ticket "
            f"{_field(s, 'ticket')}")


def _asked(r: dict[str, Any]) -> str:
    return (f"{_field(r, 'user')} wants {_field(r, 'login')}@{_field(r, 'target')} for ticket "
            f"{_field(r, 'ticket')}\nreason: {_field(r, 'reason')}")


@contextlib.contextmanager
def terminal_on_stderr() -> Iterator[bool]:
    """Textual draws on standard error. With it redirected (`bastion tui 2>log`) the console
    would be drawn into the file and the terminal stay blank: for the app's run, standard error
    is the terminal that standard output or input is, and afterwards the redirected stream
    again (which gets the console's last words). Yields False when none of them is a terminal."""
    if os.isatty(2):
        yield True
        return
    tty = next((fd for fd in (1, 0) if os.isatty(fd)), None)
    if tty is None:
        yield False
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        # The tty's own device, opened for writing: fd 0 may be open read-only.
        terminal = os.open(os.ttyname(tty), os.O_RDWR | os.O_NOCTTY)
        try:
            os.dup2(terminal, 2)
        finally:
            os.close(terminal)
        yield True
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def main(args: argparse.Namespace) -> int:
    """`bastion tui`: the local socket, or --connect USER@HOST (key, then a TOTP code asked here)."""
    try:
        if args.connect:
            user, host = split_destination(args.connect)
            connect = ssh_connector(host, args.port, user, identity=args.identity,
                                    known_hosts=getattr(args, "known_hosts", None))
            app = SupervisorApp(connect, ask_code=f"TOTP code for {user}@{host}:{args.port}")
        else:
            path = socket_path(args.home)
            if not path.exists():
                raise ConnectionProblem(f"cannot reach the bastion: no control socket at {path}"
                                        " (is `bastion serve` running, with this --home?)")
            app = SupervisorApp(local_connector(path))
    except ConnectionProblem as exc:
        print(f"bastion tui: {visible(str(exc))}", file=sys.stderr)
        return 1
    with terminal_on_stderr() as usable:
        if not usable:
            print("bastion tui: needs a terminal (standard input, output or error)",
                  file=sys.stderr)
            return 1
        app.run()
    if app.failure:
        print(f"bastion tui: {visible(app.failure)}", file=sys.stderr)
        return 1
    return 0
