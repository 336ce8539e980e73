"""Replaying an ended session's recording in the console, with pause, speed and skipping.

The recording comes over the control protocol (op `recording`, in chunks: see `fetch_recording`);
`Playback` is the clock that decides which events are due, apart from any widget.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, ScrollableContainer
from textual.screen import Screen
from textual.widgets import Footer, RichLog, Static

from bastion.control.protocol import ControlError
from bastion.text import digits, visible
from tui.tables import span
from tui.terminal import SIDE_BY_SIDE, ScreenModel, TerminalView

if TYPE_CHECKING:
    from tui.app import SupervisorApp
    from tui.connection import Client

CastEvent = tuple[float, str, str]
MAX_GAP = 2.0    # seconds: longer pauses in a recording are shortened, as `bastion replay` does
SKIP = 5.0       # seconds skipped by the arrow keys
FRAME = 0.05     # seconds between playback steps


class Playback:
    """Which recorded events are due as playback time advances.

    Times are recorded seconds with every gap capped at `max_gap`. `speed` multiplies the pace;
    pausing stops time; `seek` moves it, and a seek backwards asks the caller to start the screen
    over (it gets every event from the beginning up to the new position).
    """

    SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)

    def __init__(self, events: list[CastEvent], max_gap: float = MAX_GAP) -> None:
        self.events: list[CastEvent] = []
        previous = clock = 0.0
        for at, code, data in events:
            clock += min(max(0.0, at - previous), max_gap)
            previous = at
            self.events.append((clock, code, data))
        self.position = 0.0
        self.index = 0
        self.paused = False
        self._speed = self.SPEEDS.index(1.0)

    @property
    def duration(self) -> float:
        return self.events[-1][0] if self.events else 0.0

    @property
    def speed(self) -> float:
        return self.SPEEDS[self._speed]

    @property
    def finished(self) -> bool:
        return self.index >= len(self.events)

    def faster(self) -> None:
        self._speed = min(self._speed + 1, len(self.SPEEDS) - 1)

    def slower(self) -> None:
        self._speed = max(self._speed - 1, 0)

    def toggle(self) -> None:
        self.paused = not self.paused

    def advance(self, seconds: float) -> list[CastEvent]:
        """Let `seconds` of wall time pass; the events now due, in order."""
        if self.paused or self.finished:
            return []
        self.position = min(self.duration, self.position + seconds * self.speed)
        return self._due()

    def seek(self, delta: float) -> tuple[bool, list[CastEvent]]:
        """Move by `delta` seconds: (start over?, events to apply)."""
        target = min(max(0.0, self.position + delta), self.duration)
        restart = target < self.position
        if restart:
            self.index = 0
        self.position = target
        return restart, self._due()

    def _due(self) -> list[CastEvent]:
        start = self.index
        while self.index < len(self.events) and self.events[self.index][0] <= self.position:
            self.index += 1
        return self.events[start:self.index]


async def fetch_recording(client: Client, session_id: str) -> tuple[dict[str, Any], list[CastEvent]]:
    """The header and events of a session's interactive recording, chunk by chunk.

    Uses the op `recording` {session, offset} -> {header, events: [[t, code, data]...], next}
    where `next` is the offset of the following chunk, or null at the end. Raises ControlError
    when the bastion refuses (or does not know the op).
    """
    header: dict[str, Any] = {}
    events: list[CastEvent] = []
    offset: int | None = 0
    while offset is not None:
        reply = await client.request("recording", session=session_id, offset=offset)
        header = header or reply.get("header") or {}
        events.extend((float(e[0]), str(e[1]), str(e[2])) for e in reply.get("events", []))
        following = reply.get("next")
        if following is not None and following <= offset:
            raise ControlError("the bastion sent a recording chunk out of order")
        offset = following
    return header, events


class ReplayScreen(Screen[None]):
    """An ended session's terminal, played back; markers (verdicts, actions) are listed beside it."""

    # Narrow consoles stack the log under the terminal, so an 80-column terminal fits across.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (SIDE_BY_SIDE, "-wide")]
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("space", "toggle", "pause/play"),
        Binding("plus,equals_sign", "faster", "faster", key_display="+"),
        Binding("minus", "slower", "slower", key_display="-"),
        Binding("left", f"seek({-SKIP:g})", f"-{SKIP:g}s", key_display="←", priority=True),
        Binding("right", f"seek({SKIP:g})", f"+{SKIP:g}s", key_display="→", priority=True),
    ]

    def __init__(self, session: dict[str, Any]) -> None:
        super().__init__()
        self.session = session
        self.model = ScreenModel()
        self.playback: Playback | None = None
        self.size_at_start = (80, 24)
        self._last = time.monotonic()

    @property
    def supervisor(self) -> SupervisorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        s = {k: visible(str(v)) for k, v in self.session.items()}
        yield Static(f"replay {s['id']} · {s.get('user')} → {s.get('login')}@{s.get('target')}"
                     f" · {s.get('ticket')}", id="replay-title", markup=False)
        with Container(id="replay-body", classes="body"):
            with ScrollableContainer(id="terminal-frame"):
                yield TerminalView(self.model, cursor=False, id="terminal")
            yield RichLog(id="marker-log", classes="side-log", wrap=True, min_width=16,
                          markup=False)
        yield Static("loading the recording…", id="replay-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#marker-log", RichLog).write(Text("markers", style="bold"))
        self.load()

    @work(exclusive=True, group="replay")
    async def load(self) -> None:
        try:
            header, events = await fetch_recording(self.supervisor.client, self.session["id"])
        except ControlError as exc:
            if self.is_attached:
                self.query_one("#replay-status", Static).update(
                    Text(f"replay unavailable: {visible(str(exc))}", style="bold red"))
            return
        if not self.is_attached:
            return  # left before the recording came
        self.size_at_start = (int(header.get("width") or 80), int(header.get("height") or 24))
        self.model.reset(*self.size_at_start)
        self.query_one(TerminalView).fit()
        self.playback = Playback(events)
        self._last = time.monotonic()
        self.set_interval(FRAME, self.step)
        self.show_status()

    def step(self) -> None:
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        if self.playback is not None:
            self.apply(self.playback.advance(elapsed))
            self.show_status()

    def apply(self, events: list[CastEvent]) -> None:
        if not events:
            return
        view = self.query_one(TerminalView)
        for _, code, data in events:
            if code == "o":
                self.model.feed(data.encode())
            elif code == "r":
                width, _, height = data.partition("x")
                if digits(width) and digits(height):
                    self.model.resize(int(width), int(height))
                    view.fit()
            elif code == "m":   # a marker quotes what the user typed: plain text, spelled out
                self.query_one("#marker-log", RichLog).write(Text(visible(data)))
        view.changed()

    def show_status(self) -> None:
        p = self.playback
        if p is None:
            return
        state = "done" if p.finished else ("paused" if p.paused else "playing")
        self.query_one("#replay-status", Static).update(
            f"{state} · {p.speed:g}x · {span(p.position)} / {span(p.duration)}")

    def action_back(self) -> None:
        self.dismiss(None)

    def action_toggle(self) -> None:
        if self.playback is not None:
            self.playback.toggle()
            self.show_status()

    def action_faster(self) -> None:
        if self.playback is not None:
            self.playback.faster()
            self.show_status()

    def action_slower(self) -> None:
        if self.playback is not None:
            self.playback.slower()
            self.show_status()

    def action_seek(self, delta: float) -> None:
        if self.playback is None:
            return
        restart, events = self.playback.seek(delta)
        if restart:
            self.model.reset(*self.size_at_start)
            self.query_one(TerminalView).fit()
            self.query_one("#marker-log", RichLog).clear()
        self.apply(events)
        self.query_one(TerminalView).refresh()
        self.show_status()
