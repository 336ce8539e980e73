"""The bounded type-ahead queue: client keys on their way to the target, held back where the
command line could not otherwise be read, so that a burst or a script reads like slow typing.

Pure: no clock and no I/O. The interactive gate (bastion.ssh.gate.InputGate) asks `next()` what to
do, does it, and reports what happens (client bytes, target output, a wait that ran out, a
verdict). Every client byte goes through the terminal tracker, in order.

Keys flow at once while the target keeps up. They wait in the queue:

- after a key the line model does not follow (Tab, Up, Ctrl-R, Alt-keys, vi's command mode),
  until the target has answered it and its output has paused (`SETTLE_QUIET`), or it gave no
  answer at all for `IDLE`;
- after a submit key the gate let through, after Ctrl-C, and before the first prompt, until
  the target is ready for the next line: the shell announced a new line (bash's ?2004h, at
  once), or its output paused for `TURN_QUIET` (`read`, a "[Y/n]" question, sudo, cat), or it
  said nothing for `IDLE`;
- while a line waits for its verdict.

So each queued line is released only when the screen has settled, and judged (or sorted as a
password by the echo rule) before its submit key is sent, whatever program reads it. Ctrl-C,
Ctrl-Z and Ctrl-\\ outside a bracketed paste go through at once and empty the queue (a line
waiting for its verdict is dropped); at bash's prompt (readline reading) only Ctrl-C does, since
bash ignores the other two signals there and readline keeps its line. After a refused line the
queue is emptied, since what was typed behind it may depend on it, and the gate tells the user
how many lines were dropped; a client that has already sent EOF (a script piped into `ssh -tt`) then gets exit
status 126. The client's EOF reaches the target only once the queue is empty: the gate never
writes after it. The queue holds at most `MAX_QUEUED` bytes; past that the gate stops reading
the client (SSH flow control) until it drains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bastion.command_control.terminal import CommandLineTracker, Forward, Pause, Submit

SETTLE_QUIET = 0.05  # seconds of no output after the target answered a key: its screen settled
TURN_QUIET = 0.25    # seconds of no output after a submit, from a program that announces nothing
IDLE = 0.5           # seconds with no answer at all: the target shows nothing for this key
MAX_QUEUED = 1 << 20  # client bytes held; beyond this the client is paused
EXIT_REFUSED = 126   # as a refused exec command exits

_INTERRUPT = re.compile(rb"[\x03\x1a\x1c]")
# At bash's prompt Ctrl-Z and Ctrl-\\ are signals bash ignores: readline keeps its line, so
# they are keys like others there (dropping a held line for them would forget what it holds).
_INTERRUPT_AT_PROMPT = re.compile(rb"\x03")
_PASTE_MARK = re.compile(rb"\x1b\[20([01])~")
_LINES = re.compile(rb"[^\r\n]*[\r\n]+|[^\r\n]+$")
_TYPED = re.compile(rb"[^\x00-\x20\x7f]")


@dataclass(frozen=True)
class Send:
    """Forward these client bytes to the target now."""

    data: bytes


@dataclass(frozen=True)
class Decide:
    """A key that may run something: judge `tracker.reconstruct()`, then call `allowed()` (and
    send the bytes it returns) or `refused()`; `abandoned()` if an interrupt came first."""

    submit: Submit


@dataclass(frozen=True)
class Wait:
    """Nothing to do before output or client input arrives or `seconds` pass (then `timer()`)."""

    seconds: float


@dataclass(frozen=True)
class SendEof:
    """The client's EOF may reach the target now (nothing is queued or held any more)."""


@dataclass(frozen=True)
class End:
    """A line was refused after the client's EOF: end the session with this exit status."""

    status: int


Step = Send | Decide | Wait | SendEof | End | None


class TypeAhead:
    """The queue of one interactive channel, in front of its tracker (see the module docstring).

    `next()` returns None when there is nothing to do until client input or output arrives.
    """

    def __init__(self, tracker: CommandLineTracker) -> None:
        self.tracker = tracker
        self._inbox = bytearray()
        self._front_in_paste = False  # whether the inbox's first byte is inside a paste
        self._end_in_paste = False  # ... and whether its end is
        self._tail = b""  # the last client bytes, for a paste marker cut between chunks
        self._interrupt_first = False  # the inbox starts with an interrupt to send at once
        self._judging: Submit | None = None
        self._announce = False  # the Decide step for `_judging` is still to be returned
        self._hold: str | None = "turn"  # None, "answer" (a key not followed) or "turn"
        self._hold_from = tracker.output_count
        self._eof = False
        self._eof_sent = False
        self._end: int | None = None
        self.held_by_timer = 0  # waits that ran out while keys were queued (the tests count them)

    # -- reported by the gate -----------------------------------------------------------------

    def client(self, data: bytes) -> bool:
        """Client bytes, queued in order. True when an interrupt arrived while keys or a line
        were held: the queue before it is dropped and a line awaiting its verdict is to be
        abandoned (the gate stops waiting for it, then calls `abandoned()`)."""
        start = len(self._inbox)
        self._inbox += data
        # A paste marker cut by the end of the last chunk is found with the bytes before it
        # (fewer than a marker's six, so they hold none whole: the state before them is the
        # state at the end).
        tail = self._tail
        found, self._end_in_paste = _scan(tail + data, self._end_in_paste, self._interrupts())
        self._tail = (tail + data)[-5:]
        found = [start + at - len(tail) for at in found if at >= len(tail)]
        holding = self._judging is not None or (self._hold is not None and not self._settled())
        if not found or not holding:
            return False
        self._consume(found[-1])
        self._interrupt_first = True
        return True

    def client_eof(self) -> None:
        self._eof = True

    def output(self, data: bytes) -> None:
        self.tracker.feed_output(data)

    def timer(self) -> None:
        """The `Wait` from `next()` ran out with no output: the screen has settled."""
        if self._inbox:
            self.held_by_timer += 1
        self._hold = None

    # -- what to do next ------------------------------------------------------------------

    @property
    def full(self) -> bool:
        return len(self._inbox) > MAX_QUEUED

    @property
    def queued(self) -> int:
        """Client bytes waiting in the queue."""
        return len(self._inbox)

    @property
    def ending(self) -> bool:
        """A refused line after the client's EOF: the session is to end (see `End`)."""
        return self._end is not None

    def next(self) -> Step:
        if self._judging is not None:
            if self._announce:
                self._announce = False
                return Decide(self._judging)
            return None
        if self._interrupt_first:
            self._interrupt_first = False
            return self._send_interrupt()
        if self._hold is not None and not self._settled():
            quiet = SETTLE_QUIET if self._hold == "answer" else TURN_QUIET
            return Wait(quiet if self.tracker.output_count > self._hold_from else IDLE)
        if self._end is not None:
            return End(self._end)  # once lines already sent have had their turn
        self._hold = None
        if self._inbox:
            return self._feed()
        if self._eof and not self._eof_sent:
            self._eof_sent = True
            return SendEof()
        return None

    def _interrupts(self) -> re.Pattern[bytes]:
        return _INTERRUPT_AT_PROMPT if self.tracker.readline_reading else _INTERRUPT

    def _settled(self) -> bool:
        return self._hold == "turn" and self.tracker.readline_ready_since(self._hold_from)

    def _feed(self) -> Step:
        """Give the tracker the front of the queue, up to the first interrupt (sent alone)."""
        chunk = bytes(self._inbox[:_CHUNK])
        found, _ = _scan(chunk, self._front_in_paste, self._interrupts())
        if found and found[0] == 0:
            return self._send_interrupt()
        if found:
            chunk = chunk[:found[0]]
        forwarded = b""
        used = len(chunk)
        stopped = False
        for segment in self.tracker.feed_input(chunk):
            if isinstance(segment, Forward):
                forwarded += segment.data
            elif isinstance(segment, Pause):
                used -= len(segment.rest)
                self._start_hold("answer")
                stopped = True
            else:
                used -= len(segment.rest) + len(segment.key)
                self._judging, self._announce = segment, True
                stopped = True
        self._consume(used)
        if self._judging is not None:
            # The key itself stays out of the queue: `allowed()` hands it to the gate.
            self._consume(len(self._judging.key))
        elif found and not stopped:
            # The interrupt that follows goes in the same write, as the client sent them:
            # bash may wait without a prompt when Ctrl-C comes just after keys it is reading.
            forwarded += self._send_interrupt().data
        return Send(forwarded) if forwarded else self.next()

    def _send_interrupt(self) -> Send:
        key = bytes(self._inbox[:1])
        self._consume(1)
        for segment in self.tracker.feed_input(key):
            if isinstance(segment, Submit):  # an interrupt key is never one; fail safe
                self.tracker.resolve(sent=False)
        self._start_hold("turn")
        return Send(key)

    # -- verdicts -------------------------------------------------------------------------

    def allowed(self) -> bytes:
        """The line may run: the key to send now. What follows waits for the target."""
        submit = self._take_judging()
        full_screen = self.tracker.full_screen
        self.tracker.resolve(sent=True)
        if self.tracker.in_paste:
            self._hold = None  # the shell shows a paste only once it ends: nothing to wait for
        else:
            # In a full-screen program no prompt follows a line: a short pause is enough.
            # A meta byte is mostly part of a character: its echo is the answer.
            short = submit.how in ("expand", "macro", "rebind", "complete") or submit.meta or full_screen
            self._start_hold("answer" if short else "turn")
        return submit.key

    def refused(self) -> int:
        """The line was refused (denied, rejected, not recordable): the queue behind it is
        dropped, and this says how many lines it held. The caller sends the tracker's cancel
        bytes and calls `tracker.resolve(sent=False)` itself."""
        self._take_judging()
        # Lines with something typed on them (not a lone Ctrl-C that cancelled a held line).
        dropped = sum(1 for line in _LINES.findall(bytes(self._inbox)) if _TYPED.search(line))
        self._consume(len(self._inbox))
        self._interrupt_first = False
        self._start_hold("turn")
        if self._eof:
            self._end = EXIT_REFUSED
        return dropped

    def abandoned(self) -> None:
        """An interrupt came while the line awaited its verdict: it never runs (the interrupt,
        sent next, clears it on the target)."""
        self._take_judging()
        self.tracker.resolve(sent=False)

    def _take_judging(self) -> Submit:
        if self._judging is None:
            raise RuntimeError("no line awaits a verdict")
        submit, self._judging, self._announce = self._judging, None, False
        return submit

    # -- the queue ------------------------------------------------------------------------

    def _start_hold(self, kind: str) -> None:
        self._hold = kind
        self._hold_from = self.tracker.output_count

    def _consume(self, n: int) -> None:
        if n:
            self._front_in_paste = self._state_at(n)
            del self._inbox[:n]  # CPython deletes from a bytearray's front in constant time

    def _state_at(self, n: int) -> bool:
        """Whether inbox byte `n` is inside a paste (scans at most the first `n` bytes)."""
        in_paste = self._front_in_paste
        for m in _PASTE_MARK.finditer(self._inbox, 0, n):
            in_paste = m.group(1) == b"0"
        return in_paste


_CHUNK = 4096  # bytes given to the tracker at a time, so that each step's work is bounded


def _scan(data: bytes, in_paste: bool,
          interrupts: re.Pattern[bytes] = _INTERRUPT) -> tuple[list[int], bool]:
    """Positions of interrupt keys outside bracketed pastes, and the paste state at the end."""
    found: list[int] = []
    pos = 0
    for m in _PASTE_MARK.finditer(data):
        if not in_paste:
            found += [i.start() for i in interrupts.finditer(data, pos, m.start())]
        in_paste, pos = m.group(1) == b"0", m.end()
    if not in_paste:
        found += [i.start() for i in interrupts.finditer(data, pos)]
    return found, in_paste
