"""Real parts for integration tests: an OpenSSH sshd target trusting the target CA, a `bastion serve`
subprocess, and the OpenSSH `ssh`/`scp`/`sftp` clients answering the TOTP prompt via SSH_ASKPASS."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pyotp

from bastion import audit
from bastion.access import grants, mfa, sessions, users
from bastion.cli.demo import target_sshd_config
from bastion.runtime.home import Home, init, open_home
from bastion.store import Store

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
LOGIN = getpass.getuser()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def on_a_free_port(server, launch, ready: str, in_use: str) -> None:
    """Run `launch` until `server` (with .port, .proc, .output) prints `ready`. A port the test
    did not name is chosen free, but may be taken by another process before the server binds
    it (seen on a loaded machine): then another one, up to three tries."""
    chosen = not server.port
    for attempt in range(3):
        server.port = server.port or free_port()
        launch()
        try:
            server.output.wait_for(ready, timeout=60)  # a loaded machine starts slowly
            return
        except AssertionError:
            if not (chosen and attempt < 2 and in_use in server.output.text()):
                raise
            server.proc.wait(10)
            server.port = 0


class LineWaiter:
    """Reads a process's output in a thread and lets a test wait for a line matching a pattern."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            with self._cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("<eof>")
            self._cond.notify_all()

    def wait_for(self, pattern: str, timeout: float = 20, start: int = 0) -> re.Match:
        """The first line from line `start` on (see `mark`) that matches, once it is there."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = start
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if m := regex.search(line):
                        return m
                    if line == "<eof>":
                        raise AssertionError(f"process ended before {pattern!r}:\n"
                                             + "\n".join(self.lines[-30:]))
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {pattern!r}:\n"
                                         + "\n".join(self.lines[-30:]))
                self._cond.wait(left)

    def mark(self) -> int:
        """Where the lines read so far end: wait_for(start=mark()) sees only later ones."""
        with self._cond:
            return len(self.lines)

    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)


@dataclass
class Sshd:
    """An OpenSSH sshd on loopback whose TrustedUserCAKeys is the bastion's target CA."""

    directory: Path
    ca_pub: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    host_pub: str = ""
    output: LineWaiter | None = None
    extra: str = ""

    def start(self) -> Sshd:
        self.directory.mkdir(parents=True, exist_ok=True)
        Path("/run/sshd").mkdir(exist_ok=True)
        host_key = self.directory / "ssh_host_ed25519_key"
        if not host_key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)],
                           check=True, capture_output=True)
        self.host_pub = " ".join(Path(f"{host_key}.pub").read_text().split()[:2])
        def launch() -> None:
            conf = self.directory / "sshd_config"
            conf.write_text(target_sshd_config(
                self.port, host_key, self.ca_pub,
                f"AcceptEnv LANG LC_*\nSubsystem sftp internal-sftp\nLogLevel VERBOSE\n{self.extra}\n"))
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(conf)],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.output = LineWaiter(self.proc.stdout)

        on_a_free_port(self, launch, r"Server listening on 127\.0\.0\.1 port",
                       "Address already in use")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@dataclass
class BastionProcess:
    """`bastion serve` as a subprocess on a free loopback port. `command` runs the bastion (by
    default this checkout's, with the tests' interpreter; an installed one in test_install)."""

    home: Home
    port: int = 0
    proc: subprocess.Popen | None = None
    output: LineWaiter | None = None
    env: dict = field(default_factory=dict)
    command: list[str] = field(default_factory=lambda: [sys.executable, "-m", "bastion"])

    def start(self) -> BastionProcess:
        def launch() -> None:
            env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
            self.proc = subprocess.Popen(
                [*self.command, "--home", str(self.home.path), "serve", "--listen",
                 f"127.0.0.1:{self.port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                env=env)
            self.output = LineWaiter(self.proc.stdout)

        on_a_free_port(self, launch, r"bastion listening on", "address already in use")
        return self

    def stop(self, sig: int | None = None) -> int:
        if self.proc and self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            return self.proc.wait(15)
        return self.proc.returncode if self.proc else 0

    def log(self) -> str:
        return self.output.text() if self.output else ""


class Client:
    """An enrolled person driving the real OpenSSH client against the bastion."""

    def __init__(self, name: str, key_path: Path, secret: str | None, home: Home,
                 bastion: BastionProcess, workdir: Path) -> None:
        self.name, self.key_path, self.secret = name, key_path, secret
        self.home, self.bastion, self.workdir = home, bastion, workdir
        self.known_hosts = workdir / "known_hosts"
        ca = (home.host_ca.parent / "host_ca.pub").read_text().strip()
        self.known_hosts.write_text(f"@cert-authority bastion.test {ca}\n")
        self.askpass = workdir / f"askpass-{name}"

    def next_code(self) -> str:
        """What the person's authenticator shows, for a step the bastion has not seen yet.

        Several logins in one 30 s step would be replays; the test then moves the user's
        last accepted step back, as if time had passed.
        """
        store = Store(self.home.db)
        try:
            row = store.one("SELECT last_step FROM mfa WHERE user = ?", (self.name,))
            # Not current - 1: on a slow machine the server may already be in the next step.
            current = int(time.time() // mfa.STEP)
            step = max(current, (row["last_step"] if row else -1) + 1)
            if step > current + 1:
                store.execute("UPDATE mfa SET last_step = ? WHERE user = ?", (current - 1,
                                                                              self.name))
                step = current
        finally:
            store.close()
        return pyotp.TOTP(self.secret).generate_otp(step)

    def ssh_args(self, dest: str, *, cert: Path | None = None, extra: tuple[str, ...] = ()
                 ) -> list[str]:
        # Options given first win in OpenSSH, so a test's extra options go before the defaults.
        args = ["ssh", *extra, "-F", "/dev/null", "-p", str(self.bastion.port), "-i", str(self.key_path),
                "-o", "IdentitiesOnly=yes", "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlias=bastion.test",
                "-o", "BatchMode=no", "-o", "LogLevel=INFO", "-o", "ConnectTimeout=10",
                "-o", "PreferredAuthentications=publickey,keyboard-interactive"]
        if cert is not None:
            args += ["-o", f"CertificateFile={cert}"]
        return [*args, f"{dest}@127.0.0.1"]

    def env(self, code: str | None = None) -> dict[str, str]:
        code = code if code is not None else (self.next_code() if self.secret else "000000")
        self.askpass.write_text(f"#!/bin/sh\necho {code}\n")
        self.askpass.chmod(0o700)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
        # An xterm whatever runs the tests: a dumb or empty TERM is refused a pty (attack q26o).
        return env | {"SSH_ASKPASS": str(self.askpass), "SSH_ASKPASS_REQUIRE": "force",
                      "DISPLAY": ":0", "TERM": "xterm"}

    def run(self, dest: str, *command: str, cert: Path | None = None, input: bytes | None = None,
            code: str | None = None, extra: tuple[str, ...] = (), timeout: float = 30,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        args = self.ssh_args(dest, cert=cert, extra=extra)
        full_env = self.env(code) | (env or {})
        return subprocess.run([*args, *command], input=input or b"", capture_output=True,
                              timeout=timeout, env=full_env)

    def popen(self, dest: str, *command: str, cert: Path | None = None,
              extra: tuple[str, ...] = (), env: dict[str, str] | None = None,
              merge_stderr: bool = False) -> subprocess.Popen:
        """merge_stderr: stderr goes where stdout goes, as on a real terminal."""
        args = self.ssh_args(dest, cert=cert, extra=extra)
        return subprocess.Popen([*args, *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
                                env=self.env() | (env or {}))

    def terminal(self, dest: str, *command: str, extra: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, cols: int = 80, rows: int = 24) -> Terminal:
        """An interactive ssh session on a real pseudo-terminal, whose screen the test reads."""
        args = self.ssh_args(dest, extra=("-t", *extra))
        return Terminal([*args, *command], self.env() | (env or {}), cols=cols, rows=rows)


# The prompt the shell tests set with PS1='READ''Y> ' (quoted so that the echoed command does not
# match it). bash (>= 5.1) switches bracketed paste on as it starts reading a line, unlike the
# redraw of the same prompt when a line is cleared, so this matches a fresh prompt only.
READY = rb"\x1b\[\?2004hREADY> "


class Terminal:
    """An interactive ssh session on a real pseudo-terminal (80x24 unless told), as a person has:
    send keystrokes, wait for what the screen shows. stdout and stderr both land on the screen."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 80, rows: int = 24) -> None:
        import fcntl
        import pty
        import struct
        import termios

        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.master = master
        self.buffer = b""
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            with self._cond:
                self.buffer += chunk
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def expect(self, pattern: bytes, timeout: float = 20, start: int = 0) -> int:
        """Wait until the output (from `start`) matches; returns the end offset of the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if m := regex.search(self.buffer, start):
                    return m.end()
                if self.closed:
                    raise AssertionError(f"session ended before {pattern!r}: {self.buffer[-500:]!r}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {pattern!r}: {self.buffer[-500:]!r}")
                self._cond.wait(left)

    def prompt(self, start: int = 0, timeout: float = 20) -> int:
        """Wait for a fresh shell prompt (bash >= 5.1 turns bracketed paste on as it draws one)."""
        return self.expect(rb"\x1b\[\?2004h[^\r\n]*[#$>] ", timeout=timeout, start=start)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def run_line(self, keys: bytes, until: bytes = READY) -> bytes:
        """Send `keys`, wait for `until` (a regex; the READY prompt unless told) after them, and
        return what the terminal printed in between."""
        start = len(self.buffer)
        self.send(keys)
        end = self.expect(until, start=start)
        return self.buffer[start:end]

    def resize(self, cols: int, rows: int) -> None:
        """The window changes size, as when its user drags it. The pty is not ssh's controlling
        terminal here, so the kernel's SIGWINCH is sent by hand."""
        import fcntl
        import signal
        import struct
        import termios

        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc.send_signal(signal.SIGWINCH)

    def wait(self, timeout: float = 20) -> int:
        code = self.proc.wait(timeout)
        self._thread.join(timeout)
        os.close(self.master)
        return code


class World:
    """A home, an sshd target `web01` (plus `down01`, not listening, and `spoofed`, with the wrong
    pinned host key), a running bastion, and helpers to enrol people and grant them access."""

    def __init__(self, tmp: Path, server: dict[str, str] | None = None,
                 target_extra: str = "", policy: str | None = None) -> None:
        from tests.conftest import add_target, set_server_key

        self.tmp = tmp
        self.home = Home(tmp / "home")
        init(self.home, "bastion.test")
        self.sshd = Sshd(tmp / "sshd", ca_pub=Path(f"{self.home.target_ca}.pub")).start()
        add_target(self.home, "web01", port=self.sshd.port, logins=(LOGIN,),
                   host_keys=(self.sshd.host_pub,), extra=target_extra)
        add_target(self.home, "down01", port=free_port(), logins=(LOGIN,),
                   host_keys=(self.sshd.host_pub,))
        other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
        add_target(self.home, "spoofed", port=self.sshd.port, logins=(LOGIN,), host_keys=(other,))
        # Every test connects from 127.0.0.1, many times a minute in a module's world: the rate
        # limit is tested where it is set low on purpose (test_hardening).
        for key, value in {"connection_rate_per_source": "100000", **(server or {})}.items():
            set_server_key(self.home, key, value)
        if policy is not None:
            self.home.policy_file.write_text(policy)
        self.bastion = BastionProcess(self.home).start()
        self.ctx = open_home(self.home)
        self.people: dict[str, Client] = {}
        self.tickets = 100

    def person(self, name: str = "alice", role: str = "engineer") -> Client:
        from tests.conftest import make_key

        if name not in self.people:
            path, key = make_key(self.tmp, name)
            users.add(self.ctx.store, name, role, key.convert_to_public(), "local:test")
            secret = mfa.enrol(self.ctx.store, self.ctx.box, name, "bastion.test").secret
            self.people[name] = Client(name, path, secret, self.home, self.bastion, self.tmp)
        return self.people[name]

    def shell(self, name: str, word: str) -> tuple[Terminal, int]:
        """`name`, granted web01, in an interactive session that printed WORD-42: the terminal,
        and the offset after the prompt that followed."""
        person = self.person(name)
        self.grant(person)
        term = person.terminal(f"{LOGIN}@web01")
        at = term.prompt()
        term.send(f"echo {word}-$((6*7))\n".encode())
        return term, term.prompt(start=term.expect(f"{word}-42".encode(), start=at))

    def ticket(self) -> str:
        self.tickets += 1
        return f"INC-{self.tickets}"

    def grant(self, who: Client, target: str = "web01", login: str = LOGIN,
              ticket: str | None = None, duration: float = 1800) -> grants.Grant:
        req = grants.create_request(self.ctx.store, self.ctx.config, who.name, target=target,
                                    login=login, ticket=ticket or self.ticket(),
                                    duration=duration, reason="testing")
        return grants.approve(self.ctx.store, self.ctx.config, req["id"], "local:supervisor")

    def events(self, kind: str) -> list[dict]:
        """The audit events of type `kind`, as `audit export` gives them, oldest first."""
        return [e for e in audit.export(self.ctx.store) if e["type"] == kind]

    def session_row(self, user: str) -> dict:
        rows = [r for r in sessions.list_sessions(self.ctx.store, include_ended=True)
                if r["user"] == user]
        return rows[-1]

    def close(self) -> None:
        self.ctx.close()
        self.bastion.stop()
        self.sshd.stop()
        assert "Traceback" not in self.bastion.log(), self.bastion.log()
