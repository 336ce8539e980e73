"""Watching a live session: its terminal as the user sees it, and its command log beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, ScrollableContainer
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Footer, RichLog, Static

from bastion.control.protocol import ControlError, event_data
from bastion.text import visible
from tui.tables import clock_time
from tui.terminal import SIDE_LOG, ScreenModel, TerminalView

if TYPE_CHECKING:
    from tui.app import SupervisorApp

VERDICT_STYLES = {"allow": "dim", "alert": "bold yellow", "confirm": "bold magenta",
                  "deny": "bold red", "refused": "bold red"}


def command_line(event: dict[str, Any]) -> Text:
    """A `command` or `verdict` event as one log line: verdict, then the command or the reason,
    as plain text with hidden characters spelled out (what the user typed is not markup, and a
    newline or `ESC[2K` in it shows as `\\n` or `\\x1b[2K`)."""
    verdict = visible(str(event.get("verdict") or event.get("action") or event.get("event", "")))
    what = event.get("line") or event.get("command") or event.get("reason") or ""
    line = Text()
    if event.get("at"):
        line.append(clock_time(event["at"]) + " ", style="dim")
    line.append(f"{verdict:<7} ", style=VERDICT_STYLES.get(verdict, "bold"))
    line.append(visible(str(what)))
    if event.get("rule"):
        line.append(f"  ({visible(str(event['rule']))})", style="dim")
    return line


class WatchScreen(Screen[None]):
    """One live session: the watch snapshot, then its output as it comes, through a screen model.

    Output that arrives before the snapshot is applied waits, so nothing is drawn out of order.
    The whole screen is shown at the user's terminal size: the log goes beside it when both fit
    across the console, else under it, and a screen larger than the console scrolls (arrows,
    page keys, the mouse) from its top left, where full-screen programs keep their headers; `f`
    makes the view follow the cursor instead (a shell's prompt). The title says the size.
    Escape stops watching (the bastion is told, `unwatch`).
    """

    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("k", "kill", "kill"),
        Binding("r", "revoke", "revoke"),
        Binding("l", "lock", "lock user"),
        Binding("f", "follow", "follow cursor"),
    ]

    def __init__(self, session: dict[str, Any]) -> None:
        super().__init__()
        self.session = session
        self.session_id: str = session["id"]
        self.model = ScreenModel()
        self.channel: int | None = None
        self.ready = False
        self.ended = False
        self.following = False
        self.pending: list[dict[str, Any]] = []

    @property
    def supervisor(self) -> SupervisorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), id="watch-title")
        with Container(id="watch-body", classes="body"):
            with ScrollableContainer(id="terminal-frame"):
                yield TerminalView(self.model, id="terminal")
            yield RichLog(id="command-log", classes="side-log", wrap=True, min_width=16,
                          markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#terminal-frame").focus()
        self.place_log()
        self.start_watching()

    def on_resize(self) -> None:
        self.place_log()

    def title_text(self, fits: bool = True) -> Text:
        s = self.session
        title = Text(f"watching {s['id']} · ")
        title.append(visible(f"{s.get('user')} → {s.get('login')}@{s.get('target')} · "
                             f"{s.get('ticket')}"))
        title.append(f" · {self.model.width}x{self.model.height}")
        if self.following:
            title.append(" · following the cursor", style="bold")
        elif not fits:
            title.append(" · scroll to see all", style="bold yellow")
        return title

    def place_log(self) -> None:
        """The log beside the terminal when both fit across, else under it; the title tells
        the terminal's size, and whether part of it is scrolled out of sight."""
        wide = self.size.width >= self.model.width + SIDE_LOG
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")
        self.call_after_refresh(self._show_title)

    def _show_title(self) -> None:
        if self.ended or not self.is_attached:
            return
        shown = self.query_one("#terminal-frame").scrollable_content_region
        fits = shown.width >= self.model.width and shown.height >= self.model.height
        self.query_one("#watch-title", Static).update(self.title_text(fits))

    @work(exclusive=True, group="watch")
    async def start_watching(self) -> None:
        try:
            reply = await self.supervisor.client.request("watch", session=self.session_id)
        except ControlError as exc:
            if self.is_attached:
                self.query_one("#watch-title", Static).update(
                    Text(f"cannot watch {self.session_id}: {visible(str(exc))}", style="bold red"))
            return
        if not self.is_attached:
            return  # left before the snapshot came (unwatch is already on its way)
        self.apply_snapshot(reply.get("snapshot") or {})
        log = self.query_one("#command-log", RichLog)
        log.write(Text("command log", style="bold"))
        if self.session.get("last_command"):
            log.write(Text(f"last: {visible(str(self.session['last_command']))}", style="dim"))
        self.ready = True
        for event in self.pending:
            self.handle(event)
        self.pending.clear()

    def apply_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.channel = snapshot.get("channel")
        self.model.reset(int(snapshot.get("width") or 80), int(snapshot.get("height") or 24),
                         event_data(snapshot))
        view = self.query_one(TerminalView)
        view.fit()
        self.shown_changed()
        self.place_log()

    def handle(self, event: dict[str, Any]) -> None:
        """An event about this session (output, resync, command, verdict, session_ended)."""
        kind = event.get("event")
        if kind == "session_ended":
            reason = event.get("reason") or "ended"
            self.ended = True
            self.query_one("#watch-title", Static).update(
                Text(f"{self.session_id} has ended: {visible(str(reason))}", style="bold red"))
            self.query_one("#command-log", RichLog).write(
                Text(f"session ended: {visible(str(reason))}", style="bold red"))
            return
        if kind in ("command", "verdict"):
            self.query_one("#command-log", RichLog).write(command_line(event))
            return
        if not self.ready:
            self.pending.append(event)
            return
        if kind == "resync":
            self.apply_snapshot(event)
        elif kind == "output":
            self.follow(event)
        elif kind == "resize" and event.get("channel") == self.channel:
            self.model.resize(int(event.get("width") or 80), int(event.get("height") or 24))
            self.query_one(TerminalView).fit()
            self.place_log()

    def follow(self, output: dict[str, Any]) -> None:
        """Draw output of the channel being shown; a newer channel (another shell) takes over."""
        channel = output.get("channel")
        if channel != self.channel:
            if self.channel is not None and (channel or 0) < self.channel:
                return
            self.channel = channel
            self.model.reset(self.model.width, self.model.height)
            self.query_one("#command-log", RichLog).write(
                Text(f"now showing channel {channel}", style="dim"))
        self.model.feed(event_data(output))
        self.shown_changed()

    def shown_changed(self) -> None:
        self.query_one(TerminalView).changed()
        if self.following:
            cursor = self.model.screen.cursor
            self.query_one("#terminal-frame").scroll_to_region(
                Region(min(cursor.x, self.model.width - 1), cursor.y, 1, 1), animate=False)

    def screen_text(self) -> str:
        """The watched terminal's characters, as the user sees them."""
        return self.model.text()

    def action_back(self) -> None:
        self.supervisor.unwatch(self.session_id)
        self.dismiss(None)

    def action_kill(self) -> None:
        self.supervisor.kill(self.session)

    def action_revoke(self) -> None:
        self.supervisor.revoke(self.session)

    def action_lock(self) -> None:
        self.supervisor.lock(self.session)

    def action_follow(self) -> None:
        self.following = not self.following
        self.shown_changed()
        self._show_title()
