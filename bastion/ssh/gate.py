"""The input gate: every command line is judged before its submit key reaches the target.

Interactive shells (pty): the tracker (command_control.terminal) reconstructs the line at each submit key;
the policy (bastion.command_control.policy) judges it. deny: the submit key is never sent, the typed line is
cancelled upstream and the bastion checks the screen shows it gone, and the user reads why.
confirm: the line is held for a supervisor; only Ctrl-C (cancel) is taken meanwhile, other input
waits; on approval the screen line is read again and must be unchanged before the key is sent; a
timeout rejects. alert: forwarded and flagged. Every verdict is a `commands` row, an audit event,
a recording marker and a pushed event.

Any shell or exec channel with a pty is interactive, whatever its command (`ssh -t host bash`,
`su`, `script -qc bash /dev/null`): it gets this gate, and an exec command is also judged whole
first.

Non-interactive: an exec command is judged whole before anything is sent (a deny exits 126);
the stdin of a shell without a pty, or of `bash -s`/`sh` reading its script, is judged statement
by statement (StdinGate, with bastion.command_control.statements cutting it in linear time); an interpreter
reading its program from stdin gets the policy's `unknown` action, and a program no table reads
that only may (no operand) has its first data held so (FedGate). The file operations of scp
and sftp channels are judged by path (bastion.ssh.judge.TransferJudge).

Which gate a channel gets is the server's gate factory's choice (`make_gate`, the product's; the
server takes another from its owner, as bench/untracked.py does). A gate sees its channel only
through bastion.ssh.channel.GatedChannel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from asyncssh import PTY_VERASE

from bastion import audit
from bastion.command_control import policy
from bastion.command_control.policy import (  # one list of shells, the policy's
    reads_script_from_stdin,
    stricter,
)
from bastion.command_control.policy.unfinished import unfinished_readings
from bastion.command_control.terminal import (
    CONTINUATION,
    LEFT_OVER_UNREAD,
    CommandLineTracker,
    Reconstruction,
    shell_reads,
)
from bastion.command_control.typeahead import (
    SETTLE_QUIET,
    Decide,
    End,
    Send,
    SendEof,
    TypeAhead,
    Wait,
)
from bastion.ssh.fed_gate import FedGate
from bastion.ssh.judge import NOT_RECORDED, Judge, judging_turn, metered
from bastion.ssh.stdin_gate import FEED_BYTES, SLICE, StdinGate  # noqa: F401 (gate.SLICE: the proxy)
from bastion.store import StoreError
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.runtime.app import Runtime
    from bastion.ssh.channel import GatedChannel

log = logging.getLogger("bastion.ssh.gate")

ECHO_WAIT = 3.0      # seconds to wait for the echo of typed keys (only a line that never echoes waits it out)
# Seconds at most a line waits for its echo while the target's output is withheld (the client
# is not taking it): then it is read as it stands, and keys the screen does not show are
# uncertain, never a secret typed without echo (attack N, finding 5).
WITHHELD_WAIT = 30.0
MAX_HOLD = 2.0       # seconds at most that keys wait for the screen to settle (output that never pauses)
UNJUDGED = ("a command line ran that the bastion did not judge (a key bound to accept-line?); "
            "the session is ended")
LEFT_OVER_LINE = "(keys a refused line may have left)"  # the record's text for such a refusal
LEFT_OVER_END = ("a line typed without echo was refused, and the shell may still hold it in front "
                 "of what is typed next; the session is ended")
UNFINISHED_JUDGED = 8 * 1024  # an unfinished statement judged whole by the rules, up to this
CANCEL_WAIT = 1.0    # seconds to wait for the screen to show a cancelled line gone
CTRL_C = b"\x03"
BLIND_LINE = "(line typed without echo)"  # what the record says of keys it must not show


# Time one line's other readings may take on the event loop before the rest are left unjudged
# and the line is uncertain (each reading is bounded by policy.MAX_WORK on its own). The line
# and its first other reading (after Ctrl-C: the abandoned keys as data) are always judged.
READINGS_TIME = 0.5
TOO_MANY_READINGS = "too many readings of the line to judge them all"


def _in_time(readings: Iterable[str], always: int) -> Iterator[str | None]:
    """The readings of one line in turn, the first `always` of them whatever the time. Each may
    cost up to the policy's work bound on the one event loop (attack L: forty readings of one
    line froze every session for 20 s): past READINGS_TIME since the first, one None stands
    for the rest, which are not judged."""
    started = time.perf_counter()
    for index, reading in enumerate(readings):
        if index >= always and time.perf_counter() - started > READINGS_TIME:
            yield None
            return
        yield reading


class InputGate:
    """The gate for an interactive (pty) channel: one task per channel runs the type-ahead
    queue (bastion.command_control.typeahead), judges each line at its submit key, and ends the session when
    the target shows a line that ran unjudged (see CommandLineTracker.take_unjudged)."""

    def __init__(self, app: Runtime, channel: GatedChannel, cols: int, rows: int,
                 erase: int = 0x7F) -> None:
        self.app = app
        self.ch = channel
        self.judge = Judge(app, channel)
        self.tracker = CommandLineTracker(cols or 80, rows or 24, is_complete=policy.is_complete,
                                          erase=erase, shell_reads=shell_reads.Budget())
        if channel.command:
            self.tracker.started_with(channel.command)
        self.queue = TypeAhead(self.tracker)
        self.cancelled = asyncio.Event()  # an interrupt came while a line waited
        self.closed = False
        self._wake = asyncio.Event()
        self._output = asyncio.Event()
        self._paused = False
        self._withheld = False
        self._was_withheld = False
        loop = asyncio.get_running_loop()
        self._flowing_since = loop.time()  # output last began to flow again (see output_withheld)
        self._last_output = loop.time()
        self._hold_started: float | None = None
        self._deciding = False
        self._task = loop.create_task(self._run())

    # -- fed by the proxy ------------------------------------------------------------------

    def client_input(self, data: bytes) -> None:
        if self.closed:
            return
        if self.queue.client(data) and self._deciding:
            self.cancelled.set()
        if self.queue.full and not self._paused:
            self._paused = True
            self.ch.hold_client("queue")
        self._wake.set()

    def eof(self) -> None:
        """The client sent EOF: it reaches the target once the queue is empty."""
        self.queue.client_eof()
        self._wake.set()

    def target_output(self, data: bytes) -> None:
        self.queue.output(data)
        self._last_output = asyncio.get_running_loop().time()
        self._output.set()
        self._wake.set()
        line = self.tracker.take_unjudged()
        if line is not None and not self.closed:
            self._unjudged(line)

    def output_withheld(self, withheld: bool) -> None:
        """The channel stopped (True) or resumed (False) reading the target's output; False only
        once all it read was fed to `target_output`. A line's echo is waited for meanwhile."""
        if withheld and not self._was_withheld:
            self._was_withheld = True  # once a channel: a client on a slow link pauses often
            log.info("session %s channel %d: the client stopped taking output; the target's is "
                     "not read until it does", self.ch.session_id, self.ch.number)
        self._withheld = withheld
        self.tracker.output_withheld(withheld)
        if not withheld:
            self._flowing_since = asyncio.get_running_loop().time()
        self._output.set()

    def resize(self, cols: int, rows: int) -> None:
        if cols and rows:
            self.tracker.resize(cols, rows)

    def close(self) -> None:
        self.closed = True
        self.cancelled.set()
        self._wake.set()

    # -- the loop --------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while not self.closed:
                step = self.queue.next()
                if not isinstance(step, Wait):
                    self._hold_started = None
                if isinstance(step, Send):
                    self.ch.send_input(step.data)
                    await asyncio.sleep(0)  # a queue of a megabyte must not hold the loop
                elif isinstance(step, Decide):
                    await self._decide()
                elif isinstance(step, Wait):
                    await self._wait(step.seconds)
                elif isinstance(step, SendEof):
                    self.ch.send_eof()
                elif isinstance(step, End):
                    self.ch.end_session("ended", "a line was refused after the input had ended",
                                        status=step.status)
                    return
                else:
                    self._wake.clear()
                    if self._paused:
                        self._paused = False
                        # Resuming may hand over what the client sent meanwhile at once (it
                        # sets _wake): cleared before, so that nothing is slept through.
                        self.ch.release_client("queue")
                    await self._wake.wait()
        except Exception:
            # Fail closed: a gate that cannot judge ends the session rather than let lines through.
            log.exception("command gate failed")
            self.ch.end_session("failed", "the command filter failed")

    async def _wait(self, seconds: float) -> None:
        """Until output comes, or `seconds` after the last output (IDLE from the hold's start
        when none came), never longer than MAX_HOLD in all: then the screen has settled."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._hold_started is None:
            self._hold_started = now
        deadline = min(max(self._last_output, self._hold_started) + seconds,
                       self._hold_started + MAX_HOLD)
        self._wake.clear()
        if now < deadline:
            try:
                await asyncio.wait_for(self._wake.wait(), deadline - now)
                return
            except TimeoutError:
                pass
        self._hold_started = None
        self.queue.timer()

    async def _until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Until `condition()` holds after some output, or an interrupt, or `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            left = deadline - loop.time()
            if left <= 0 or self.closed or self.cancelled.is_set():
                return condition()
            self._output.clear()
            try:
                await asyncio.wait_for(self._output.wait(), left)
            except TimeoutError:
                return condition()
        return True

    async def _echo(self) -> None:
        """Until the screen shows the keys' echo, or needs none (a password prompt), or an
        interrupt: at most ECHO_WAIT of output flowing, counted again each time the output
        resumes after being withheld, and WITHHELD_WAIT in all."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        told = False
        while not self.tracker.echo_settled():
            deadline = start + WITHHELD_WAIT
            if self._withheld and not told:
                told = True
                log.info("session %s channel %d: a line waits for its echo, which the client "
                         "withholds by not taking output", self.ch.session_id, self.ch.number)
            if not self._withheld:
                deadline = min(deadline, max(start, self._flowing_since) + ECHO_WAIT)
            left = deadline - loop.time()
            if left <= 0 or self.closed or self.cancelled.is_set():
                return
            self._output.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._output.wait(), left)

    async def _quiet(self, seconds: float) -> None:
        """Until the target's output has paused for `seconds` (at most MAX_HOLD)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while not (self.closed or self.cancelled.is_set()):
            left = min(self._last_output + seconds, start + MAX_HOLD) - loop.time()
            if left <= 0:
                return
            self._output.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._output.wait(), left)

    # -- judging a line ----------------------------------------------------------------------

    async def _decide(self) -> None:
        self.cancelled.clear()
        self._deciding = True
        try:
            await self._decide_line()
        finally:
            self._deciding = False

    async def _decide_line(self) -> None:
        try:
            await self._echo()
            if self.tracker.needs_quiet():
                await self._quiet(SETTLE_QUIET)
            await judging_turn(self.app, self.ch.identity.user)
            if self.closed:
                return
            if self.cancelled.is_set():
                self.cancelled.clear()
                self.queue.abandoned()  # the interrupt, sent next, clears the line
                return
            with self.judge.metered():
                rec = self.tracker.reconstruct()
            v = self._judge(rec)
            log.debug("submit -> %s %r", rec, v.action if v else None)
            if v is not None and v.command == LEFT_OVER_LINE:
                await self._refuse(f"denied: {v.message}")
                self._left_over_end()
                return
            if v is None or v.action in ("allow", "alert"):
                with self.judge.metered():  # the tracker reads the line again once sent (attack T)
                    allowed = self.queue.allowed()
                self.ch.send_input(allowed)
                return
            if v.action == "deny":
                await self._refuse(f"denied: {v.message or 'not allowed by policy'}")
                return
            state, why = await self.judge.hold(rec.text or BLIND_LINE, v, self.cancelled)
            again = self.tracker.reconstruct() if state == "confirmed" else None
            if again is not None and again.text == rec.text and again.kind == rec.kind:
                self.ch.notice(f"confirmed by {why}")
                with self.judge.metered():
                    allowed = self.queue.allowed()
                self.ch.send_input(allowed)
                return
            if again is not None:
                state, why = "rejected", "the line changed while it was held"
            self.cancelled.clear()
            await self._refuse(f"{state}: {why}" if why else state)
        except StoreError as exc:
            # A verdict that cannot be recorded is not acted on: the line does not run, and the
            # session goes on (past store_grace without a store, the server ends it).
            log.error("command not run, its verdict cannot be recorded: %s", exc)
            await self._refuse(NOT_RECORDED)

    def _judge(self, rec: Reconstruction) -> policy.Verdict | None:
        if rec.left_over:
            carried = self._judge_left_over(rec)
            if carried is not None:
                return carried
        if rec.kind == "not-a-command":
            if rec.reason == CONTINUATION and rec.text.strip(" \t\n"):
                return self._judge_unfinished(rec)
            return self._judge_hidden(rec) if rec.hidden else None
        if rec.kind == "blind":
            v = policy.uncertain_verdict(self.judge.policy, rec.reason or
                                         "keys typed without echo at a shell prompt")
            self.judge.record(BLIND_LINE, v)
            return v
        if not rec.text.strip(" \t\n") and not rec.unknown and not rec.also:
            # (An empty line another reading holds text in is judged by the readings: attack
            # a10i, finding 1.)
            if rec.certain:
                return None
            # An empty reading that is not certain is not an empty line: fail closed.
            v = policy.uncertain_verdict(self.judge.policy, rec.reason or "line not readable")
            self.judge.record("(line could not be read)", v)
            return v
        # The line, then other statements the shell may run instead (earlier lines it may have
        # dropped) or other readings of the tty's settings.
        readings = _in_time((rec.text, *rec.also), always=2)
        v = self.judge.verdict(rec.text, certain=rec.certain, reason=rec.reason)
        next(readings)  # rec.text, judged
        for reading in readings:
            if reading is None:
                v = stricter(v, policy.uncertain_verdict(self.judge.policy, TOO_MANY_READINGS))
                break
            v = stricter(v, self.judge.verdict(reading, certain=rec.certain, reason=rec.reason))
        for typed in rec.typed:
            # The keys' own line after keys the model does not follow (a forged screen may show
            # another): a rule that refuses or holds it counts, the defaults do not (attack b11i).
            w = self.judge.verdict(typed)
            if w.action != "allow" and not w.rule.startswith("defaults."):
                v = stricter(v, w)
        if rec.unknown:
            v = stricter(v, policy.Verdict(self.judge.policy.defaults.unknown, "defaults.unknown",
                                           rec.unknown, rec.text, ()))
        self.judge.record(rec.text or "(empty line)", v)
        if v.action == "alert":
            self.app.publish("command", session=self.ch.session_id, line=rec.text, flagged=True)
        return v

    def _judge_unfinished(self, rec: Reconstruction) -> policy.Verdict | None:
        """The Enter of a statement the shells read as unfinished goes on, to be judged whole
        at its last line. But an alias the gate never saw (`alias F=fi` in an rc file or a
        sourced one) may close it where bash runs it now (attack a36i, finding 2): what a
        policy rule refuses or holds in the statement so far is refused or held now. The
        defaults do not count (an unfinished statement is a parse error to the policy). Past
        `UNFINISHED_JUDGED` bytes the line alone is (each Enter would judge it all again)."""
        text = rec.text if len(rec.text) <= UNFINISHED_JUDGED else rec.text.rsplit("\n", 1)[-1]
        found = None
        # A here-document still open hides the code after it on its line (attack c38i, 3); at a
        # PS2 that PS1 may draw, the line alone, and so on (`Reconstruction.typed`: c38i, 2).
        for reading in (*unfinished_readings(text), *rec.typed):
            v = self.judge.verdict(reading)
            if v.action in ("deny", "confirm") and not v.rule.startswith("defaults."):
                found = v if found is None else stricter(found, v)
        if found is not None:
            self.judge.record(rec.text, found)
        return found

    def _judge_hidden(self, rec: Reconstruction) -> policy.Verdict | None:
        """Keys typed without echo at a password prompt. The prompt may be a fake the shell
        printed while its own echo went elsewhere (attack D, finding 5), so they are also read
        as a command line: one a policy rule denies is refused (a password would hardly be
        one). Where a shell without a line editor may be the one reading with its echo left off
        (`CommandLineTracker.hidden_keys_may_run`: attack L, finding 3), whatever holds a typed
        line holds them, the policy's defaults too (`policy.refuses_secret`). Anything else goes
        on as a secret, never judged for the record, and audited either way with the prompt
        and the number of keys, never the keys."""
        ch = self.ch
        strict = not rec.rules_only and self.tracker.hidden_keys_may_run()
        # Each line the terminal driver may hand over for the keys (its settings are unknown:
        # attack H): the first one a rule refuses decides.
        for reading in _in_time((rec.hidden, *rec.hidden_also), always=1):
            if reading is None:  # refused, as `_judge` holds the line uncertain
                v = policy.Verdict("deny", "defaults.uncertain", TOO_MANY_READINGS, "", ())
                refused = True
                break
            v = self.judge.verdict(reading)
            refused = policy.refuses_secret(v, strict)
            if refused:
                break
        audit.record(self.app.store, "command.typed_blind", ch.identity.user, session=ch.session_id,
                     channel=self.ch.number, prompt=visible(rec.prompt),
                     keystrokes=len(rec.hidden), verdict=v.action if refused else "allow",
                     rule=v.rule if refused else "")
        if not refused:
            return None
        where = " where a shell may be reading with its echo off" if v.rule.startswith("defaults.") else ""
        refusal = policy.Verdict(v.action, v.rule, f"keys typed without echo{where} read as a "
                                 f"command that rule {v.rule} does not allow", BLIND_LINE, ())
        self.judge.record(BLIND_LINE, refusal)
        return refusal

    def _judge_left_over(self, rec: Reconstruction) -> policy.Verdict | None:
        """A refused line no screen showed may still be in the shell's input, with the cancel
        keys read as data where an inline program changed the tty's settings (attack V,
        finding 2): the shell would get it in front of this line. Each such reading that a
        policy rule refuses or holds refuses this line (and the session ends: `_left_over_end`);
        the defaults do not count (a password the
        `unknown` default held, cancelled, would otherwise hold every line after it). Kept
        secret, as the keys were typed without echo."""
        for reading in _in_time(rec.left_over, always=1):
            if reading is None or reading == LEFT_OVER_UNREAD:
                v = policy.Verdict("deny", "defaults.uncertain", TOO_MANY_READINGS, "", ())
            else:
                v = self.judge.verdict(reading)
                if v.action not in ("deny", "confirm") or v.rule.startswith("defaults."):
                    continue
            refusal = policy.Verdict("deny", v.rule, "keys a refused line may have left in the "
                                     f"shell's input read as a command that rule {v.rule} does "
                                     "not allow", LEFT_OVER_LINE, ())
            self.judge.record(BLIND_LINE, refusal)
            return refusal
        return None

    def _left_over_end(self) -> None:
        """A line was refused because a refused line no screen showed may still be in the
        shell's input: nothing typed can be told apart from it any more, so the session ends
        rather than refuse every line after it (or let one run it)."""
        self.closed = True  # the refusal is on record; the session's end says why
        self.ch.end_session("killed", LEFT_OVER_END)

    async def _refuse(self, message: str) -> None:
        """The line never runs: cancel it upstream, drop what was queued behind it, check the
        line is gone, tell the user."""
        cancel = self.tracker.cancel_bytes()
        self.tracker.sent_by_bastion(cancel)
        self.ch.write_upstream(cancel)
        self.tracker.resolve(sent=False)
        dropped = self.queue.refused()
        if dropped:
            audit.record_or_log(self.app.store, "command.dropped", self.ch.identity.user,
                                session=self.ch.session_id, channel=self.ch.number, lines=dropped)
            message += f" ({dropped} line{'s' if dropped != 1 else ''} typed ahead dropped)"
        gone = await self._until(self.tracker.line_is_empty, CANCEL_WAIT)
        log.debug("cancelled with %r; line gone: %s", cancel, gone)
        self.ch.notice(message)
        if not self.queue.ending:
            # A fresh prompt below the notice: Enter on the (verified) empty line, else an interrupt.
            key = b"\r" if gone and self.tracker.enter_after_cancel() else CTRL_C
            if key == CTRL_C:
                # bash 5.2 can leave its new prompt undrawn when an interrupt lands within a
                # moment of the keys before it (the cancel's): its answer to them settles first.
                await self._quiet(SETTLE_QUIET)
            self.tracker.sent_by_bastion(key)
            self.ch.write_upstream(key)

    def _unjudged(self, line: str) -> None:
        """The target shows that readline finished a line the gate never judged: end it."""
        ch = self.ch
        log.warning("session %s: a line ran unjudged: %r", ch.session_id, line)
        audit.record_or_log(self.app.store, "command.unjudged", ch.identity.user,
                            session=ch.session_id, channel=ch.number, line=line)
        self.closed = True
        ch.end_session("killed", UNJUDGED)


class Gate(Protocol):
    """What a channel asks of its command gate."""

    def client_input(self, data: bytes) -> None: ...
    def eof(self) -> None: ...
    def target_output(self, data: bytes) -> None: ...
    def output_withheld(self, withheld: bool) -> None: ...
    def resize(self, cols: int, rows: int) -> None: ...
    def close(self) -> None: ...


GateFactory = Callable[["Runtime", "GatedChannel"], "Gate | None"]


def make_gate(app: Runtime, channel: GatedChannel) -> Gate | None:
    """The product's gate factory: for a channel whose kind is chosen, InputGate when it is
    interactive (a pty), StdinGate for a shell reading its commands from stdin (a shell channel
    without a pty, `bash -s`, `sh`), FedGate for a program no table reads that may take its
    program from stdin (its first data held), else None (an exec command judged whole, a file transfer
    judged by its stream)."""
    if channel.interactive:
        _, (cols, rows, _, _), modes = channel.term
        # The tty's erase key as the target's pty has it (passed_modes keeps only DEL or ^H).
        return InputGate(app, channel, cols, rows, erase=modes.get(PTY_VERASE, 0x7F))
    if channel.stream is not None:
        return None
    if channel.kind == "shell":
        return StdinGate(app, channel)
    if channel.kind == "exec":
        reads = metered(app, channel.identity.user,
                        lambda: reads_script_from_stdin(channel.command or ""))
        if reads == "shell":
            return StdinGate(app, channel)
        if reads == "program":  # `mytool` with no operand: its first data is held (fed_gate)
            return FedGate(app, channel)
    return None
