"""Hostile clients, session abuse and faults against a real `bastion serve` and a real OpenSSH sshd.

Each case is what an attacker or an unlucky user would do; each test asserts what they observe
(exit status, the bastion's one-line reason, the audit event with their address), that the bastion
still serves a normal user afterwards, and (World.close) that its log holds no traceback.

Attempts come from their own loopback address (127.0.1.N), so the audit event and the log line of
each one can be told apart from every other.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import re
import resource
import secrets
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import asyncssh
import pytest

import certs
from bastion import audit, config, recording
from bastion.access import mfa, sessions
from bastion.ssh.negotiation import MAX_TERM_COLS, MAX_TERM_ROWS
from tests.conftest import add_target, make_key, set_server_key
from tests.harness import LOGIN, Client, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

RSS_BOUND = 200 * 1024 * 1024  # growth of the bastion's resident memory any one abuse may cause
PROMPT = rb"\x1b\[\?2004h[^\r\n]*[#$>] "
_sources = (f"127.0.{n // 250 + 1}.{n % 250 + 1}" for n in itertools.count())
_serials = itertools.count(800_000)  # never issued: the store has no row for them


def next_source() -> str:
    """A loopback address no other attempt in this run comes from."""
    return next(_sources)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("hardening"))
    yield w
    w.close()


# -- helpers ----------------------------------------------------------------------------------


class Prober(asyncssh.SSHClient):
    """An asyncssh client that keeps the bastion's banner lines and answers the TOTP prompt once
    (with `code`), then gives up; `on_banner` sees each banner line as it arrives."""

    def __init__(self, code: str | None = None, on_banner=None) -> None:
        self.code = code
        self.banners: list[str] = []
        self.on_banner = on_banner

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.banners.append(msg)
        if self.on_banner is not None:
            self.on_banner(msg)

    def kbdint_auth_requested(self) -> str | None:
        return "" if self.code is not None else None

    def kbdint_challenge_received(self, name, instructions, lang, prompts):
        if not prompts:
            return []
        code, self.code = self.code, None
        return [code] if code is not None else None


async def attempt(world: World, username: str, key: asyncssh.SSHKey, *,
                  cert: asyncssh.SSHCertificate | None = None, code: str | None = None,
                  source: str = "127.0.0.1", client: Prober | None = None
                  ) -> tuple[asyncssh.SSHClientConnection | Exception, Prober]:
    """Log in as `username`; returns the connection, or the exception the client got."""
    client = client or Prober(code)
    try:
        conn, _ = await asyncio.wait_for(asyncssh.create_connection(
            lambda: client, "127.0.0.1", world.bastion.port, local_addr=(source, 0),
            username=username, client_keys=[(key, cert) if cert else key], known_hosts=None,
            agent_path=None, config=None, password_auth=False,
            kbdint_auth=client.code is not None), 30)
    except (asyncssh.Error, OSError) as exc:
        return exc, client
    return conn, client


def refusals(world: World, source: str, event: str = "auth.refused") -> list[dict]:
    """The audit events of one type for the attempt from `source`, once the bastion logged one."""
    world.bastion.output.wait_for(rf'audit {re.escape(event)} .*"client":"{re.escape(source)}"')
    return [e for e in audit.export(world.ctx.store)
            if e["type"] == event and e["data"].get("client") == source]


def refusal(world: World, source: str, event: str = "auth.refused") -> dict:
    """The one audit event of this type for the attempt from `source`."""
    found = refusals(world, source, event)
    assert len(found) == 1, found
    return found[0]


def assert_still_serving(world: World) -> None:
    """A normal user logs in with key + TOTP and runs a command."""
    norma = world.person("norma")
    world.grant(norma)
    r = norma.run(f"{LOGIN}@web01", "echo still-serving")
    assert r.returncode == 0 and r.stdout == b"still-serving\n", r.stderr
    assert world.bastion.proc.poll() is None


def rss(world: World) -> int:
    """The bastion process's resident memory, in bytes."""
    status = Path(f"/proc/{world.bastion.proc.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


def wrong_code(secret: str) -> str:
    """A six-digit code no step within the accepted drift produces."""
    now = time.time()
    valid = {mfa.current_code(secret, now + d * mfa.STEP) for d in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in valid)


def user_key(client: Client) -> asyncssh.SSHKey:
    return asyncssh.read_private_key(str(client.key_path))


class Output:
    """Collects an asyncssh process's output; `expect` waits for a pattern in it."""

    def __init__(self, reader: asyncssh.SSHReader) -> None:
        self.buffer = bytearray()
        self.closed = False
        self._changed = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._pump(reader))

    async def _pump(self, reader: asyncssh.SSHReader) -> None:
        while data := await reader.read(65536):
            self.buffer += data
            self._changed.set()
        self.closed = True
        self._changed.set()

    async def expect(self, pattern: bytes, start: int = 0, timeout: float = 20) -> int:
        """Wait until the output (from `start`) matches; returns the end offset of the match."""
        regex = re.compile(pattern)
        deadline = asyncio.get_running_loop().time() + timeout
        while not (m := regex.search(self.buffer, start)):
            tail = bytes(self.buffer[-500:])
            assert not self.closed, f"ended before {pattern!r}: {tail!r}"
            self._changed.clear()
            try:
                async with asyncio.timeout_at(deadline):
                    await self._changed.wait()
            except TimeoutError:
                raise AssertionError(f"timed out waiting for {pattern!r}: {tail!r}") from None
        return m.end()


async def logged_in(world: World, who: Client, source: str = "127.0.0.1"
                    ) -> asyncssh.SSHClientConnection:
    conn, client = await attempt(world, f"{LOGIN}@web01", user_key(who), code=who.next_code(),
                                 source=source)
    assert not isinstance(conn, Exception), (conn, client.banners)
    return conn


def dial(source: str, port: int, first: bytes = b"") -> socket.socket:
    """A raw TCP connection to the bastion from `source`, which sends `first` (if it can)."""
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    with contextlib.suppress(ConnectionError):  # the bastion may hang up first
        s.sendall(first)
    return s


def wait_closed(socks: list[socket.socket], count: int, timeout: float = 30) -> set[socket.socket]:
    """Read (and drop) what the server sends until `count` of the sockets see it hang up."""
    closed: set[socket.socket] = set()
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        while len(closed) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"{len(closed)} of {count} connections closed within {timeout}s"
            for key, _ in sel.select(left):
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    closed.add(key.fileobj)
    return closed


def is_open(s: socket.socket) -> bool:
    s.setblocking(False)
    try:
        while s.recv(65536):
            pass
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def find_process(*argv: bytes) -> int:
    """The pid of the process running exactly `argv` (on the target, which is this machine),
    looked for until it has started."""
    cmdline = b"\0".join(argv) + b"\0"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry / "cmdline").read_bytes() == cmdline:
                    return int(entry.name)
            except OSError:
                continue
        time.sleep(0.05)  # /proc has no notification; poll it
    raise AssertionError(f"no process {argv!r}")


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def recording_closed(world: World, name: str) -> Path:
    world.bastion.output.wait_for(rf"audit recording\.closed .*{re.escape(name)}")
    return world.home.recordings / name


# -- 1. hostile user names, certificates, keys and codes ---------------------------------------

HOSTILE_NAMES = [
    # (case, user name, key, what the audit event says, what the client is told)
    ("empty", "", "enrolled", "key not acceptable for this user name", None),
    ("10 KB", "x" * 10240, "enrolled", "illegal user name: Username too long", None),
    ("two @", "a@b@web01", "enrolled", "key not acceptable for this user name", None),
    ("path", "../etc@web01", "enrolled", "key not acceptable for this user name", None),
    ("NUL", f"{LOGIN}\x00@web01", "enrolled", "illegal user name: Prohibited character", None),
    ("forged log line", "alice\n2026-01-01 INFO audit auth.success alice", "enrolled",
     "illegal user name: Prohibited character", None),
    ("terminal escape", "\x1b]0;pwned\x07@web01", "enrolled",
     "illegal user name: Prohibited character", None),
    ("bidi override", f"\u202e{LOGIN}@web01", "enrolled",
     "illegal user name: Prohibited character", None),
    # the same words as for a target that exists: nothing tells which targets do
    ("unknown target", f"{LOGIN}@nowhere", "enrolled", f"no active grant for {LOGIN}@nowhere",
     f"no active grant for {LOGIN}@nowhere"),
    ("unknown login", "nobody@web01", "enrolled", "login 'nobody' is not offered on web01",
     "login 'nobody' is not offered on web01"),
    ("unknown user", "mallory", "enrolled", "key not acceptable for this user name", None),
    ("key not enrolled", f"{LOGIN}@web01", "stranger", "key not acceptable for this user name",
     None),
    ("key not enrolled, command", "alice", "stranger", "key not acceptable for this user name",
     None),
]


async def test_hostile_user_names_and_unknown_keys_are_refused_and_audited(
        world, tmp_path, monkeypatch):
    # asyncssh's client would clean the name up (SASLprep) before sending it; an attacker's
    # client does not.
    monkeypatch.setattr(asyncssh.connection, "saslprep", lambda name: name)
    alice = world.person("alice")
    world.grant(alice)
    keys = {"enrolled": user_key(alice), "stranger": make_key(tmp_path, "stranger")[1]}
    sources = []
    for case, name, key, reason, told in HOSTILE_NAMES:
        source = next_source()
        sources.append(source)
        conn, client = await attempt(world, name, keys[key], code="123456", source=source)
        assert isinstance(conn, (asyncssh.PermissionDenied, asyncssh.IllegalUserName)), case
        event = refusal(world, source)
        assert reason in event["data"]["reason"], (case, event)
        assert event["data"]["proven"] is (told is not None), case
        if told is None:
            assert client.banners == [], (case, "nothing may tell who or what exists")
        else:
            assert len(client.banners) == 1 and client.banners[0].startswith(
                f"bastion: {told}"), (case, client.banners)
    assert not [e for e in audit.export(world.ctx.store)
                if e["type"] == "auth.success" and e["data"]["client"] in sources]
    assert "2026-01-01 INFO" not in world.bastion.log()
    assert_still_serving(world)


def _cert(world: World, key: asyncssh.SSHKey, serial: int, principals: list[str], *,
          starts: int = -60, ends: int = 600, **options) -> asyncssh.SSHCertificate:
    now = int(time.time())
    return certs.mint_user_certificate(
        world.ctx.user_ca, key.convert_to_public(), serial=serial, key_id="hostile",
        principals=principals, valid_after=now + starts, valid_before=now + ends, **options)


CERTIFICATE_CASES = [
    # (case, user name, certificate options, audit reason, told) -- all signed by the user CA
    ("not yet valid", f"{LOGIN}@web01", {"starts": 600, "ends": 1200}, "not yet valid", None),
    ("another principal", f"{LOGIN}@web01", {"principals": [f"{LOGIN}@spoofed"]},
     "principal mismatch", None),
    ("another source address", f"{LOGIN}@web01", {"source_address": ["192.0.2.0/24"]},
     "does not allow source address", None),
    ("force-command", f"{LOGIN}@web01", {"force_command": "true"},
     "carries force-command", None),
    ("command interface", "alice", {"principals": ["alice"]},
     "certificates open sessions only", "certificates open sessions only"),
]


async def test_certificates_this_bastion_would_not_accept_are_refused_and_audited(
        world, tmp_path):
    _, key = make_key(tmp_path, "holder")  # a certificate needs no enrolled key
    for case, name, options, reason, told in CERTIFICATE_CASES:
        options = {"principals": [name], **options}
        cert = _cert(world, key, next(_serials), options.pop("principals"), **options)
        source = next_source()
        conn, client = await attempt(world, name, key, cert=cert, source=source)
        assert isinstance(conn, asyncssh.PermissionDenied), case
        # asyncssh's client goes on to offer the bare key, not enrolled: refused as well.
        events = [e for e in refusals(world, source) if reason in e["data"]["reason"]]
        assert len(events) == 1, (case, refusals(world, source))
        assert events[0]["data"]["proven"] is (told is not None), case
        if told is None:
            assert client.banners == [], case
        else:
            assert len(client.banners) == 1 and client.banners[0].startswith(
                f"bastion: {told}"), (case, client.banners)
    assert_still_serving(world)


def test_wrong_and_replayed_totp_codes_are_refused_and_audited(world):
    wes = world.person("wes")
    world.grant(wes)
    source = next_source()
    r = wes.run(f"{LOGIN}@web01", "echo in", code=wrong_code(wes.secret), extra=("-b", source))
    assert r.returncode == 255 and b"in\n" not in r.stdout
    assert b"bastion: TOTP refused: wrong code" in r.stderr
    # OpenSSH asks three times, and so there are three failures.
    events = refusals(world, source, "mfa.failure")
    assert [(e["actor"], e["data"]["reason"]) for e in events] == [("wes", "wrong code")] * 3

    # Someone else (failures count per user: wes has three already, five lock).
    rita = world.person("rita")
    world.grant(rita)
    code = rita.next_code()
    first = rita.run(f"{LOGIN}@web01", "echo first", code=code)
    assert first.returncode == 0, first.stderr
    source = next_source()
    again = rita.run(f"{LOGIN}@web01", "echo again", code=code, extra=("-b", source))
    assert again.returncode == 255 and again.stdout == b""
    assert b"bastion: TOTP refused: code already used" in again.stderr
    assert [e["actor"] for e in refusals(world, source, "mfa.replay")] == ["rita"] * 3
    assert_still_serving(world)


def test_five_wrong_codes_lock_the_user_until_bastion_user_unlock(world):
    lou = world.person("lou")
    world.grant(lou)
    bad = wrong_code(lou.secret)
    # OpenSSH asks three times per connection (the bastion hangs up after the third): 3 + 3.
    for _ in range(2):
        r = lou.run(f"{LOGIN}@web01", "echo in", code=bad)
        assert r.returncode == 255 and r.stdout == b""
    world.bastion.output.wait_for(r"audit mfa\.lockout lou ")
    source = next_source()
    r = lou.run(f"{LOGIN}@web01", "echo in", extra=("-b", source))
    assert r.returncode == 255 and r.stdout == b""
    assert b"bastion: user lou is locked" in r.stderr
    assert refusal(world, source)["data"]["reason"] == "user lou is locked"

    unlock = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                             "user", "unlock", "lou"], capture_output=True, timeout=30)
    assert unlock.returncode == 0, unlock.stderr
    r = lou.run(f"{LOGIN}@web01", "echo in")
    assert r.returncode == 0 and r.stdout == b"in\n", r.stderr


# -- 2. pre-authentication abuse -----------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("guarded"), server={"max_connections_per_source": "20"})
    yield w
    w.close()


def test_half_open_and_garbage_floods_do_not_keep_a_real_user_out(guarded):
    alice = guarded.person("alice")
    guarded.grant(alice)
    port = guarded.bastion.port
    half_open = [dial("127.0.0.2", port) for _ in range(200)]
    garbage = ([dial("127.0.0.3", port, secrets.token_bytes(4096)) for _ in range(50)]
               + [dial("127.0.0.4", port, b"SSH-2.0-OpenSSH_9.6\r\n" + secrets.token_bytes(65536))
                  for _ in range(50)])
    try:
        refused = wait_closed(half_open, 180)
        r = alice.run(f"{LOGIN}@web01", "echo through-the-flood")
        assert r.returncode == 0 and r.stdout == b"through-the-flood\n", r.stderr
        assert sum(is_open(s) for s in half_open if s not in refused) == 20
        wait_closed(garbage, len(garbage))
    finally:
        for s in half_open + garbage:
            s.close()
    guarded.bastion.output.wait_for(r"connection limit reached; refusing 127\.0\.0\.2$")
    # 180 refusals, one audit row so far: the rest are counted into one row a minute later
    # (limits.RefusalLog), so that a flood of connections is not also a flood of writes.
    limited = [e for e in audit.export(guarded.ctx.store) if e["type"] == "auth.refused"
               and e["data"]["reason"] == "connection limit reached"]
    assert [e["data"]["client"] for e in limited].count("127.0.0.2") == 1
    assert_still_serving(guarded)


def test_a_source_opening_connections_too_fast_is_refused_and_others_are_not(tmp_path):
    w = World(tmp_path, server={"connection_rate_per_source": "5"})
    try:
        alice = w.person("alice")
        w.grant(alice)
        source = next_source()
        # Six new connections at once: five within the burst, the sixth hung up on at once.
        socks = [dial(source, w.bastion.port) for _ in range(6)]
        try:
            assert len(wait_closed(socks, 1, timeout=10)) == 1
            w.bastion.output.wait_for(rf"connection rate limit reached; refusing "
                                      rf"{re.escape(source)}$")
            # Hammering on: every attempt is refused (and takes a token, so it stays refused).
            more = [dial(source, w.bastion.port) for _ in range(20)]
            wait_closed(more, 20, timeout=10)
            for s in more:
                s.close()
        finally:
            for s in socks:
                s.close()
        # One audit row for the flood so far, not 21.
        rows = refusals(w, source)
        assert [r["data"]["reason"] for r in rows] == ["connection rate limit reached"]
        # Another address is not affected.
        r = alice.run(f"{LOGIN}@web01", "echo other-source")
        assert r.returncode == 0 and r.stdout == b"other-source\n", r.stderr
    finally:
        w.close()


async def test_a_connection_that_never_authenticates_is_closed_after_login_timeout(guarded):
    w = guarded  # its login timeout is the shipped 30 s, longer than any wait below
    mark = w.bastion.output.mark()
    try:
        alice = w.person("alice")
        w.grant(alice)
        # The timeout is read per connection: a reload shortens it for the next ones.
        set_server_key(w.home, "login_timeout", '"2s"')
        w.bastion.proc.send_signal(signal.SIGHUP)
        w.bastion.output.wait_for(r"configuration reloaded", start=mark)
        source = next_source()
        silent = dial(source, w.bastion.port)
        banner_only = dial(source, w.bastion.port, b"SSH-2.0-OpenSSH_9.6\r\n")

        class NeverAnswers(Prober):
            async def kbdint_challenge_received(self, name, instructions, lang, prompts):
                await asyncio.Event().wait()

        # The key is proven, then the TOTP prompt is never answered.
        prover = next_source()
        conn, _ = await attempt(w, f"{LOGIN}@web01", user_key(alice), source=prover,
                                client=NeverAnswers("x"))
        assert isinstance(conn, asyncssh.DisconnectError), conn
        wait_closed([silent, banner_only], 2, timeout=15)
        silent.close()
        banner_only.close()
        # Each source's timeout is audited (the second of a source within the minute is
        # counted into a later row instead).
        for who in (source, prover):
            assert [r["data"]["reason"] for r in refusals(w, who)] == ["login timeout (2s)"]
        assert_still_serving(w)
    finally:
        mark = w.bastion.output.mark()
        set_server_key(w.home, "login_timeout", '"30s"')
        w.bastion.proc.send_signal(signal.SIGHUP)
        w.bastion.output.wait_for(r"configuration reloaded", start=mark)


# -- 3. session abuse --------------------------------------------------------------------------


def test_a_2mb_line_without_newline_leaves_the_session_responsive(world):
    pat = world.person("pat")
    world.grant(pat)
    term = pat.terminal(f"{LOGIN}@web01")
    at = term.prompt()
    # Without line editing, as in sh or dash: bash's readline redraws a long line in quadratic
    # time, which would measure bash, not the bastion. The policy holds line editing off (the
    # terminal driver then edits): a supervisor confirms it.
    term.send(b"set +o emacs +o vi; PS1='ready> '\n")
    term.expect(rb"held for a supervisor \(h\d+\)", start=at)
    held = re.search(rb"\((h\d+)\)", term.buffer[at:]).group(1).decode()
    confirm = subprocess.run([sys.executable, "-m", "bastion", "--home", str(world.home.path),
                              "confirm", held], capture_output=True, text=True, timeout=30)
    assert confirm.returncode == 0, confirm.stderr
    at = term.expect(rb"[\r\n]ready> ", start=term.expect(rb"confirmed by local:", start=at))
    before = rss(world)
    term.send(b"x" * (2 << 20))
    term.send(b"\x03")
    at = term.expect(rb"[\r\n]ready> ", start=term.expect(rb"\^C", start=at, timeout=60))
    grown = rss(world) - before
    # Where the tty keeps Ctrl-C as data the 2 MB are still in the line: too long to follow,
    # the next line is uncertain (refused), and the one after starts afresh.
    term.send(b"echo after-$((6*7))\n")
    at = term.expect(rb"the line is too long to follow", start=at)
    term.send(b"echo after-$((6*7))\n")
    term.expect(rb"[\r\n]ready> ", start=term.expect(rb"after-42", start=at))
    term.send(b"exit\n")
    assert term.wait() == 0
    assert grown < RSS_BOUND, f"the bastion grew by {grown >> 20} MB"
    cast = next(n for n in world.session_row("pat")["recordings"] if n.endswith(".cast"))
    _, events = recording.read_cast(recording_closed(world, cast))
    assert "after-42" in "".join(d for _, code, d in events if code == "o")
    assert world.session_row("pat")["state"] == "ended"


async def test_2000_window_changes_and_absurd_sizes_are_relayed_and_recorded(world):
    rae = world.person("rae")
    world.grant(rae)
    conn = await logged_in(world, rae)
    async with conn:
        proc = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        out = Output(proc.stdout)
        at = await out.expect(PROMPT)
        # Under `cat`, which does not redraw on a window change: bash would redraw its prompt
        # at each one, and keys typed while those redraws still arrive are judged uncertain
        # (the gate fails closed), which is the tracker's business, not this test's.
        proc.stdin.write(b"cat\n")
        at = await out.expect(rb"cat\r\n", start=at)
        for i in range(2000):
            proc.change_terminal_size(60 + i % 100, 20 + i % 40)
        proc.change_terminal_size(2**32 - 1, 2**32 - 1)
        # Ctrl-D ends `cat` (an end of file, not a signal: bash 5.2 can leave its prompt
        # undrawn when a SIGINT ends the foreground job under load).
        proc.stdin.write(b"\x04")
        at = await out.expect(PROMPT, start=at)
        proc.stdin.write(b"stty size\n")
        at = await out.expect(rf"{MAX_TERM_ROWS} {MAX_TERM_COLS}\r\n".encode(), start=at)
        at = await out.expect(PROMPT, start=at)
        proc.stdin.write(b"cat\n")
        at = await out.expect(rb"cat\r\n", start=at)
        proc.change_terminal_size(100, 30)
        proc.stdin.write(b"\x04")
        at = await out.expect(PROMPT, start=at)
        proc.stdin.write(b"stty size\n")
        at = await out.expect(PROMPT, start=await out.expect(rb"30 100\r\n", start=at))
        proc.stdin.write(b"exit\n")
        await proc.wait_closed()
    cast = next(n for n in world.session_row("rae")["recordings"] if n.endswith(".cast"))
    _, events = recording.read_cast(recording_closed(world, cast))
    sizes = [d for _, code, d in events if code == "r"]
    assert len(sizes) == 2002
    assert sizes[-2:] == [f"{MAX_TERM_COLS}x{MAX_TERM_ROWS}", "100x30"]


async def test_binary_garbage_on_exec_stdin_is_relayed_and_accounted(world):
    gus = world.person("gus")
    world.grant(gus)
    data = secrets.token_bytes(5 << 20)
    conn = await logged_in(world, gus)
    async with conn:
        result = await conn.run("cat > /dev/null", input=data, encoding=None)
    assert result.exit_status == 0, result.stderr
    name = next(n for n in world.session_row("gus")["recordings"] if n.endswith(".jsonl"))
    record = recording.read_exec_record(recording_closed(world, name))
    assert record["stdin"] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert record["exit_status"] == 0


async def test_a_client_that_stops_reading_holds_the_target_back(world):
    ida = world.person("ida")
    world.grant(ida)
    conn = await logged_in(world, ida)
    async with conn:
        proc = await conn.create_process("yes hardening-flood", encoding=None)
        line = b"hardening-flood\n"
        got = await proc.stdout.readexactly(len(line) * 1000)
        before = rss(world)
        proc.channel.pause_reading()
        yes = find_process(b"yes", b"hardening-flood")
        # Back-pressure reaches the target: `yes` stops writing (its write count holds still
        # for a second; /proc has no notification, so it is polled).
        io = Path(f"/proc/{yes}/io")
        written, still_since = None, time.monotonic()
        while time.monotonic() - still_since < 1.0:
            now = re.search(r"wchar: (\d+)", io.read_text()).group(1)
            if now != written:
                written, still_since = now, time.monotonic()
            assert time.monotonic() - still_since < 20
            await asyncio.sleep(0.1)
        assert rss(world) - before < RSS_BOUND
        proc.channel.resume_reading()
        got += await proc.stdout.readexactly(len(line) * 64_000)
        assert got == line * (len(got) // len(line))
        proc.terminate()
    assert_still_serving(world)


# -- 4. faults -----------------------------------------------------------------------------------


def test_a_target_that_never_answers_the_handshake_fails_with_a_clear_message(world):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the TCP handshake; nothing ever speaks SSH
    try:
        add_target(world.home, "hang01", port=silent.getsockname()[1], logins=(LOGIN,),
                   host_keys=(world.sshd.host_pub,))
        world.bastion.proc.send_signal(signal.SIGHUP)
        world.bastion.output.wait_for(r"configuration reloaded")
        world.ctx.config = config.load_config(world.home.config_file)
        hal = world.person("hal")
        world.grant(hal, target="hang01")
        r = hal.run(f"{LOGIN}@hang01", "true")
    finally:
        silent.close()
    assert r.returncode == 255
    # Said on the channel, or (when the wait outlasts the channel's opening, as on a loaded
    # machine) as the connection's disconnect reason: one clear line either way.
    assert re.search(rb"bastion: (session ended: )?target hang01 did not complete the SSH "
                     rb"handshake within \d+s", r.stderr), r.stderr
    row = world.session_row("hal")
    assert row["state"] == "failed" and "did not complete the SSH handshake" in row["end_reason"]
    assert_still_serving(world)


def test_a_target_dying_mid_session_tells_the_user_and_closes_the_recording(world):
    tim = world.person("tim")
    world.grant(tim)
    term = tim.terminal(f"{LOGIN}@web01")
    at = term.prompt()
    sid = world.session_row("tim")["id"]
    term.send(b"sleep 4242.17\n")
    term.expect(rb"sleep 4242\.17", start=at)
    pid = find_process(b"sleep", b"4242.17")
    while parent(pid) != world.sshd.proc.pid:
        pid = parent(pid)
    os.kill(pid, signal.SIGKILL)  # the sshd process serving this session, as a crash would
    term.expect(rb"bastion: the connection to web01 was lost")
    assert term.wait() == 255
    world.bastion.output.wait_for(rf'audit session\.ended .*"session":"{sid}","state":"failed"')
    row = world.session_row("tim")
    assert row["end_reason"] == "the connection to web01 was lost"
    _, events = recording.read_cast(recording_closed(world, row["recordings"][0]))
    # The marker, then what the user read, as output: a replay shows it too.
    assert [e[1:] for e in events[-2:]] == [("m", "the connection to web01 was lost"),
                                            ("o", "\r\nbastion: the connection to web01 was lost\r\n")]
    assert_still_serving(world)


async def test_a_locked_store_refuses_new_logins_and_live_sessions_go_on(world):
    amy, bob = world.person("amy"), world.person("bob")
    world.grant(amy)
    world.grant(bob)
    term = amy.terminal(f"{LOGIN}@web01")
    at = term.prompt()
    lock = sqlite3.connect(str(world.home.db), isolation_level=None, timeout=0)

    def release(banner: str) -> None:
        # Held until the bastion has told bob, so his refusal is then audited.
        if "database is busy" in banner and lock.in_transaction:
            lock.execute("ROLLBACK")

    try:
        lock.execute("BEGIN EXCLUSIVE")
        # A command whose verdict cannot be recorded does not run; the session stays.
        term.send(b"echo during-$((6*7))\n")
        at = term.prompt(start=term.expect(
            rb"not run: the bastion cannot record commands right now", start=at, timeout=30))
        source = next_source()
        conn, client = await attempt(world, f"{LOGIN}@web01", user_key(bob), source=source,
                                     client=Prober(bob.next_code(), on_banner=release))
    finally:
        if lock.in_transaction:
            lock.execute("ROLLBACK")
        lock.close()
    assert isinstance(conn, asyncssh.PermissionDenied)
    assert client.banners == ["bastion: the bastion's database is busy; try again in a moment\n"]
    assert refusal(world, source)["data"]["reason"].startswith("the bastion's database is busy")
    term.send(b"echo after-$((6*7))\n")
    at = term.prompt(start=term.expect(rb"after-42", start=at))
    assert b"during-42" not in term.buffer
    assert world.session_row("amy")["state"] == "active"
    term.send(b"exit\n")
    assert term.wait() == 0
    r = bob.run(f"{LOGIN}@web01", "echo bob-in")
    assert r.returncode == 0 and r.stdout == b"bob-in\n", r.stderr


@contextlib.contextmanager
def store_locked(world: World):
    """Another process holds the bastion's database exclusively while inside."""
    lock = sqlite3.connect(str(world.home.db), isolation_level=None, timeout=0)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        if lock.in_transaction:
            lock.execute("ROLLBACK")
        lock.close()


async def test_a_store_locked_between_login_and_channel_refuses_the_channel_and_loses_nothing(
        world):
    cal = world.person("cal")
    world.grant(cal)
    source = next_source()
    conn = await logged_in(world, cal, source)
    # The client hears of its success just before the bastion writes it down: wait for that.
    world.bastion.output.wait_for(rf'audit auth\.success cal .*"client":"{re.escape(source)}"')
    canary = world.tmp / "locked-canary"
    async with conn:
        with store_locked(world):
            done = await asyncio.wait_for(conn.run(f"touch {canary}; echo ran"), 30)
        assert done.exit_status == 255 and done.stdout == ""
        assert "bastion: store unavailable" in done.stderr, done.stderr
    assert not canary.exists()
    # The refusal could not be written to the store while it was locked: the log has it whole.
    world.bastion.output.wait_for(r"not audited \(store unavailable.*session\.refused cal ")
    assert_still_serving(world)


def test_a_login_whose_success_cannot_be_audited_is_disconnected_and_serves_nothing(world):
    """The store refuses exactly the `auth.success` row (a trigger stands in for a write that
    fails at that moment): the key and TOTP were right, but no unaudited login goes on."""
    flo = world.person("flo")
    world.grant(flo)
    canary = world.tmp / "unaudited-canary"
    raw = sqlite3.connect(str(world.home.db), isolation_level=None, timeout=10)
    raw.execute("CREATE TRIGGER refuse_success BEFORE INSERT ON events "
                "WHEN NEW.type = 'auth.success' BEGIN SELECT RAISE(ABORT, 'write failed'); END")
    try:
        r = flo.run(f"{LOGIN}@web01", f"touch {canary}")
        world.bastion.output.wait_for(r"login of flo from .* not audited, disconnecting")
    finally:
        raw.execute("DROP TRIGGER refuse_success")
        raw.close()
    assert r.returncode == 255 and r.stdout == b""
    assert b"the bastion's database is busy" in r.stderr, r.stderr
    assert not canary.exists()
    assert not [s for s in sessions.list_sessions(world.ctx.store, include_ended=True)
                if s["user"] == "flo"]
    r = flo.run(f"{LOGIN}@web01", "echo flo-in")
    assert r.returncode == 0 and r.stdout == b"flo-in\n", r.stderr


async def test_a_shell_without_pty_runs_no_statement_whose_verdict_cannot_be_recorded(world):
    eve = world.person("eve")
    world.grant(eve)
    conn = await logged_in(world, eve)
    canary = world.tmp / "stdin-canary"
    async with conn:
        shell = await conn.create_process(encoding=None)  # a shell reading stdin, no pty
        out, err = Output(shell.stdout), Output(shell.stderr)
        shell.stdin.write(b"echo before-$((6*7))\n")
        await out.expect(rb"before-42\n")
        with store_locked(world):
            shell.stdin.write(f"touch {canary}\n".encode())
            await err.expect(rb"bastion: not run: the bastion cannot record commands right now")
        shell.stdin.write(b"echo after-$((6*7))\n")
        await out.expect(rb"after-42\n")
        shell.stdin.write_eof()
        await asyncio.wait_for(shell.wait_closed(), 30)
    assert not canary.exists()
    assert "touch" not in "".join(r["line"] for r in world.ctx.store.all(
        "SELECT line FROM commands WHERE session_id = ?", (world.session_row("eve")["id"],)))


async def test_a_session_ending_while_the_store_is_locked_gets_its_row_once_it_is_free(world):
    dee = world.person("dee")
    world.grant(dee)
    conn = await logged_in(world, dee)
    process = await conn.create_process("cat", encoding=None)
    process.stdin.write(b"held-open\n")
    assert await asyncio.wait_for(process.stdout.readexactly(10), 30) == b"held-open\n"
    row = world.session_row("dee")
    assert row["state"] == "active"
    with store_locked(world):
        conn.close()
        await conn.wait_closed()
        world.bastion.output.wait_for(rf"session {row['id']} ended \(client disconnected\) but "
                                      r"its row is not updated yet")
        closed_at = time.time()  # the row can only be written after this
    world.bastion.output.wait_for(rf"session {row['id']} row updated: ended")
    row = world.session_row("dee")
    assert (row["state"], row["end_reason"]) == ("ended", "client disconnected")
    assert row["ended"] <= closed_at  # when it ended, not when its row could be written
    assert audit.verify(world.ctx.store).ok


def test_a_full_disk_refuses_logins_ends_sessions_with_a_message_and_recovers(world):
    """No file of the bastion process may grow (RLIMIT_FSIZE 0 set on the running process: to
    it, the disk is full), then space comes back: the module's world goes on serving."""
    w = world
    mark = w.bastion.output.mark()
    bo = w.person("bo")
    w.grant(bo)
    term, at = w.shell("ann", "before")
    pid = w.bastion.proc.pid
    limits = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, limits[1]))
    try:
        # The command's verdict cannot be written: it does not run. The recording cannot be
        # written: the session ends, saying why (fail closed, never unrecorded).
        term.send(b"echo during-$((6*7))\n")
        term.expect(rb"bastion: session ended: the recording could not be written",
                    start=at, timeout=30)
        assert term.wait() != 0
        r = bo.run(f"{LOGIN}@web01", "echo bo-during")
        assert r.returncode == 255 and r.stdout == b""
        assert b"the bastion's database is busy" in r.stderr, r.stderr
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, limits)
    assert b"during-42" not in term.buffer
    r = bo.run(f"{LOGIN}@web01", "echo bo-after")
    assert r.returncode == 0 and r.stdout == b"bo-after\n", r.stderr
    # Nothing lost: ann's session row caught up, the chain holds, and the recording was
    # finished once space came back, with what it still held and a marker saying why.
    w.bastion.output.wait_for(r"row updated: failed", start=mark)
    row = w.session_row("ann")
    assert (row["state"], row["end_reason"]) == ("failed", "the recording could not be written")
    cast = recording_closed(w, row["recordings"][0])
    _, events = recording.read_cast(cast)
    assert "before-42" in "".join(d for _, code, d in events if code == "o")
    assert events[-1][1] == "m" and events[-1][2].startswith(
        "session ended: the recording could not be written")
    stored = w.ctx.store.one("SELECT sha256 FROM recordings WHERE path LIKE ?",
                             (f"%{cast.name}",))
    assert stored["sha256"] == hashlib.sha256(cast.read_bytes()).hexdigest()
    assert audit.verify(w.ctx.store).ok
    assert "Traceback" not in w.bastion.log(), w.bastion.log()


def test_recordings_folder_replaced_mid_session_ends_it_with_a_message(world):
    vic = world.person("vic")
    world.grant(vic)
    term, at = world.shell("una", "recorded")
    folder = world.home.recordings
    moved = world.home.path / "recordings.moved"
    folder.rename(moved)
    try:
        folder.write_text("not a folder any more\n")
        term.expect(rb"bastion: session ended: the recordings folder is full or unwritable",
                    start=at)
        assert term.wait() != 0
        r = vic.run(f"{LOGIN}@web01", "echo unrecorded")
        assert r.returncode == 255 and r.stdout == b""
        assert b"bastion: the bastion cannot record sessions right now" in r.stderr
    finally:
        folder.unlink(missing_ok=True)
        moved.rename(folder)
    row = world.session_row("una")
    assert row["state"] == "failed"
    # The open recording followed its folder: it is complete, closed and matches its digest.
    cast = recording_closed(world, row["recordings"][0])
    _, events = recording.read_cast(cast)
    # The marker, then the words the user read, as output (a replay shows them too).
    assert events[-2][1:] == ("m", "session ended: the recordings folder is full or unwritable")
    assert events[-1][1:] == (
        "o", "\r\nbastion: session ended: the recordings folder is full or unwritable\r\n")
    assert "recorded-42" in "".join(d for _, code, d in events if code == "o")
    stored = world.ctx.store.one("SELECT sha256 FROM recordings WHERE path LIKE ?",
                                 (f"%{cast.name}",))
    assert stored["sha256"] == hashlib.sha256(cast.read_bytes()).hexdigest()
    world.bastion.output.wait_for(r"recordings folder usable again")
    assert_still_serving(world)
