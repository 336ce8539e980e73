"""The input gate: every command line is judged before its submit key reaches the target.

Interactive shells (pty): the tracker (bastion.terminal) reconstructs the line at each submit key;
the policy (bastion.policy) judges it. deny: the submit key is never sent, the typed line is
cancelled upstream and the bastion checks the screen shows it gone, and the user reads why.
confirm: the line is held for a supervisor; only Ctrl-C (cancel) is taken meanwhile, other input
waits; on approval the screen line is read again and must be unchanged before the key is sent; a
timeout rejects. alert: forwarded and flagged. Every verdict is a `commands` row, an audit event,
a recording marker and a pushed event.

Non-interactive: an exec command is judged whole before anything is sent (a deny exits 126);
the stdin of a shell without a pty, or of `bash -s`/`sh` reading its script, is judged statement
by statement; an interpreter reading its program from stdin gets the policy's `unknown` action.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bastion import audit, policy, sessions
from bastion.store import StoreError, now
from bastion.terminal import CommandLineTracker, Reconstruction
from bastion.typeahead import SETTLE_QUIET, Decide, End, Send, SendEof, TypeAhead, Wait

if TYPE_CHECKING:
    from bastion.proxy import ProxyChannel
    from bastion.server import Bastion

log = logging.getLogger("bastion.gate")

ECHO_WAIT = 3.0      # seconds to wait for the echo of typed keys (only a line that never echoes waits it out)
MAX_HOLD = 2.0       # seconds at most that keys wait for the screen to settle (output that never pauses)
UNJUDGED = ("a command line ran that the bastion did not judge (a key bound to accept-line?); "
            "the session is ended")
CANCEL_WAIT = 1.0    # seconds to wait for the screen to show a cancelled line gone
NOT_RECORDED_WHY = "the bastion cannot record commands right now; try again in a moment"
NOT_RECORDED = f"not run: {NOT_RECORDED_WHY}"
POLL_HELD = 1.0      # seconds between looks at the store for a decision made elsewhere
MAX_QUEUED = 1 << 20  # client bytes kept while a line is held; beyond this the client is paused
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh"})
INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "node", "php", "lua",
                          "tclsh", "awk", "gawk", "irb", "R", "Rscript", "osascript", "pwsh"})
CTRL_C = b"\x03"


def stricter(a: policy.Verdict, b: policy.Verdict) -> policy.Verdict:
    return a if policy.ACTIONS.index(a.action) >= policy.ACTIONS.index(b.action) else b


def reads_script_from_stdin(command: str) -> str | None:
    """"shell" or "interpreter" when an exec command runs a program read from its stdin."""
    commands = policy.parse_commands(command)
    if len(commands) != 1 or commands[0].name is None:
        return None
    cmd = commands[0]
    name = cmd.name.rsplit("/", 1)[-1]
    base = name.rstrip("0123456789.") or name
    args = list(cmd.argv[1:])
    if name in SHELLS or base in SHELLS:
        if "-c" in args or any(a.startswith("-") and "c" in a[1:] and not a.startswith("--")
                               for a in args):
            return None
        files = [a for a in args if not a.startswith("-")]
        return "shell" if ("-s" in args or not files) else None
    if name in INTERPRETERS or base in INTERPRETERS:
        inline = {"-c", "-e", "-E", "-r", "--eval", "-m"}
        if any(a in inline for a in args):
            return None
        files = [a for a in args if not a.startswith("-")]
        return "interpreter" if (not files or "-" in args) else None
    return None


class Judge:
    """Judges lines for one channel and records every verdict (row, audit, marker, event)."""

    def __init__(self, app: Bastion, channel: ProxyChannel) -> None:
        self.app = app
        self.ch = channel

    @property
    def policy(self) -> policy.Policy:
        return self.app.policy

    def verdict(self, line: str, *, certain: bool = True, reason: str = "") -> policy.Verdict:
        ident = self.ch.live.identity
        v = policy.evaluate(self.policy, line, role=ident.role.name, target=ident.target.name)
        if not certain:
            v = stricter(v, policy.uncertain_verdict(self.policy, reason or "line not certain"))
        return v

    def record(self, line: str, v: policy.Verdict) -> None:
        live = self.ch.live
        store = self.app.store
        store.execute(
            "INSERT INTO commands(session_id, channel, at, line, verdict, rule, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (live.id, self.ch.number, now(), line, v.action, v.rule, v.message))
        audit.record(store, "command.verdict", live.identity.user, session=live.id,
                     channel=self.ch.number, line=line, verdict=v.action, rule=v.rule)
        if self.ch.cast is not None and v.action != "allow":
            self.ch.marker(f"{v.action}: {line}" + (f" ({v.rule})" if v.rule else ""))
        self.app.publish("verdict", session=live.id, channel=self.ch.number, line=line,
                         action=v.action, rule=v.rule, message=v.message)

    async def hold(self, line: str, v: policy.Verdict, cancelled: asyncio.Event) -> tuple[str, str]:
        """Wait for a supervisor: returns (state, who-or-why). Ctrl-C sets `cancelled`."""
        live, store = self.ch.live, self.app.store
        timeout = self.policy.defaults.confirm_timeout
        hid = sessions.hold(store, live.id, live.identity.user, line, v.rule, timeout)
        decided = asyncio.Event()
        self.app.held_waiters[hid] = decided
        self.app.publish("command_held", held=sessions.held_state(store, hid))
        self.ch.notice(f"held for a supervisor ({hid}): {v.message or 'needs confirmation'}"
                       f" -- waiting up to {int(timeout)}s, Ctrl-C cancels")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                left = deadline - loop.time()
                waiters = [asyncio.ensure_future(decided.wait()),
                           asyncio.ensure_future(cancelled.wait())]
                await asyncio.wait(waiters, timeout=max(0.0, min(POLL_HELD, left)),
                                   return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()
                decided.clear()
                if cancelled.is_set():
                    sessions.cancel_held(store, hid, live.identity.user)
                    return "cancelled", "cancelled with Ctrl-C"
                row = sessions.held_state(store, hid)
                if row["state"] != "pending":
                    return row["state"], row["decided_by"] or row["reason"] or ""
                if loop.time() >= deadline:
                    sessions.expire_held(store, hid)
                    return "expired", f"no supervisor confirmed within {int(timeout)}s"
        finally:
            self.app.held_waiters.pop(hid, None)
            self.app.publish("held_resolved", held=hid)


class InputGate:
    """The gate for an interactive (pty) channel: one task per channel runs the type-ahead
    queue (bastion.typeahead), judges each line at its submit key, and ends the session when
    the target shows a line that ran unjudged (see CommandLineTracker.take_unjudged)."""

    def __init__(self, app: Bastion, channel: ProxyChannel, cols: int, rows: int) -> None:
        self.app = app
        self.ch = channel
        self.judge = Judge(app, channel)
        self.tracker = CommandLineTracker(cols or 80, rows or 24, is_complete=policy.is_complete)
        self.queue = TypeAhead(self.tracker)
        self.cancelled = asyncio.Event()  # an interrupt came while a line waited
        self.closed = False
        self._wake = asyncio.Event()
        self._output = asyncio.Event()
        self._paused = False
        loop = asyncio.get_running_loop()
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
            self.ch.pause_client("queue")
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
                    self.ch.live.end("ended", "a line was refused after the input had ended",
                                     status=step.status)
                    return
                else:
                    self._wake.clear()
                    if self._paused:
                        self._paused = False
                        # Resuming may hand over what the client sent meanwhile at once (it
                        # sets _wake): cleared before, so that nothing is slept through.
                        self.ch.resume_client("queue")
                    await self._wake.wait()
        except Exception:
            # Fail closed: a gate that cannot judge ends the session rather than let lines through.
            log.exception("command gate failed")
            self.ch.live.end("failed", "the command filter failed")

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
            await self._until(self.tracker.echo_settled, ECHO_WAIT)
            if self.tracker.needs_quiet():
                await self._quiet(SETTLE_QUIET)
            if self.closed:
                return
            if self.cancelled.is_set():
                self.cancelled.clear()
                self.queue.abandoned()  # the interrupt, sent next, clears the line
                return
            rec = self.tracker.reconstruct()
            v = self._judge(rec)
            log.debug("submit -> %s %r", rec, v.action if v else None)
            if v is None or v.action in ("allow", "alert"):
                self.ch.send_input(self.queue.allowed())
                return
            if v.action == "deny":
                await self._refuse(f"denied: {v.message or 'not allowed by policy'}")
                return
            state, why = await self.judge.hold(rec.text, v, self.cancelled)
            again = self.tracker.reconstruct() if state == "confirmed" else None
            if again is not None and again.text == rec.text and again.kind == rec.kind:
                self.ch.notice(f"confirmed by {why}")
                self.ch.send_input(self.queue.allowed())
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
        if rec.kind == "not-a-command":
            return None
        if rec.kind == "blind":
            v = policy.uncertain_verdict(self.judge.policy, rec.reason or
                                         "keys typed without echo at a shell prompt")
            self.judge.record("(line typed without echo)", v)
            return v
        if not rec.text.strip() and not rec.unknown:
            if rec.certain:
                return None
            # An empty reading that is not certain is not an empty line: fail closed.
            v = policy.uncertain_verdict(self.judge.policy, rec.reason or "line not readable")
            self.judge.record("(line could not be read)", v)
            return v
        v = self.judge.verdict(rec.text, certain=rec.certain, reason=rec.reason)
        if rec.unknown:
            v = stricter(v, policy.Verdict(self.judge.policy.defaults.unknown, "defaults.unknown",
                                           rec.unknown, rec.text, ()))
        self.judge.record(rec.text or "(empty line)", v)
        if v.action == "alert":
            self.app.publish("command", session=self.ch.live.id, line=rec.text, flagged=True)
        return v

    async def _refuse(self, message: str) -> None:
        """The line never runs: cancel it upstream, drop what was queued behind it, check the
        line is gone, tell the user."""
        cancel = self.tracker.cancel_bytes()
        self.tracker.sent_by_bastion(cancel)
        self.ch.write_upstream(cancel)
        self.tracker.resolve(sent=False)
        dropped = self.queue.refused()
        if dropped:
            audit.record_or_log(self.app.store, "command.dropped", self.ch.live.identity.user,
                                session=self.ch.live.id, channel=self.ch.number, lines=dropped)
            message += f" ({dropped} line{'s' if dropped != 1 else ''} typed ahead dropped)"
        gone = await self._until(self.tracker.line_is_empty, CANCEL_WAIT)
        log.debug("cancelled with %r; line gone: %s", cancel, gone)
        self.ch.notice(message)
        if not self.queue.ending:
            # A fresh prompt below the notice: Enter on the (verified) empty line, else an interrupt.
            key = b"\r" if gone else CTRL_C
            self.tracker.sent_by_bastion(key)
            self.ch.write_upstream(key)

    def _unjudged(self, line: str) -> None:
        """The target shows that readline finished a line the gate never judged: end it."""
        live = self.ch.live
        log.warning("session %s: a line ran unjudged: %r", live.id, line)
        audit.record_or_log(self.app.store, "command.unjudged", live.identity.user,
                            session=live.id, channel=self.ch.number, line=line)
        self.closed = True
        live.end("killed", UNJUDGED)


class StdinGate:
    """The gate for a shell reading commands from stdin without a pty: statement by statement."""

    def __init__(self, app: Bastion, channel: ProxyChannel) -> None:
        self.app = app
        self.ch = channel
        self.judge = Judge(app, channel)
        self.pending = bytearray()   # the unfinished statement
        self.partial = bytearray()   # bytes after the last newline
        self.busy = False
        self.queue = bytearray()
        self.cancelled = asyncio.Event()
        self.closed = False
        self.eof_seen = False

    def client_input(self, data: bytes) -> None:
        if self.busy:
            self.queue += data
            if len(self.queue) > MAX_QUEUED:
                self.ch.chan.pause_reading()
            return
        self.partial += data
        while not self.busy and b"\n" in self.partial:
            cut = self.partial.index(b"\n") + 1
            self.pending += self.partial[:cut]
            del self.partial[:cut]
            statement = self.pending.decode("utf-8", "replace")
            if not policy.is_complete(statement):
                continue
            chunk = bytes(self.pending)
            self.pending.clear()
            self._judge(statement.strip(), chunk)

    def _judge(self, statement: str, chunk: bytes) -> None:
        if not statement:
            self.ch.send_input(chunk)
            return
        v = self.judge.verdict(statement)
        try:
            self.judge.record(statement, v)
        except StoreError as exc:
            log.error("statement not run, its verdict cannot be recorded: %s", exc)
            self.ch.chan.write_stderr(f"bastion: {NOT_RECORDED}\n".encode())
            return
        if v.action in ("allow", "alert"):
            self.ch.send_input(chunk)
        elif v.action == "deny":
            self.ch.chan.write_stderr(f"bastion: denied: {v.message or statement}\n".encode())
        else:
            self.busy = True
            asyncio.get_running_loop().create_task(self._hold(statement, chunk, v))

    async def _hold(self, statement: str, chunk: bytes, v: policy.Verdict) -> None:
        try:
            state, why = await self.judge.hold(statement, v, self.cancelled)
        except StoreError as exc:
            log.error("held statement not run, the store failed: %s", exc)
            state, why = "not run", NOT_RECORDED_WHY
        if self.closed:
            return
        if state == "confirmed":
            self.ch.send_input(chunk)
        else:
            self.ch.chan.write_stderr(f"bastion: {state}: {why}\n".encode())
        self.busy = False
        data = bytes(self.queue)
        self.queue.clear()
        self.ch.chan.resume_reading()
        if data:
            self.client_input(data)
        if self.eof_seen and not self.busy:
            self.eof()

    def target_output(self, data: bytes) -> None:
        pass

    def resize(self, cols: int, rows: int) -> None:
        pass

    def eof(self) -> None:
        """At EOF an unfinished last statement is judged as it is (the shell would run it),
        and the EOF reaches the target once nothing is held any more."""
        self.eof_seen = True
        if self.busy:
            return
        tail = bytes(self.pending + self.partial)
        self.pending.clear()
        self.partial.clear()
        if tail.strip():
            self._judge(tail.decode("utf-8", "replace").strip(), tail)
        if not self.busy and self.ch.upstream_chan is not None:
            self.ch.upstream_chan.write_eof()

    def close(self) -> None:
        self.closed = True
        self.cancelled.set()


async def judge_exec(app: Bastion, channel: ProxyChannel) -> str | None:
    """An exec command, judged whole before anything is sent: None to run it, else why not."""
    judge = Judge(app, channel)
    command = channel.command or ""
    v = judge.verdict(command)
    if reads_script_from_stdin(command) == "interpreter":
        v = stricter(v, policy.Verdict(app.policy.defaults.unknown, "defaults.unknown",
                                       "an interpreter reading its program from stdin",
                                       command, ()))
    try:
        judge.record(command, v)
        if v.action == "deny":
            return f"denied: {v.message or 'not allowed by policy'}"
        if v.action == "confirm":
            state, why = await judge.hold(command, v, asyncio.Event())
            if state != "confirmed":
                return f"{state}: {why}"
    except StoreError as exc:
        log.error("command not run, its verdict cannot be recorded: %s", exc)
        return NOT_RECORDED
    return None
