"""Judging for the gates: the policy's verdict on a line with what the bastion knows of the channel
(Judge), a held command's wait for a supervisor, an exec command judged whole before anything is
sent (judge_exec), and the file operations of scp and sftp streams judged by path (TransferJudge,
for command_control.scp and .sftplog). Every verdict is a `commands` row, an audit event, a
recording marker and a pushed event. The channel is seen only through its interface
(bastion.ssh.channel.GatedChannel).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from bastion.access import sessions
from bastion.command_control import policy, scp, sftplog
from bastion.command_control.policy import reads_script_from_stdin, stricter
from bastion.command_control.statements.splitter import MAX_CODE
from bastion.store import StoreError
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.runtime.app import Runtime
    from bastion.ssh.channel import GatedChannel

log = logging.getLogger("bastion.ssh.judge")

NOT_RECORDED_WHY = "the bastion cannot record commands right now; try again in a moment"
NOT_RECORDED = f"not run: {NOT_RECORDED_WHY}"
POLL_HELD = 1.0      # seconds between looks at the store for a decision made elsewhere
PATH_MAX = 4096      # the longest path a file operation names (Linux's PATH_MAX)
EXEC_TOO_LONG = "exec.too_long"  # the rule of an exec command past MAX_CODE: refused unjudged
CONFIRM_TRANSFER = "it needs a supervisor's confirmation, which file transfers cannot wait for"


async def judging_turn(app: Runtime, person: str) -> None:
    """Wait until `person` may judge again: judging time is shared fairly between people
    (bastion.runtime.judging), so one who sends costly lines waits instead of everyone."""
    while (wait := app.judging.wait(person)) > 0:
        await asyncio.sleep(wait)


_T = TypeVar("_T")


def metered(app: Runtime, person: str, work: Callable[[], _T]) -> _T:
    """`work()`, its time spent from `person`'s share of judging (`metering`)."""
    with metering(app, person):
        return work()


@contextlib.contextmanager
def metering(app: Runtime, person: str) -> Iterator[None]:
    """The time spent inside (on the budget's clock) is spent from `person`'s share of judging
    (bastion.runtime.judging), even when it raises. Every reading of a line the gates do is
    metered so: the verdict, the looks at what it reads from stdin (attack O, finding 12:
    `policy.script_doubt` cost as much as `evaluate`, outside the budget), reading it off the
    terminal model and recording it (attack L, finding 5)."""
    started = app.judging.clock()
    try:
        yield
    finally:
        app.judging.spend(person, app.judging.clock() - started)


class Judge:
    """Judges lines for one channel and records every verdict (row, audit, marker, event)."""

    def __init__(self, app: Runtime, channel: GatedChannel) -> None:
        self.app = app
        self.ch = channel

    @property
    def policy(self) -> policy.Policy:
        return self.app.policy

    def verdict(self, line: str, *, certain: bool = True, reason: str = "",
                stream: bool = False, from_home: bool = False,
                interactive: bool = True, known: policy.KnownValues | None = None) -> policy.Verdict:
        """The policy's verdict on `line`. A file-transfer server (scp in server mode, `scp -t`
        or `scp -f`, or an SFTP server such as sftp-server) reads and writes files named inside
        its stream: on a role without file transfers (`sftp = false`) it is denied, and anywhere
        but as the whole exec command of a channel without a pty (`stream`: the bastion follows
        that stream and judges every file it names) it gets the policy's `unknown` action, since
        the files it names would pass unjudged. `interactive` False: no terminal is read line
        by line (policy.evaluate). `known`: what is known of the shell's variables
        (policy.evaluate); the verdict's `known` is what is known after the line, or None."""
        with self.metered():
            return self._verdict(line, certain=certain, reason=reason, stream=stream,
                                 from_home=from_home, interactive=interactive, known=known)

    @contextlib.contextmanager
    def metered(self) -> Iterator[None]:
        """The time spent inside is charged to the channel's person (`metering`): judging a
        line, reading it off the terminal model, looking at what it reads, recording the
        verdict."""
        with metering(self.app, self.ch.identity.user):
            yield

    def _verdict(self, line: str, *, certain: bool, reason: str, stream: bool, from_home: bool,
                 interactive: bool, known: policy.KnownValues | None) -> policy.Verdict:
        ident = self.ch.identity
        # `from_home`: the line runs in the login's home (an exec command, a file transfer's
        # request): relative paths are judged from there too (`../etc/sudoers` from /root).
        judged = f"cd ~{ident.login}; {line}" if from_home else line
        v = policy.evaluate(self.policy, judged, role=ident.role.name, target=ident.target.name,
                            login=ident.login, interactive=interactive, known=known)
        if not certain:
            v = stricter(v, policy.uncertain_verdict(self.policy, reason or "line not certain"))
        # Every line: the name may be spelled with quoting the shell removes (`s\\cp -t`,
        # `'sc'p`, `s''ftp-server`: attack m22o, finding 1), which the parse reads.
        if runs_file_server(line):
            role = self.app.config.roles.get(ident.role.name)
            if role is None or not role.sftp:
                v = stricter(v, policy.Verdict("deny", "role.sftp", "file transfers are not "
                                               f"allowed for the role {ident.role.name}", line, ()))
            elif not stream:
                v = stricter(v, policy.Verdict(
                    self.policy.defaults.unknown, "defaults.unknown",
                    "a file-transfer server here would take file names the bastion cannot judge",
                    line, ()))
        return v

    def record(self, line: str, v: policy.Verdict) -> None:
        """The verdict's row, audit event, marker and pushed event. Charged to the person like
        the judging (attack L, finding 5): a flood of lines cheap to judge but each a store write
        and an audit event waits for its own budget, not everyone's turn on the event loop."""
        with self.metered():
            self._record(line, v)

    def _record(self, line: str, v: policy.Verdict) -> None:
        ch = self.ch
        sessions.record_verdict(self.app.store, ch.session_id, ch.number, ch.identity.user, line,
                                v.action, v.rule, v.message)
        if self.ch.marks and v.action != "allow":
            self.ch.marker(f"{v.action}: {line}" + (f" ({v.rule})" if v.rule else ""))
        self.app.publish("verdict", session=ch.session_id, channel=ch.number, line=line,
                         action=v.action, rule=v.rule, message=v.message)

    async def hold_unless_store_fails(self, line: str, v: policy.Verdict,
                                      cancelled: asyncio.Event) -> tuple[str, str]:
        """`hold`, where a store that fails mid-wait reads as ("not run", why): fail closed, the
        held input never passes (the stdin gates' holds)."""
        try:
            return await self.hold(line, v, cancelled)
        except StoreError as exc:
            log.error("held input not passed, the store failed: %s", exc)
            return "not run", NOT_RECORDED_WHY

    async def hold(self, line: str, v: policy.Verdict, cancelled: asyncio.Event) -> tuple[str, str]:
        """Wait for a supervisor: returns (state, who-or-why). Ctrl-C sets `cancelled`."""
        ch, store = self.ch, self.app.store
        timeout = self.policy.defaults.confirm_timeout
        try:
            hid = sessions.hold(store, ch.session_id, ch.identity.user, line, v.rule, timeout)
        except sessions.HeldLimit as exc:
            self.app.note_refusal("command.held_refused", ch.identity.user, "held",
                                  session=ch.session_id, command=line, reason=str(exc))
            return "not run", str(exc)
        decided = asyncio.Event()
        self.app.held_waiters[hid] = decided
        held = sessions.held_state(store, hid)
        self.app.publish("command_held", held=held and sessions.listed_held(held))
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
                    sessions.cancel_held(store, hid, ch.identity.user)
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


class TransferJudge:
    """Judges the file operations of an scp or sftp channel (command_control.scp and .sftplog).

    Each operation is judged as the shell command that would do the same (`file_op_line`), so the
    policy's rules apply to file transfers as to command lines. A verdict other than allow is
    recorded like a command line's (row, audit event, pushed event); allowed operations are in the
    channel's record and its `file.transfer` events. Confirm cannot hold a request in a stream
    that the client waits on, so it refuses, saying that a supervisor's confirmation is needed.
    """

    def __init__(self, app: Runtime, channel: GatedChannel, protocol: str) -> None:
        self.judge = Judge(app, channel)
        self.protocol = protocol
        self.recorded = 0  # verdicts other than allow recorded (live.MAX_RECORDED_TRANSFERS)

    def __call__(self, op: str, paths: tuple[str, ...], raw: bool) -> str | None:
        """None to let the operation pass, else the one-line reason it is refused. Each operation
        follows the person's role as configured now: a channel opened while the role allowed
        file transfers passes nothing more once it does not (a role change, a reload)."""
        # An SFTP server takes a path as sent: `~root/x` is a folder named "~root" in the home.
        line = file_op_line(op, paths, raw=raw, literal=self.protocol == "sftp")
        if any(len(path.encode("utf-8", "surrogatepass")) > PATH_MAX for path in paths):
            # No file has such a name (Linux: PATH_MAX), and judging one costs time in
            # proportion (attack M: 250 KB paths froze every session): refused unjudged.
            v = policy.Verdict("deny", "defaults.uncertain", f"a path longer than {PATH_MAX} "
                               "bytes", "", ())
        else:
            v = self.judge.verdict(line, from_home=True, interactive=False)
        role_name = self.judge.ch.identity.role.name
        role = self.judge.app.config.roles.get(role_name)
        if role is None or not role.sftp:
            v = stricter(v, policy.Verdict("deny", "role.sftp", "file transfers are not allowed "
                                           f"for the role {role_name}", line, ()))
        if raw:
            v = stricter(v, policy.Verdict(
                self.judge.policy.defaults.unknown, "defaults.unknown",
                "a path known only on the target", "", ()))
        if v.action == "allow":
            return None
        described = visible(f"{self.protocol} {op} {' '.join(paths)}")
        self.recorded += 1
        try:
            self.judge.record(described, v)
        except StoreError as exc:
            log.error("file operation refused, its verdict cannot be recorded: %s", exc)
            return NOT_RECORDED_WHY
        if v.action == "alert":
            self.judge.app.publish("command", session=self.judge.ch.session_id, line=described,
                                   flagged=True)
            return None
        if v.action == "deny":
            return f"denied: {v.message or 'not allowed by policy'}"
        return f"{v.message or 'held by policy'}: {CONFIRM_TRANSFER}"


def runs_file_server(line: str) -> bool:
    """True when a command of `line` is a file-transfer server: scp in server mode or an SFTP
    server (command_control.scp and .sftplog)."""
    return any(scp.mode_of(c) is not None or scp.may_serve(c) or sftplog.is_server(c)
               for c in policy.commands_either_way(line))  # `s=scp; $s -t D` (t29f, 9)


def file_op_line(op: str, paths: tuple[str, ...], *, raw: bool = False,
                 literal: bool = False) -> str:
    """The shell command that does what a file operation does, for the policy to judge.

    `op` is ">" (write), "<" (read), "rm", "mv", "rmdir", "mkdir", "ln", "ln -s", or one with
    its value: "chmod MODE", "chown UID:GID", "truncate SIZE", "touch MTIME". Paths are quoted
    (a leading ~user stays open, the policy expands it, unless `literal`: the path is the name
    as it stands); `raw` paths are kept as written.
    """
    name, *values = op.split(" ")
    words = [shlex.quote(p) if literal else scp.shell_path(p, raw=raw) for p in paths]
    if name in (">", "<"):
        return "; ".join(f": {name} {word}" for word in words)
    if name == "truncate":
        return f"truncate -s {values[0]} -- {words[0]}"
    if name == "touch":
        return f"touch -m -d @{values[0]} -- {words[0]}"
    return " ".join([name, *values, "--", *words])


def own_terminal(program: str) -> str:
    """Why a line whose `program` puts the stdin on a terminal is refused without a pty."""
    return (f"{program} puts what reads this channel on a terminal, which would edit what is "
            "judged here; ask for one (ssh -t)")


async def exec_stream(app: Runtime, channel: GatedChannel
                      ) -> tuple[scp.ServerMode | None, str | None]:
    """Whether an exec command without a pty is a file-transfer server the bastion follows:
    (scp's server mode, "scp"), (None, "sftp") or (None, None). The length is looked at before
    any parse (a command past MAX_CODE is refused by `judge_exec` and is neither), and the parse
    waits for the person's turn and is charged to their share of judging (attack c38o, finding
    2: 250,000 `"` cost 8 s of the one loop here, unmetered, before the bound refused them)."""
    command = channel.command or ""
    if len(command) > MAX_CODE:
        return None, None
    person = channel.identity.user
    await judging_turn(app, person)
    with metering(app, person):
        mode = scp.server_mode(command)
        if mode is not None:
            return mode, "scp"
        return None, "sftp" if sftplog.server_command(command) else None


async def judge_exec(app: Runtime, channel: GatedChannel) -> str | None:
    """An exec command, judged whole before anything is sent: None to run it, else why not.
    `channel.stream` says whether the bastion follows its file-transfer stream (Judge.verdict)."""
    judge = Judge(app, channel)
    command = channel.command or ""
    await judging_turn(app, channel.identity.user)
    if len(command) > MAX_CODE:
        # Past 64 KiB it is not judged (attack b37o, finding 4: held 250 KB commands cost every
        # `held` listing seconds of the one loop), and refused whatever the `uncertain` action:
        # never held either, a supervisor could not read it (attack c38o, finding 1).
        v = policy.Verdict("deny", EXEC_TOO_LONG,
                           f"the command is longer than {MAX_CODE // 1024} KiB ({len(command)} "
                           "characters): too long to judge; send a long script on stdin "
                           "(`ssh HOST bash -s < FILE`)", "", ())
    else:
        v = _exec_verdict(app, judge, channel, command)
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


def _exec_verdict(app: Runtime, judge: Judge, channel: GatedChannel, command: str) -> policy.Verdict:
    """An exec command's verdict: the policy's, and what it reads and makes stricter."""
    # An exec command runs in a shell just started (`$SHELL -c COMMAND`): nothing set yet.
    v = judge.verdict(command, stream=channel.stream is not None, from_home=True,
                      interactive=channel.interactive, known=policy.KnownValues())
    with judge.metered():
        reads = reads_script_from_stdin(command)
    if reads == "interpreter" and channel.interactive and policy.typed_at_a_terminal(command):
        pass  # `ssh -t host vim f`: the keys go through the interactive gate, as at a prompt
    elif reads == "interpreter":
        v = stricter(v, policy.Verdict(app.policy.defaults.unknown, "defaults.unknown",
                                       "an interpreter reading its program from stdin",
                                       command, ()))
    elif reads == "shell":
        # `read x; bash`: what read takes from stdin the stdin gate judged as the shell's.
        with judge.metered():
            reader = policy.stdin_reader(command)
        if reader is not None and not reader.reads_stdin:
            v = stricter(v, policy.Verdict(
                app.policy.defaults.unknown, "defaults.unknown",
                f"{reader.name} may read the stdin the shell reads its commands from", command,
                ()))
    if not channel.interactive:
        with judge.metered():
            own = policy.terminal_maker(command)
        if own is not None:
            # A terminal would edit what the stdin gate judged, or take the stdin ungated
            # (attacks p25o, finding 4; q26o, 1, 4, 7): with a pty the interactive gate reads
            # the keys as the terminal does.
            v = stricter(v, policy.Verdict("deny", "defaults.uncertain", own_terminal(own),
                                           command, ()))
    return v
