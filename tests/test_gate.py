"""bastion.ssh.gate, the glue between a channel and the pure parts (policy, tracker, statement
splitter), driven without a network: a real store and policy, and a channel that stands in for
ProxyChannel with a target that answers as bash at a prompt does.

What is proved is what the target and the user observe: which bytes reach the target and when,
what the user is told, and that every verdict is a `commands` row, an audit event and a pushed
`verdict` event. Failing the store must keep a line from running (fail closed), and the session
must go on once the store is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bastion import audit, config
from bastion.access import sessions, users
from bastion.command_control.policy import policy_from_dict
from bastion.runtime.judging import JudgingBudget
from bastion.ssh.gate import InputGate, StdinGate, make_gate
from bastion.store import Store
from bench.untracked import untracked_gate

PROMPT = b"\x1b[?2004hbob@web01:~$ "
ENTER = b"\r\n\x1b[?2004l\r"  # bash's answer to Enter: new line, "running a command"
CTRL_C_ANSWER = b"^C\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n" + PROMPT
WAIT = 10.0  # seconds: a bound on the awaits below, never reached when the gate works

POLICY = policy_from_dict({"rules": [
    {"name": "no-reboot", "action": "deny", "commands": ["reboot"],
     "message": "no reboots \x1b]0;owned\x07here"},
    {"name": "restarts", "action": "confirm", "commands": ["systemctl"]},
    {"name": "downloads", "action": "alert", "commands": ["curl"]},
]})


class Bash:
    """Enough of bash at a prompt: printable keys echo, Ctrl-E Ctrl-U clear the line, Enter
    runs it (the newline, then the next prompt), Ctrl-C abandons it. What the shell ran is
    `ran`; for a shell reading stdin (no pty), `stdin` is what reached it."""

    def __init__(self) -> None:
        self.line = ""
        self.ran: list[str] = []
        self.stdin = bytearray()
        self.eof = False

    def keys(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            key = bytes([byte])
            if key == b"\r":
                if self.line:
                    self.ran.append(self.line)
                self.line = ""
                out += ENTER + PROMPT
            elif key == b"\x03":
                self.line = ""
                out += CTRL_C_ANSWER
            elif key == b"\x15":
                out += b"\b" * len(self.line) + b"\x1b[K"
                self.line = ""
            elif key == b"\x05":
                pass
            elif key.isascii() and key.decode().isprintable():
                self.line += key.decode()
                out += key
        return bytes(out)


class Channel:
    """What the gate asks of a channel (bastion.ssh.channel.GatedChannel), with a Bash behind
    it. The target answers in a later pass of the event loop, as a real one does."""

    def __init__(self, live: Any, *, kind: str = "shell", pty: bool = True) -> None:
        self.live = live
        self.kind = kind
        self.command: str | None = None
        self.number = 1
        self.marks = False  # no cast: verdicts get no marker
        self.pty = pty
        self.bash = Bash()
        self.gate: Any = None
        self.notices: list[str] = []
        self.stderr = bytearray()
        self.holds: set[str] = set()
        self.changed = asyncio.Event()

    @property
    def identity(self) -> Any:
        return self.live.identity

    @property
    def session_id(self) -> str:
        return self.live.id

    def end_session(self, state: str, reason: str, *, status: int = 1) -> None:
        self.live.end(state, reason, status=status)

    def write_stderr(self, data: bytes) -> None:
        self.stderr += data
        self.changed.set()

    def _write_eof(self) -> None:
        self.bash.eof = True
        self.changed.set()

    def send_input(self, data: bytes) -> None:
        if not self.pty:
            self.bash.stdin += data
            self.changed.set()
            return
        self.write_upstream(data)

    def write_upstream(self, data: bytes) -> None:
        out = self.bash.keys(data)
        self.changed.set()
        if out:
            asyncio.get_running_loop().call_soon(self.gate.target_output, out)

    def send_eof(self) -> None:
        self._write_eof()

    def notice(self, text: str) -> None:
        self.notices.append(text)
        self.changed.set()

    def marker(self, text: str) -> None:
        raise AssertionError("a channel without a cast gets no marker")

    def hold_client(self, why: str) -> None:
        self.holds.add(why)

    def release_client(self, why: str) -> None:
        self.holds.discard(why)

    async def until(self, condition: Callable[[], bool]) -> None:
        """Until `condition()` holds: checked after each thing the channel sees."""
        async def watch() -> None:
            while not condition():
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(watch(), WAIT)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bastion.db", create=True)
    yield s
    s.close()


def make_app(store: Store) -> Any:
    published: list[dict[str, Any]] = []
    app = SimpleNamespace(
        store=store, policy=POLICY, held_waiters={}, published=published,
        config=config.load_config(config.DEFAULTS_DIR / "bastion.toml"),
        publish=lambda event, **data: published.append({"event": event, **data}),
        judging=JudgingBudget())
    return app


def exec_channel(live: Any, command: str) -> Channel:
    """An exec channel without a pty running `command`, no file-transfer stream followed."""
    ch = Channel(live, kind="exec", pty=False)
    ch.command = command
    ch.stream = None  # type: ignore[attr-defined]
    ch.interactive = False  # type: ignore[attr-defined]
    return ch


def make_live(store: Store, app: Any) -> Any:
    # The person who types: a held command of someone removed or locked is never confirmed.
    if store.one("SELECT 1 FROM users WHERE name = 'alice'") is None:
        users.add(store, "alice", "engineer", None, "local:test")
    sid = sessions.create(store, user="alice", target="web01", login="bob", ticket="INC-1",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    ended: list[tuple[str, str]] = []
    identity = SimpleNamespace(user="alice", role=app.config.roles["engineer"], login="bob",
                               target=SimpleNamespace(name="web01"))
    return SimpleNamespace(id=sid, identity=identity, ended=ended,
                           end=lambda state, reason, **kw: ended.append((state, reason)))


def verdicts(store: Store, session_id: str) -> list[tuple[str, str]]:
    return [(r["line"], r["verdict"]) for r in store.all(
        "SELECT line, verdict FROM commands WHERE session_id = ? ORDER BY id", (session_id,))]


def audited(store: Store, session_id: str) -> list[tuple[str, str]]:
    return [(e["data"]["line"], e["data"]["verdict"]) for e in audit.export(store)
            if e["type"] == "command.verdict" and e["data"]["session"] == session_id]


# ---------------------------------------------------------------- a shell reading stdin

async def stdin_gate(store: Store) -> tuple[StdinGate, Channel, Any]:
    app = make_app(store)
    live = make_live(store, app)
    ch = Channel(live, pty=False)
    gate = StdinGate(app, ch)  # type: ignore[arg-type]
    ch.gate = gate
    return gate, ch, app


async def test_stdin_statements_reach_the_shell_once_judged_and_a_denied_one_never(store):
    gate, ch, app = await stdin_gate(store)

    gate.client_input(b"echo one\nreboot\ncurl -s example.org\n")
    await ch.until(lambda: b"curl" in ch.bash.stdin)

    assert bytes(ch.bash.stdin) == b"echo one\ncurl -s example.org\n"
    judged = [("echo one", "allow"), ("reboot", "deny"), ("curl -s example.org", "alert")]
    assert verdicts(store, ch.live.id) == judged == audited(store, ch.live.id)
    assert [(m["line"], m["action"]) for m in app.published if m["event"] == "verdict"] == judged
    # The rule's message is someone else's text: shown with its escape spelled out.
    assert b"bastion: denied: no reboots \\x1b]0;owned\\x07here\n" in ch.stderr
    assert b"\x1b" not in ch.stderr


async def test_stdin_eof_reaches_the_shell_after_its_unfinished_last_statement_is_judged(store):
    gate, ch, _ = await stdin_gate(store)

    gate.client_input(b"echo a\necho b")
    gate.eof()
    await ch.until(lambda: ch.bash.eof)

    assert bytes(ch.bash.stdin) == b"echo a\necho b"
    assert verdicts(store, ch.live.id) == [("echo a", "allow"), ("echo b", "allow")]


async def test_a_person_past_their_share_of_judging_waits_paused_and_nothing_is_refused(store):
    # Attack K, finding 4: costly statements from one person held every session; past their
    # share of judging time (bastion.runtime.judging) their gate waits, their client paused.
    gate, ch, app = await stdin_gate(store)
    app.judging = JudgingBudget(person_rate=1.0, person_burst=0.0)
    app.judging.spend("alice", 0.2)  # alice owes 0.2 s of judging

    gate.client_input(b"echo one\necho two\n")
    assert bytes(ch.bash.stdin) == b"" and verdicts(store, ch.live.id) == []
    await ch.until(lambda: b"two" in ch.bash.stdin)
    assert bytes(ch.bash.stdin) == b"echo one\necho two\n"
    assert verdicts(store, ch.live.id) == [("echo one", "allow"), ("echo two", "allow")]
    assert b"denied" not in ch.stderr and b"held" not in ch.stderr


async def test_recording_verdicts_is_charged_to_their_person_so_a_cheap_flood_waits(store,
                                                                                    monkeypatch):
    # Attack L, finding 5: `true` lines cost little to judge but each is a commands row and an
    # audit event: a flood of them slowed another person's login from 0.4 s to 2 s. Recording is
    # charged like judging: here only the store write moves the clock, 10 ms a verdict, so a
    # 0.25 s burst records about 25 of 1000 before the gate waits, its client paused.
    import bastion.ssh.judge as judge_module

    gate, ch, app = await stdin_gate(store)
    clock = [0.0]
    app.judging = JudgingBudget(lambda: clock[0], person_rate=0.1, person_burst=0.25)
    write = judge_module.sessions.record_verdict

    def costly_write(*args: Any, **kw: Any) -> None:
        clock[0] += 0.01
        write(*args, **kw)

    monkeypatch.setattr(judge_module.sessions, "record_verdict", costly_write)
    gate.client_input(b"true\n" * 1000)
    await ch.until(lambda: "gate" in ch.holds and app.judging.wait("alice") > 0)
    assert 20 <= len(verdicts(store, ch.live.id)) <= 30
    assert app.judging.wait("bob") == 0
    assert b"denied" not in ch.stderr
    gate.close()


async def test_a_held_statement_keeps_what_follows_until_a_supervisor_confirms_it(store):
    gate, ch, app = await stdin_gate(store)

    gate.client_input(b"systemctl restart nginx\necho after\n")
    await ch.until(lambda: bool(app.held_waiters))
    assert bytes(ch.bash.stdin) == b""
    (held,) = sessions.list_held(store)
    assert held["command"] == "systemctl restart nginx"

    sessions.decide_held(store, app.config, held["id"], "local:sam", confirm=True)
    app.held_waiters[held["id"]].set()
    await ch.until(lambda: b"after" in ch.bash.stdin)

    assert bytes(ch.bash.stdin) == b"systemctl restart nginx\necho after\n"
    assert [m["event"] for m in app.published if m["event"] != "verdict"] == [
        "command_held", "held_resolved"]


async def test_a_statement_whose_verdict_cannot_be_recorded_does_not_run(store, tmp_path):
    gate, ch, _ = await stdin_gate(store)
    store.set_lock_timeout(0)
    other = Store(tmp_path / "bastion.db")
    try:
        with other.transaction():  # another process holds the write lock
            gate.client_input(b"echo locked-out\n")
            await ch.until(lambda: b"not run" in ch.stderr)
        gate.client_input(b"echo back\n")
        await ch.until(lambda: b"back" in ch.bash.stdin)
    finally:
        other.close()

    assert bytes(ch.bash.stdin) == b"echo back\n"
    assert b"bastion: not run: the bastion cannot record commands right now" in ch.stderr
    assert verdicts(store, ch.live.id) == [("echo back", "allow")]


# ---------------------------------------------------------------- an interactive shell

async def input_gate(store: Store) -> tuple[InputGate, Channel, Any]:
    app = make_app(store)
    live = make_live(store, app)
    ch = Channel(live)
    gate = InputGate(app, ch, 80, 24)  # type: ignore[arg-type]
    ch.gate = gate
    gate.target_output(b"Last login: Mon Nov 23 10:00:00 2026\r\n" + PROMPT)
    return gate, ch, app


async def type_line(gate: InputGate, ch: Channel, text: str) -> None:
    """Type `text` and Enter, a key at a time, each once the one before it showed."""
    for key in text:
        shown = len(ch.bash.line)
        gate.client_input(key.encode())
        await ch.until(lambda shown=shown: len(ch.bash.line) > shown)
    gate.client_input(b"\r")


async def test_an_allowed_line_runs_and_a_denied_one_never_reaches_the_shell(store):
    gate, ch, app = await input_gate(store)
    try:
        await type_line(gate, ch, "ls -l")
        await ch.until(lambda: ch.bash.ran == ["ls -l"])

        await type_line(gate, ch, "reboot")
        await ch.until(lambda: bool(ch.notices))
        await ch.until(lambda: ch.bash.line == "")

        await type_line(gate, ch, "echo still-here")
        await ch.until(lambda: len(ch.bash.ran) == 2)
    finally:
        gate.close()

    assert ch.bash.ran == ["ls -l", "echo still-here"]
    assert ch.notices == ["denied: no reboots \x1b]0;owned\x07here"]  # ch.notice makes it visible
    judged = [("ls -l", "allow"), ("reboot", "deny"), ("echo still-here", "allow")]
    assert verdicts(store, ch.live.id) == judged == audited(store, ch.live.id)
    assert [(m["line"], m["action"]) for m in app.published if m["event"] == "verdict"] == judged
    assert ch.live.ended == []


async def test_an_interactive_line_whose_verdict_cannot_be_recorded_does_not_run(store, tmp_path):
    gate, ch, _ = await input_gate(store)
    store.set_lock_timeout(0)
    other = Store(tmp_path / "bastion.db")
    try:
        with other.transaction():  # another process holds the write lock
            await type_line(gate, ch, "echo locked-out")
            await ch.until(lambda: bool(ch.notices))
        await ch.until(lambda: ch.bash.line == "")
        await type_line(gate, ch, "echo back")
        await ch.until(lambda: bool(ch.bash.ran))
    finally:
        other.close()
        gate.close()

    assert ch.bash.ran == ["echo back"]
    assert ch.notices == ["not run: the bastion cannot record commands right now; try again in "
                          "a moment"]
    assert verdicts(store, ch.live.id) == [("echo back", "allow")]


# ------------------------------------------------ output the client does not take (attack N, 5)

class Withholding(Channel):
    """A channel whose client stops taking output: the target's answers wait unread, as the
    proxy stops reading the target, until the client takes output again."""

    def __init__(self, live: Any) -> None:
        super().__init__(live)
        self.unread = bytearray()

    def write_upstream(self, data: bytes) -> None:
        out = self.bash.keys(data)
        self.changed.set()
        if self.gate._withheld:
            self.unread += out
        elif out:
            asyncio.get_running_loop().call_soon(self.gate.target_output, out)

    def take_output(self) -> None:
        """As ProxyChannel.resume_writing: what was read is fed first, then the gate is told."""
        data, self.unread = bytes(self.unread), bytearray()
        if data:
            self.gate.target_output(data)
        self.gate.output_withheld(False)


class Logged(logging.Handler):
    """Sets `seen` when the gate logs a line containing `text`."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()


@pytest.fixture
def waits_for_echo() -> Iterator[Logged]:
    handler = Logged("a line waits for its echo")
    logger = logging.getLogger("bastion.ssh.gate")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def withholding_gate(store: Store) -> tuple[InputGate, Withholding]:
    app = make_app(store)
    ch = Withholding(make_live(store, app))
    gate = InputGate(app, ch, 80, 24)  # type: ignore[arg-type]
    ch.gate = gate
    gate.target_output(b"Last login: Mon Nov 23 10:00:00 2026\r\n" + PROMPT)
    return gate, ch


async def test_a_line_typed_while_the_client_takes_no_output_runs_once_its_echo_flows(
        store, monkeypatch, waits_for_echo):
    # A slow terminal scrolling a big output, then a line typed: it waits for output to flow,
    # however long past the echo wait (here none at all), and runs once its echo is shown.
    import bastion.ssh.gate as gate_module
    monkeypatch.setattr(gate_module, "ECHO_WAIT", 0.0)
    gate, ch = await withholding_gate(store)
    try:
        gate.output_withheld(True)
        gate.client_input(b"ls -l\r")
        await asyncio.wait_for(waits_for_echo.seen.wait(), WAIT)
        assert (ch.bash.line, ch.bash.ran, ch.notices) == ("ls -l", [], [])  # keys sent, Enter held
        ch.take_output()
        await ch.until(lambda: ch.bash.ran == ["ls -l"])
    finally:
        gate.close()
    assert verdicts(store, ch.live.id) == [("ls -l", "allow")]
    assert ch.notices == []


async def test_a_line_whose_echo_stays_withheld_past_the_bound_is_refused_as_unread(
        store, monkeypatch):
    import bastion.ssh.gate as gate_module
    monkeypatch.setattr(gate_module, "WITHHELD_WAIT", 0.0)
    gate, ch = await withholding_gate(store)
    try:
        gate.output_withheld(True)
        gate.client_input(b"ls -l\r")
        await ch.until(lambda: bool(ch.notices))
    finally:
        gate.close()
    assert ch.bash.ran == []
    assert ch.notices[0].startswith("denied: the command line could not be read")
    assert "withheld" in ch.notices[0]
    assert verdicts(store, ch.live.id) == [(gate_module.BLIND_LINE, "deny")]


# ---------------------------------------------------------------- which gate a channel gets

PTY = ("xterm", (80, 24, 0, 0), {})


@pytest.mark.parametrize(("kind", "pty", "command", "stream", "product", "untracked"), [
    ("shell", True, None, None, "InputGate", None),
    ("exec", True, "vim notes", None, "InputGate", "InputGate"),
    ("shell", False, None, None, "StdinGate", "StdinGate"),
    ("exec", False, "bash -s", None, "StdinGate", "StdinGate"),
    ("exec", False, "uptime", None, None, None),
    ("exec", False, "scp -t /tmp", "scp", None, None),
    ("subsystem", False, None, "sftp", None, None),
])
async def test_the_gate_factory_gives_each_kind_of_channel_its_gate_and_the_bench_one_spares_pty_shells(
        store, kind, pty, command, stream, product, untracked):
    """The product's factory (the server's unless its owner gives another) and bench/untracked's,
    asked through the channel interface only: a pty shell is the one channel they differ on."""
    app = make_app(store)
    made = []
    for factory in (make_gate, untracked_gate):
        ch = Channel(make_live(store, app), kind=kind, pty=pty)
        ch.command, ch.stream, ch.interactive, ch.term = command, stream, pty, PTY if pty else None
        made.append(factory(app, ch))  # type: ignore[arg-type]
    assert [type(g).__name__ if g is not None else None for g in made] == [product, untracked]
    for g in made:
        if g is not None:
            g.close()


async def judging_on_a_fast_clock(store, monkeypatch):
    """An InputGate whose every look at the clock is 20 ms later, and the lines it judges."""
    import bastion.ssh.gate as gate_module

    gate, ch, _ = await input_gate(store)
    judged: list[str] = []
    real = gate.judge.verdict
    gate.judge.verdict = lambda line, **kw: judged.append(line) or real(line, **kw)
    now = iter(range(0, 10000))
    monkeypatch.setattr(gate_module.time, "perf_counter", lambda: next(now) / 50)
    return gate, ch, judged


async def test_the_readings_of_one_line_stop_at_their_time_and_the_line_is_uncertain(store,
                                                                                     monkeypatch):
    # Attack L, finding 4: forty readings of one line, each up to the policy's work bound, were
    # judged back to back on the event loop (every session froze for 20 s). Past READINGS_TIME
    # the rest are not judged and the line is uncertain (refused under this policy).
    from bastion.command_control.terminal import Reconstruction

    gate, ch, judged = await judging_on_a_fast_clock(store, monkeypatch)
    rec = Reconstruction("echo a", True, "", "command",
                         also=tuple(f"echo {i}" for i in range(40)))
    v = gate._judge(rec)
    assert v.rule == "defaults.uncertain" and "too many readings" in v.message
    assert 1 < len(judged) < 41
    assert verdicts(store, ch.live.id) == [("echo a", v.action)]


async def test_the_readings_of_keys_typed_without_echo_stop_at_their_time_and_are_refused(
        store, monkeypatch):
    # The same bound on the hidden path (`_judge_hidden`): keys at a password prompt read in
    # forty ways are not all judged, and past READINGS_TIME they are refused, never let through.
    from bastion.command_control.terminal import Reconstruction

    gate, ch, judged = await judging_on_a_fast_clock(store, monkeypatch)
    rec = Reconstruction("", True, "", "not-a-command", prompt="Password: ", hidden="hunter2",
                         hidden_also=tuple(f"hunter{i}" for i in range(40)))
    v = gate._judge(rec)
    assert v is not None and v.action == "deny" and v.rule == "defaults.uncertain"
    assert 1 <= len(judged) < 41 and judged[0] == "hunter2"
    assert verdicts(store, ch.live.id) == [("(line typed without echo)", "deny")]


async def test_a_file_operation_on_a_path_longer_than_path_max_is_refused_unjudged(store):
    # Attack M, finding 12: 250 KB sftp paths took seconds each to judge, on the one event loop.
    from bastion.ssh.judge import PATH_MAX, TransferJudge

    app = make_app(store)
    ch = Channel(make_live(store, app), pty=False)
    judge = TransferJudge(app, ch, "sftp")  # type: ignore[arg-type]
    judged: list[str] = []
    real = judge.judge.verdict
    judge.judge.verdict = lambda line, **kw: judged.append(line) or real(line, **kw)
    assert judge("open-write", ("/tmp/" + "x" * PATH_MAX,), False) is not None
    # bytes, not characters (attack O): 1,100 four-byte characters are 4,400 bytes
    assert judge("open-write", ("/tmp/" + "\U0001f600" * 1100,), False) is not None
    assert judged == []
    assert judge("open-write", ("/tmp/ok",), False) is None
    assert len(judged) == 1


# ---------------------------------------------------------------- judging time metered

class StepClock:
    """The budget's clock: it moves only when a reading of the line costs (`costly`), one
    second each time."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def costly(self, result: Any) -> Callable[..., Any]:
        def reading(*args: Any, **kwargs: Any) -> Any:
            self.now += 1.0
            return result
        return reading


class CountingBudget(JudgingBudget):
    """A budget that keeps what each person was charged."""

    def __init__(self, clock: StepClock) -> None:
        super().__init__(clock)
        self.charged: dict[str, float] = {}

    def spend(self, person: str, seconds: float) -> None:
        self.charged[person] = self.charged.get(person, 0.0) + seconds
        super().spend(person, seconds)


async def test_the_stdin_gates_look_at_what_a_statement_reads_is_metered_with_its_verdict(
        store, monkeypatch):
    # Attack O, finding 12: policy.script_doubt (a second reading of every statement, as
    # costly as evaluate) ran outside the person's budget of judging time. One second of it is
    # charged as one second of verdict is.
    clock = StepClock()
    gate, _, app = await stdin_gate(store)
    app.judging = CountingBudget(clock)
    monkeypatch.setattr("bastion.command_control.policy.script_doubt", clock.costly(None))

    assert gate.verdict("echo a").action == "allow"
    assert app.judging.charged == {"alice": 1.0}


async def test_an_exec_commands_look_at_its_stdin_is_metered_with_its_verdict(store, monkeypatch):
    # The same for an exec command: reads_script_from_stdin, in judge_exec and in the gate
    # factory, reads the whole command again.
    from bastion.ssh import judge

    clock = StepClock()
    app = make_app(store)
    app.judging = CountingBudget(clock)
    ch = exec_channel(make_live(store, app), "echo a")
    monkeypatch.setattr(judge, "reads_script_from_stdin", clock.costly(None))
    monkeypatch.setattr("bastion.ssh.gate.reads_script_from_stdin", clock.costly(None))

    assert await judge.judge_exec(app, ch) is None  # type: ignore[arg-type]
    assert app.judging.charged == {"alice": 1.0}
    assert make_gate(app, ch) is None  # type: ignore[arg-type]
    assert app.judging.charged == {"alice": 2.0}
