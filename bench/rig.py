"""The benchmark rig: three ways to reach one OpenSSH target, side by side on loopback.

- `direct`: OpenSSH `ssh` straight to the target's sshd;
- `proxyjump`: the same through a second sshd, a jump host, with `ProxyJump`;
- `bastion`: through a real `bastion serve` child process with its default settings (recording
  on), authenticating with a user certificate the bastion minted, so no TOTP per connection.

The target's sshd trusts the bastion's target CA and nothing else. For `direct` and `proxyjump`
the rig mints, with that same CA, a certificate for a throwaway client key whose principal is the
OS login; the jump host trusts the same CA. Every key, certificate, config file, log and the
bastion's home live under the rig's folder, which the caller deletes. Every address is 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

import certs
from bastion.access import grants, users
from bastion.cli.demo import target_sshd_config
from bastion.runtime.home import Context, Home, init, open_home

REPO = Path(__file__).resolve().parent.parent
PATHS = ("direct", "proxyjump", "bastion")
LOGIN = getpass.getuser()
TARGET = "bench"
USER = "bench"
TICKET = "BENCH-1"
BASTION_ALIAS = "bench-bastion"
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SSH = shutil.which("ssh") or "/usr/bin/ssh"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
DIRECT_CERT_SECONDS = 4 * 3600
GRANT_SECONDS = 4 * 3600

# The only departure from the bastion's defaults: the concurrency figure opens hundreds of
# sessions from one address, past the default limits of 50 at once and 60 new a minute per source.
BASTION_SETTINGS = {"max_connections": "2000", "max_connections_per_source": "2000",
                    "connection_rate_per_source": "0"}

# What every OpenSSH path shares; `-F` keeps /etc/ssh/ssh_config and ~/.ssh out of the figures.
_COMMON_SSH_OPTIONS = """\
    User {login}
    IdentityFile {key}
    IdentitiesOnly yes
    IdentityAgent none
    UserKnownHostsFile {known_hosts}
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
    BatchMode yes
    ControlMaster no
    ControlPath none
    EscapeChar none
    ForwardAgent no
    ForwardX11 no
    ConnectTimeout 10
    LogLevel ERROR
"""


class RigError(RuntimeError):
    """A part of the rig would not start; the message names it and ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def _wait_for_log(proc: subprocess.Popen, log: Path, start: int, text: str, what: str) -> None:
    """Wait until `text` is written to `log` past offset `start` (logs are appended to)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if text in _read_from(log, start):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RigError(f"{what} did not start (waiting for {text!r}):\n"
                   f"{_read_from(log, start)[-2000:]}")


def _read_from(log: Path, start: int) -> str:
    if not log.exists():
        return ""
    with open(log, "rb") as f:
        f.seek(start)
        return f.read().decode(errors="replace")


def _stop(proc: subprocess.Popen | None) -> int | None:
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


@dataclass
class Sshd:
    """An OpenSSH sshd on loopback accepting certificates from one CA and nothing else."""

    name: str
    directory: Path
    ca_pub: Path
    forwarding: bool
    port: int = 0
    host_pub: str = ""
    proc: subprocess.Popen | None = None

    def start(self) -> Sshd:
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):  # only root's sshd separates privileges
            Path("/run/sshd").mkdir(exist_ok=True)
        host_key = self.directory / "ssh_host_ed25519_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)],
                       check=True, capture_output=True)
        self.host_pub = " ".join(Path(f"{host_key}.pub").read_text().split()[:2])
        self.port = free_port()
        conf = self.directory / "sshd_config"
        # MaxStartups: the concurrency figure opens sessions many at a time.
        conf.write_text(target_sshd_config(self.port, host_key, self.ca_pub, f"""\
AllowTcpForwarding {"yes" if self.forwarding else "no"}
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 1000
MaxSessions 10
LogLevel INFO
"""))
        log = self.directory / "sshd.log"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(conf)], stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_for_log(self.proc, log, 0, "Server listening on", f"sshd ({self.name})")
        return self

    def stop(self) -> None:
        _stop(self.proc)


@dataclass
class BastionServe:
    """`bastion serve` as a child process; `prefix` goes between the interpreter and `-m MODULE`
    (a profiler such as `-m cProfile -o FILE`); `module` is `bastion`, or `bench.untracked` for
    the same server with command tracking off."""

    home: Home
    log: Path
    port: int = 0
    prefix: tuple[str, ...] = ()
    module: str = "bastion"
    proc: subprocess.Popen | None = None

    def start(self) -> BastionServe:
        self.port = self.port or free_port()
        args = [sys.executable, *self.prefix, "-m", self.module, "--home", str(self.home.path),
                "serve", "--listen", f"127.0.0.1:{self.port}"]
        start = _log_size(self.log)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=REPO,
                                         env={**_clean_env(), "PYTHONUNBUFFERED": "1"})
        _wait_for_log(self.proc, self.log, start, f"bastion listening on 127.0.0.1:{self.port}",
                      "bastion serve")
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> int | None:
        code = _stop(self.proc)
        self.proc = None
        return code


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "BASTION_"))}


class Rig:
    """The target, the jump host, the bastion and the client's key and certificates."""

    def __init__(self, root: Path, ciphers: str | None = None) -> None:
        """`ciphers`: an OpenSSH `Ciphers` list every client uses (None: the clients' defaults)."""
        self.root = root
        self.ciphers = ciphers
        self.home = Home(root / "home")
        self.ctx: Context | None = None
        self.target: Sshd | None = None
        self.jump: Sshd | None = None
        self.bastion: BastionServe | None = None
        self.key_path = root / "client"
        self.direct_cert_path = root / "client-direct-cert.pub"
        self.bastion_cert_path = root / "client-bastion-cert.pub"
        self.ssh_config = root / "ssh_config"
        self.known_hosts = root / "known_hosts"
        self._key: asyncssh.SSHKey | None = None
        self._direct_cert: asyncssh.SSHCertificate | None = None
        self._bastion_cert: asyncssh.SSHCertificate | None = None

    # -- set-up ------------------------------------------------------------------------------

    def start(self) -> Rig:
        init(self.home, BASTION_ALIAS)
        target_ca_pub = Path(f"{self.home.target_ca}.pub")
        self.target = Sshd("target", self.root / "target", target_ca_pub, forwarding=False).start()
        self.jump = Sshd("jump", self.root / "jump", target_ca_pub, forwarding=True).start()
        self._configure_bastion()
        self.ctx = open_home(self.home)
        self._make_client()
        self.bastion = BastionServe(self.home, self.root / "bastion.log", port=free_port())
        self._write_ssh_config()
        self.bastion.start()
        return self

    def _configure_bastion(self) -> None:
        text = self.home.config_file.read_text()
        for key, value in BASTION_SETTINGS.items():
            text, count = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", text, count=1)
            if count != 1:
                raise RigError(f"bastion.toml has no [server] key {key}")
        assert self.target is not None
        text += (f'\n[targets.{TARGET}]\nhost = "127.0.0.1"\nport = {self.target.port}\n'
                 f'logins = ["{LOGIN}"]\nhost_keys = ["{self.target.host_pub}"]\n')
        self.home.config_file.write_text(text)

    def _make_client(self) -> None:
        ctx = self.ctx
        assert ctx is not None
        key = asyncssh.generate_private_key("ssh-ed25519", comment="bench client")
        key.write_private_key(str(self.key_path))
        self.key_path.chmod(0o600)
        public = key.convert_to_public()
        valid_after, valid_before = certs.validity_window(time.time(), DIRECT_CERT_SECONDS)
        self._direct_cert = certs.mint_user_certificate(
            ctx.target_ca, public, serial=ctx.store.next_serial(),
            key_id=certs.format_key_id(operator="bench-direct"), principals=[LOGIN],
            valid_after=valid_after, valid_before=valid_before, permit_pty=True,
            # the jump host's sshd refuses `ssh -W` to a certificate without it
            permit_port_forwarding=True)
        self.direct_cert_path.write_text(certs.certificate_line(self._direct_cert) + "\n")
        users.add(ctx.store, USER, "engineer", public, "local:bench")
        request = grants.create_request(ctx.store, ctx.config, USER, target=TARGET, login=LOGIN,
                                        ticket=TICKET, duration=GRANT_SECONDS,
                                        reason="benchmark")
        grants.approve(ctx.store, ctx.config, request["id"], "local:bench-approver")
        self._bastion_cert = grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, USER,
                                                    TICKET, public, client_addr="127.0.0.1")
        self.bastion_cert_path.write_text(certs.certificate_line(self._bastion_cert) + "\n")
        self._key = key

    def _write_ssh_config(self) -> None:
        assert self.target and self.jump and self.ctx and self.bastion
        self.known_hosts.write_text(
            f"bench-target {self.target.host_pub}\nbench-jump {self.jump.host_pub}\n"
            f"@cert-authority {BASTION_ALIAS} {self.ctx.host_ca.public_line}\n")
        common = _COMMON_SSH_OPTIONS.format(login=LOGIN, key=self.key_path,
                                            known_hosts=self.known_hosts)
        if self.ciphers:
            common += f"    Ciphers {self.ciphers}\n"
        self.ssh_config.write_text(f"""\
Host direct
    HostName 127.0.0.1
    Port {self.target.port}
    HostKeyAlias bench-target
    CertificateFile {self.direct_cert_path}
{common}
Host jump
    HostName 127.0.0.1
    Port {self.jump.port}
    HostKeyAlias bench-jump
    CertificateFile {self.direct_cert_path}
{common}
Host proxyjump
    HostName 127.0.0.1
    Port {self.target.port}
    HostKeyAlias bench-target
    ProxyJump jump
    CertificateFile {self.direct_cert_path}
{common}
Host bastion
    HostName 127.0.0.1
    Port {self.bastion.port}
    HostKeyAlias {BASTION_ALIAS}
    CertificateFile {self.bastion_cert_path}
{common.replace(f"User {LOGIN}", f"User {LOGIN}@{TARGET}")}
""")

    def restart_bastion(self, prefix: tuple[str, ...] = (), module: str = "bastion"
                        ) -> BastionServe:
        """A fresh `bastion serve` on the same home and port (a clean process to measure)."""
        assert self.bastion is not None
        self.bastion.stop()
        self.bastion = BastionServe(self.home, self.bastion.log, port=self.bastion.port,
                                    prefix=prefix, module=module).start()
        return self.bastion

    def dispose(self, keep: bool, say: Callable[[str], None] = print) -> None:
        """Stop everything, then delete the rig's folder unless `keep`."""
        self.close()
        if keep:
            say(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def close(self) -> None:
        for part in (self.bastion, self.jump, self.target):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
        if self.ctx is not None:
            self.ctx.close()

    def logs(self) -> str:
        """The tails of the servers' logs, for an error report."""
        parts = []
        for log in (self.root / "bastion.log", self.root / "target" / "sshd.log",
                    self.root / "jump" / "sshd.log"):
            if log.exists():
                parts.append(f"--- {log.name} ({log.parent.name})\n"
                             + log.read_text(errors="replace")[-1500:])
        return "\n".join(parts)

    # -- clients -----------------------------------------------------------------------------

    def ssh(self, path: str, *command: str, tty: bool = False, options: tuple[str, ...] = ()
            ) -> list[str]:
        """The OpenSSH command line for `path` (one of PATHS); `tty` adds `-tt`."""
        if path not in PATHS:
            raise ValueError(f"unknown path {path!r}")
        return [SSH, "-F", str(self.ssh_config), *(["-tt"] if tty else []), *options, path,
                *command]

    def ssh_env(self) -> dict[str, str]:
        return _clean_env()

    async def connect(self, path: str) -> asyncssh.SSHClientConnection:
        """An asyncssh client connection along `path` (for the many-session load)."""
        assert self.target and self.jump and self.bastion and self.ctx and self._key
        common: dict[str, Any] = {"agent_path": None, "config": None,
                                  "preferred_auth": "publickey"}
        if self.ciphers:
            common["encryption_algs"] = self.ciphers.split(",")
        target_known = ([asyncssh.import_public_key(self.target.host_pub)], [], [])
        direct_keys = [(self._key, self._direct_cert)]
        if path == "direct":
            return await asyncssh.connect("127.0.0.1", self.target.port, username=LOGIN,
                                          client_keys=direct_keys, known_hosts=target_known,
                                          **common)
        if path == "proxyjump":
            tunnel = await asyncssh.connect(
                "127.0.0.1", self.jump.port, username=LOGIN, client_keys=direct_keys,
                known_hosts=([asyncssh.import_public_key(self.jump.host_pub)], [], []), **common)
            try:
                conn = await asyncssh.connect("127.0.0.1", self.target.port, tunnel=tunnel,
                                              username=LOGIN, client_keys=direct_keys,
                                              known_hosts=target_known, **common)
            except BaseException:
                tunnel.close()
                raise
            asyncio.get_running_loop().create_task(_close_with(conn, tunnel))
            return conn
        if path == "bastion":
            return await asyncssh.connect(
                "127.0.0.1", self.bastion.port, username=f"{LOGIN}@{TARGET}",
                client_keys=[(self._key, self._bastion_cert)],
                known_hosts=([], [self.ctx.host_ca.public_key], []),
                host_key_alias=BASTION_ALIAS, **common)
        raise ValueError(f"unknown path {path!r}")


async def _close_with(conn: asyncssh.SSHClientConnection, tunnel: asyncssh.SSHClientConnection
                      ) -> None:
    await conn.wait_closed()
    tunnel.close()


def command_tracking(rig: Rig) -> dict[str, Any]:
    """Whether the bastion judges the command lines of a pty shell: `active` is True when the
    server's gate factory returns a gate for one, None when it cannot be asked. The factory is
    `bastion.ssh.server.Bastion.make_gate` where it exists, else `ProxyChannel._make_gate` (where
    the gate is made since command control landed). `recorded()` tells what a run showed."""
    from bastion.ssh.live import Identity, LiveSession
    from bastion.ssh.proxy import ProxyChannel
    from bastion.ssh.server import Bastion

    ctx = rig.ctx
    assert ctx is not None
    how = "Bastion.make_gate"

    async def ask() -> str | None:
        # In a loop of its own: the gate starts a task of its own.
        nonlocal how
        app = Bastion(ctx)
        identity = Identity(user=USER, role=ctx.config.role("engineer"),
                            target=ctx.config.targets[TARGET], login=LOGIN,
                            client_addr="127.0.0.1")
        channel = ProxyChannel(LiveSession(app=app, identity=identity, conn=None))
        channel.kind = "shell"
        channel.term = ("xterm", (80, 24, 0, 0), {})
        channel.interactive = True
        if hasattr(app, "make_gate"):
            gate = app.make_gate(channel)
        else:
            how = "ProxyChannel._make_gate"
            # It sets the channel's gate (it returned it before): either way, one is asked.
            gate = channel._make_gate() or channel.gate
        if gate is not None and hasattr(gate, "close"):
            with contextlib.suppress(Exception):
                gate.close()
            await asyncio.sleep(0.01)
        return None if gate is None else type(gate).__name__

    try:
        made = asyncio.run(ask())
    except Exception as exc:  # the factory may need a live channel; then we cannot tell here
        return {"active": None, "how": f"{how} could not be asked: {exc!r}"}
    return {"active": made is not None, "how": f"{how} returned {made} for a pty shell"}


def recorded(rig: Rig) -> dict[str, Any]:
    """What the bastion kept of the run: sessions, recordings and judged command lines."""
    ctx = rig.ctx
    assert ctx is not None
    casts = list(rig.home.recordings.glob("*.cast"))
    return {
        "sessions": ctx.store.one("SELECT COUNT(*) AS n FROM sessions")["n"],
        "cast_files": len(casts),
        "cast_bytes": sum(p.stat().st_size for p in casts),
        "exec_records": len(list(rig.home.recordings.glob("*.jsonl"))),
        "command_lines_logged": ctx.store.one("SELECT COUNT(*) AS n FROM commands")["n"],
    }
